"""The local gateway's events carry a body as HTTP APIs do: as text only for text media types."""

import base64

import pytest

from devtools.events import http_api_event


@pytest.mark.parametrize(
    ("content_type", "as_text"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("text/plain", True),
        ("application/xml", True),
        ("application/javascript", True),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=x", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_a_body_is_text_only_for_text_media_types(content_type: str | None, as_text: bool) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    event = http_api_event(
        "POST", "/v1/attachments", route_key="POST /v1/attachments", claims=None, headers=headers, body=b"a=1"
    )

    assert event["isBase64Encoded"] is not as_text
    assert event["body"] == ("a=1" if as_text else base64.b64encode(b"a=1").decode())


def test_a_text_body_that_is_not_utf8_goes_base64_encoded_whole() -> None:
    event = http_api_event(
        "POST",
        "/v1/messages",
        route_key="POST /v1/messages",
        claims=None,
        headers={"content-type": "application/json"},
        body=b"\xff",
    )

    assert (event["isBase64Encoded"], base64.b64decode(event["body"])) == (True, b"\xff")
