"""openapi.json is a reference a reader can use: every operation is tagged by resource and described,
every field, parameter and header says what it is, and every webhook event is documented."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from clarity.core.errors import InvalidRequest
from clarity.http.conditional import IF_MATCH_PATTERN, expected_version
from clarity.webhooks.models import EventType
from devtools.openapi import ComponentNameClash, check_component_names
from devtools.template import ROOT

DOCUMENT: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
RESOURCE_TAGS = {"Attachments", "Contacts", "Conversations", "Groups", "Messages", "Webhooks"}


def _operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for section in ("paths", "webhooks"):
        for path, item in DOCUMENT[section].items():
            for method, operation in item.items():
                yield f"{section} {method.upper()} {path}", operation


def _walk(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every dict in the document, with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def _undescribed() -> list[str]:
    missing = []
    for where, node in _walk(DOCUMENT, "#"):
        described: dict[str, Any] = {}
        if isinstance(node.get("properties"), dict):  # a schema's fields, at any depth
            described.update(node["properties"])
        if where.endswith("/headers"):  # a response's headers
            described.update(node)
        if isinstance(node.get("parameters"), list):
            described.update({parameter["name"]: parameter for parameter in node["parameters"]})
        missing += [f"{where}: {name}" for name, item in described.items() if not str(item.get("description", ""))]
    return missing


def test_every_operation_has_a_resource_tag_a_summary_and_a_description() -> None:
    operations = dict(_operations())

    assert len(operations) == 29 + len(EventType)
    for name, operation in operations.items():
        assert len(operation.get("tags", [])) == 1 and operation["tags"][0] in RESOURCE_TAGS, name
        assert operation.get("summary", "").strip(), name
        assert operation.get("description", "").strip() not in ("", operation["summary"]), name


def test_the_tags_are_the_resources_each_with_a_description() -> None:
    assert {tag["name"] for tag in DOCUMENT["tags"]} == RESOURCE_TAGS
    assert all(tag["description"].strip() for tag in DOCUMENT["tags"])
    tagged = {operation["tags"][0] for _, operation in _operations()}
    assert tagged == RESOURCE_TAGS


def test_every_field_parameter_and_header_has_a_description() -> None:
    assert _undescribed() == []


def test_the_walk_finds_the_fields_of_requests_responses_and_webhooks() -> None:
    # So the test above cannot pass by looking at nothing.
    walked = {where for where, node in _walk(DOCUMENT, "#") if isinstance(node.get("properties"), dict)}
    for schema in (
        "Conversation",
        "UpdateConversationForm",
        "CreateMessageRequest",
        "ErrorBody",
        "MessageCreatedEvent",
    ):
        assert f"#/components/schemas/{schema}" in walked
    assert any(where.endswith("/headers") for where, _ in _walk(DOCUMENT, "#"))


@pytest.mark.parametrize(
    ("schema", "field", "words"),
    [
        ("Conversation", "pinned_message_id", "Unique identifier for the pinned message"),
        ("Conversation", "is_pinned", "Whether or not the conversation has been pinned"),
        ("Conversation", "last_opened_at", "last opened by the authenticated user"),
        ("Message", "conversation_id", "the conversation the message belongs to"),
        ("UpdateConversationRequest", "archived_at", "Timestamp of when the conversation was archived"),
    ],
)
def test_fields_carry_the_reference_descriptions(schema: str, field: str, words: str) -> None:
    assert words in DOCUMENT["components"]["schemas"][schema]["properties"][field]["description"]


def test_the_intro_names_every_resource_and_how_to_authenticate_page_and_read_errors() -> None:
    intro = DOCUMENT["info"]["description"]

    for tag in DOCUMENT["tags"]:
        assert f"**{tag['name']}**" in intro, tag["name"]
    for words in ("Authorization: Bearer", "starting_after", "has_more"):
        assert words in intro, words
    assert "invalid_request" in intro and "api_error" in intro


def test_every_event_type_is_a_webhook_posting_its_envelope_with_the_delivery_headers() -> None:
    webhooks = DOCUMENT["webhooks"]

    assert set(webhooks) == {event.value for event in EventType}
    for event, item in webhooks.items():
        operation = item["post"]
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = DOCUMENT["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert schema["properties"]["type"]["const"] == event
        assert set(schema["required"]) == {"id", "type", "created_at", "payload"}
        payload = schema["properties"]["payload"]["$ref"].rsplit("/", 1)[1]
        assert payload == event.split(".")[0].capitalize()
        headers = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "header"}
        assert {"x-clarity-signature", "x-clarity-event-id", "x-clarity-object-etag"} <= headers
        assert operation["security"] == []


def test_if_match_is_documented_as_the_code_reads_it() -> None:
    # Every If-Match the document declares has the pattern the code enforces, so a client (or a
    # fuzzer) generating from the document sends what the API takes.
    patterns = {
        parameter["schema"].get("pattern")
        for _, operation in _operations()
        for parameter in operation.get("parameters", [])
        if parameter["name"].lower() == "if-match"
    }
    assert patterns == {IF_MATCH_PATTERN}
    for taken in ('"3"', "*"):
        assert expected_version(taken) in (3, None)
        assert re.fullmatch(IF_MATCH_PATTERN, taken)
    for refused in ("3", 'W/"3"', '"3", "4"'):
        assert not re.fullmatch(IF_MATCH_PATTERN, refused)
        with pytest.raises(InvalidRequest):
            expected_version(refused)


def test_two_different_models_of_one_name_are_refused() -> None:
    # The merged document keeps one schema per name: a second model of that name would be
    # described by the first's schema (the message's sender stub once stood in for the contact).
    seen: dict[str, Any] = {}
    check_component_names(seen, {"Contact": {"title": "Contact", "properties": {"id": {}}}}, "functions.a")
    check_component_names(seen, {"Contact": {"title": "Contact", "properties": {"id": {}}}}, "functions.b")

    with pytest.raises(ComponentNameClash, match=r"'Contact'.*functions\.c"):
        check_component_names(seen, {"Contact": {"title": "Contact", "properties": {"username": {}}}}, "functions.c")
