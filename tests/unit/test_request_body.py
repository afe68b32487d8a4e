import json
from typing import Any

import pytest

from clarity.attachments.models import UpdateAttachmentRequest
from clarity.conversations.models import CreateConversationRequest, UpdateConversationRequest
from clarity.core.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from clarity.http.error_map import validation_message
from clarity.http.request_body import canonical_body


def _event(body: str, content_type: str | None) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": False}


def test_form_values_take_their_fields_types() -> None:
    event = _event(
        "is_muted=1&is_pinned=false&archived_at=705103200&pinned_message_id=null", "application/x-www-form-urlencoded"
    )

    canonical = canonical_body(event, UpdateConversationRequest)

    assert json.loads(canonical["body"]) == {
        "is_muted": True,
        "is_pinned": False,
        "archived_at": 705103200,
        "pinned_message_id": None,
    }
    assert canonical["headers"] == {"content-type": "application/json"}


def test_form_strings_stay_strings_even_when_numeric() -> None:
    event = _event("contact_id=1234567890123456", "application/x-www-form-urlencoded")

    assert json.loads(canonical_body(event, CreateConversationRequest)["body"]) == {"contact_id": "1234567890123456"}


def test_json_bodies_pass_through_unchanged() -> None:
    event = _event('{"is_muted": true}', "application/json; charset=utf-8")

    assert json.loads(canonical_body(event, UpdateConversationRequest)["body"]) == {"is_muted": True}


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("x" * (64 * 1024 + 1), "application/json", PayloadTooLarge),
        ("a=1", "text/csv", UnsupportedMediaType),
        ("", "application/json", InvalidRequest),
        ("{", "application/json", InvalidRequest),
        ("a=1&a=2", "application/x-www-form-urlencoded", InvalidRequest),
        ("%%%", "application/x-www-form-urlencoded", InvalidRequest),
    ],
)
def test_bad_bodies_raise_the_matching_error(body: str, content_type: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical_body(_event(body, content_type), UpdateConversationRequest)


def test_validation_messages_name_the_parameter() -> None:
    assert validation_message({"type": "extra_forbidden", "loc": ("body", "color"), "msg": "x"}) == (
        "Received unknown parameter: color"
    )
    assert validation_message({"type": "less_than_equal", "loc": ("query", "limit"), "msg": "too big"}) == (
        "Invalid limit: too big"
    )


def test_an_integer_too_long_for_python_to_read_is_a_400_not_a_crash() -> None:
    event = {"headers": {"content-type": "application/json"}, "body": '{"file_size": ' + "9" * 5000 + "}"}

    with pytest.raises(InvalidRequest, match="number too long"):
        canonical_body(event, UpdateAttachmentRequest)
