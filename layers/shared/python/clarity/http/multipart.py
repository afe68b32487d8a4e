"""Reads the one file an upload sends as multipart/form-data (`curl -F file=@invoice.pdf`),
with the `multipart` library; or an error in the API's format naming `file`."""

import io
from dataclasses import dataclass
from email.message import Message
from typing import Any

from multipart import MultipartError, MultipartParser, MultipartPart, parse_options_header

from clarity.core.errors import InvalidRequest
from clarity.http.request_body import raw_body

MULTIPART_TYPE = "multipart/form-data"
# A form of one file needs a part or two; many parts are a malformed or hostile body.
MAX_PARTS = 8
# The part's bytes are the file's as they are (RFC 7578 deprecates any other encoding).
PLAIN_ENCODINGS = frozenset({"binary", "8bit", "7bit"})


@dataclass(frozen=True)
class UploadedFile:
    """A file part: its name as the client sent it (a path, maybe), its declared type, its bytes."""

    filename: str
    content_type: str | None
    body: bytes


def is_multipart(headers: dict[str, Any]) -> bool:
    media_type, _ = parse_options_header(_content_type(headers))
    return bool(media_type == MULTIPART_TYPE)


def _content_type(headers: dict[str, Any]) -> str:
    return next((str(value) for name, value in headers.items() if name.lower() == "content-type"), "")


def _extended_filename(part: MultipartPart, field: str) -> str | None:
    """A name sent only as RFC 5987's `filename*=UTF-8''...` (some clients do; the multipart
    library reads only `filename`), decoded by the standard library's RFC 2231 parameters."""
    header = Message()
    header["Content-Disposition"] = part.headers.get("Content-Disposition", "")
    extended = header.get_param("filename", header="content-disposition")
    if not isinstance(extended, tuple):
        return None
    charset, _, value = extended  # the bytes sent, as latin-1 characters
    try:
        return value.encode("latin-1").decode(charset or "utf-8", errors="strict")
    except (LookupError, UnicodeError) as error:
        raise InvalidRequest(f"{field}'s filename* is not valid {charset or 'utf-8'}", field) from error


def uploaded_file(event: dict[str, Any], field: str = "file") -> UploadedFile:
    """The one part named `field`, which must be a file. Any other part, a repeated one, a text
    value in its place, or a body that is not well-formed multipart is a 400 naming `field`."""
    _, options = parse_options_header(_content_type(event.get("headers") or {}))
    boundary = options.get("boundary")
    if not boundary:
        raise InvalidRequest(f"the {MULTIPART_TYPE} body has no boundary in its Content-Type", field)
    raw = raw_body(event)
    found: UploadedFile | None = None
    try:
        parts = MultipartParser(io.BytesIO(raw), boundary, content_length=len(raw), strict=True, part_limit=MAX_PARTS)
        for part in parts:
            if part.name != field:
                raise InvalidRequest(f"the form has a part named '{part.name[:64]}'; send only {field}", field)
            if found is not None:
                raise InvalidRequest(f"the form sends {field} more than once; send one file", field)
            if part.headers.get("Content-Transfer-Encoding", "binary").strip().lower() not in PLAIN_ENCODINGS:
                # RFC 7578 deprecates it: the part's bytes would be stored still encoded.
                raise InvalidRequest(f"{field} must be sent as is, without a Content-Transfer-Encoding", field)
            filename = part.filename if part.filename is not None else _extended_filename(part, field)
            if filename is None:
                raise InvalidRequest(
                    f"{field} must be a file, sent as -F {field}=@<path>: a text value"
                    f' (-F {field}="../Invoice.pdf") sends only a name',
                    field,
                )
            declared = part.headers.get("Content-Type")
            found = UploadedFile(filename, declared, part.raw)
    except MultipartError as error:
        raise InvalidRequest(
            f"the {MULTIPART_TYPE} body is malformed ({_reason(error)}); send the file as -F {field}=@<path>", field
        ) from error
    if found is None:
        raise InvalidRequest(f"the form has no {field}; send the file as -F {field}=@<path>", field)
    return found


def _reason(error: MultipartError) -> str:
    """The library's own words for what is wrong, without the Python exception it may carry
    (a part header that is not UTF-8 comes with a UnicodeDecodeError's repr)."""
    first = error.args[0] if error.args else None
    return first[:200] if isinstance(first, str) else "not well-formed"
