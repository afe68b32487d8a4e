"""Reading the file of an upload's multipart/form-data body (clarity.http.multipart): exactly the
bytes sent, however the gateway encoded them, and a 400 naming `file` for every other shape."""

import base64
from typing import Any

import pytest

from clarity.core.errors import InvalidRequest
from clarity.http.multipart import is_multipart, uploaded_file

BOUNDARY = "------------------------d74496d66958873e"


def _part(name: str, value: bytes, filename: str | None = None, content_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    headers = f"Content-Disposition: {disposition}\r\n" + (f"Content-Type: {content_type}\r\n" if content_type else "")
    return f"--{BOUNDARY}\r\n{headers}\r\n".encode() + value + b"\r\n"


def _event(*parts: bytes, encoded: bool = True, content_type: str | None = None) -> dict[str, Any]:
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return {
        "headers": {"content-type": content_type or f"multipart/form-data; boundary={BOUNDARY}"},
        # API Gateway base64-encodes a body it does not take for text, as a multipart one
        "body": base64.b64encode(body).decode() if encoded else body.decode("latin-1"),
        "isBase64Encoded": encoded,
    }


# Bytes that look like the form's own syntax must come through untouched.
TRICKY = b"\x00\xff\r\n--" + BOUNDARY[:-1].encode() + b"\r\n\r\n" + bytes(range(256))


def test_the_file_part_comes_back_byte_for_byte_with_its_name_and_type() -> None:
    uploaded = uploaded_file(_event(_part("file", TRICKY, "../Invoice.pdf", "application/pdf")))

    assert (uploaded.filename, uploaded.content_type, uploaded.body) == ("../Invoice.pdf", "application/pdf", TRICKY)


def test_an_empty_file_and_a_file_with_no_declared_type_are_files() -> None:
    uploaded = uploaded_file(_event(_part("file", b"", "empty.txt")))

    assert (uploaded.filename, uploaded.content_type, uploaded.body) == ("empty.txt", None, b"")


def test_a_body_the_gateway_left_as_text_reads_the_same() -> None:
    assert uploaded_file(_event(_part("file", b"plain text", "a.txt"), encoded=False)).body == b"plain text"


def test_a_filename_in_utf8_as_curl_sends_it_is_kept() -> None:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="Résumé.pdf"\r\n\r\n'.encode()
        + b"x\r\n"
    )
    assert uploaded_file(_event(part)).filename == "Résumé.pdf"


def test_the_content_type_header_is_recognised_whatever_its_case_and_parameters() -> None:
    assert is_multipart({"Content-Type": f'Multipart/Form-Data; boundary="{BOUNDARY}"'})
    assert not is_multipart({"content-type": "application/json"})
    assert not is_multipart({})


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (_event(_part("note", b"hi")), "has a part named 'note'"),
        (_event(), "has no file"),
        (_event(_part("file", b"../Invoice.pdf")), "must be a file, sent as -F file=@<path>"),
        (_event(_part("file", b"a", "a"), _part("file", b"b", "b")), "more than once"),
        (_event(_part("file", b"a", "a"), content_type="multipart/form-data"), "no boundary"),
        ({**_event(_part("file", b"a", "a")), "body": base64.b64encode(b"--nope\r\n").decode()}, "malformed"),
        ({**_event(), "body": base64.b64encode(_part("file", b"a", "a")).decode()}, "malformed"),
    ],
    ids=["another part", "no part", "a text value", "two files", "no boundary", "not multipart", "never closed"],
)
def test_every_other_shape_is_a_400_naming_file(event: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message) as refused:
        uploaded_file(event)

    assert refused.value.param == "file"


def test_a_name_sent_only_as_filename_star_is_decoded() -> None:
    part = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf\r\n\r\n"
    ).encode() + b"x\r\n"

    assert uploaded_file(_event(part)).filename == "Résumé.pdf"


def test_a_filename_star_that_is_not_its_charset_is_a_400_naming_file() -> None:
    part = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%FF%FE.pdf\r\n\r\n"
    ).encode() + b"x\r\n"

    with pytest.raises(InvalidRequest, match="filename\\* is not valid") as refused:
        uploaded_file(_event(part))
    assert refused.value.param == "file"


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_a_part_in_a_transfer_encoding_is_refused_not_stored_encoded(encoding: str) -> None:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode() + b"aGVsbG8=\r\n"

    with pytest.raises(InvalidRequest, match="Content-Transfer-Encoding") as refused:
        uploaded_file(_event(part))
    assert refused.value.param == "file"


def test_a_filename_that_is_not_utf8_is_a_400_in_words_without_a_python_repr() -> None:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode() + b'\xff.pdf"\r\n\r\nx\r\n'
    )

    with pytest.raises(InvalidRequest) as refused:
        uploaded_file(_event(part))

    assert refused.value.param == "file"
    assert "malformed (Segment header failed to decode)" in str(refused.value)
    assert "Error(" not in str(refused.value)
