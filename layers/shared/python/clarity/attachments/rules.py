"""What an attachment's filename, type and storage key may be: rules, no I/O."""

import re
import secrets
import unicodedata
from email.headerregistry import ContentTypeHeader, HeaderRegistry
from urllib.parse import quote

from clarity.core.errors import InvalidRequest

MAX_FILENAME_LENGTH = 255
DEFAULT_FILE_TYPE = "application/octet-stream"
# Characters that reorder how a name is shown (a right-to-left override makes "invoice<RLO>fdp.exe"
# read as "invoiceexe.pdf"): refused with the control characters.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
PATH_SEPARATORS = re.compile(r"[/\\]")
# A media type as RFC 6838 names one: type/subtype, ASCII letters, digits and a few marks.
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
# Control, format (zero-width, byte order mark, Arabic letter mark), line and paragraph separators,
# surrogates: invisible or breaking in a name shown to people.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_content_type_header = HeaderRegistry()


def checked_filename(name: str, param: str = "filename") -> str:
    """A filename as given to a rename: 1 to 255 characters, no path separators, no control
    characters, not `.` or `..`. Otherwise a 400 naming `param`."""
    if not 1 <= len(name) <= MAX_FILENAME_LENGTH:
        raise InvalidRequest(f"{param} must be 1 to {MAX_FILENAME_LENGTH} characters, got {len(name)}", param)
    if PATH_SEPARATORS.search(name):
        raise InvalidRequest(f"{param} must be a name, not a path: no / or \\", param)
    if name in (".", ".."):
        raise InvalidRequest(f"{param} must name a file, not '{name}'", param)
    if any(unicodedata.category(character) in REFUSED_CATEGORIES or character in BIDI_CONTROLS for character in name):
        raise InvalidRequest(f"{param} must not contain control, format or invisible characters", param)
    return name


def uploaded_filename(raw: str, param: str = "file") -> str:
    """The filename of an uploaded part: a path (`../Invoice.pdf`, `C:\\docs\\a.pdf`) is cut to
    its last segment, then checked as any filename is."""
    return checked_filename(PATH_SEPARATORS.split(raw)[-1], param)


def file_type_of(declared: str | None) -> str:
    """The media type an upload declared, lowercased and without parameters, when it is a
    well-formed MIME type (the standard library's Content-Type parser finds no defect); else
    application/octet-stream."""
    if not declared or len(declared) > MAX_FILENAME_LENGTH:
        return DEFAULT_FILE_TYPE
    header = _content_type_header("content-type", declared)
    if header.defects or not isinstance(header, ContentTypeHeader):
        return DEFAULT_FILE_TYPE
    media_type = str(header.content_type)
    return media_type if MEDIA_TYPE.fullmatch(media_type) else DEFAULT_FILE_TYPE


def checked_file_type(declared: str | None, param: str = "file_type") -> str:
    """The file_type a direct upload declares: a well-formed media type (lowercased, without
    parameters), or a 400 naming `param`; none is application/octet-stream."""
    if declared is None:
        return DEFAULT_FILE_TYPE
    file_type = file_type_of(declared)
    if file_type == DEFAULT_FILE_TYPE and declared.split(";")[0].strip().lower() != DEFAULT_FILE_TYPE:
        raise InvalidRequest(f"{param} must be a media type such as application/pdf, got '{declared[:64]}'", param)
    return file_type


def new_object_key(owner: str, attachment_id: str) -> str:
    """Where a new file is stored: under its owner first, then the attachment's id and a random
    part, so that no one can name the object from the attachment's id alone."""
    return f"{quote(owner, safe='')}/{attachment_id}/{secrets.token_urlsafe(18)}"
