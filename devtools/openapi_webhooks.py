"""The OpenAPI document's `webhooks` section (OpenAPI 3.1): one POST per event type the service
sends, with the envelope's schema and the delivery's headers, made from clarity.webhooks.envelope."""

from typing import Any

from pydantic.json_schema import models_json_schema

from clarity.http.openapi import WEBHOOKS
from clarity.webhooks.envelope import ENVELOPES, FIRES_WHEN, PAYLOAD_AS, DeliveryHeaders
from clarity.webhooks.models import EventType

REF_TEMPLATE = "#/components/schemas/{model}"
BODY_DESCRIPTION = (
    "The event envelope, compact JSON in UTF-8: the same bytes on every attempt. Verify "
    "x-clarity-signature over these raw bytes before parsing them."
)
DELIVERED = (
    "Delivered. Any other answer (a 3xx included), or none within 10 seconds, is a failed attempt: it is "
    "retried with growing, jittered delays, 8 attempts in all over about a day, then dead-lettered. "
    "Events arrive at least once and in no set order: drop duplicates by id, order by x-clarity-object-etag."
)


def _header_parameters() -> list[dict[str, Any]]:
    schema = DeliveryHeaders.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    parameters = []
    for name, header in schema["properties"].items():
        description = header.pop("description")
        header.pop("title", None)
        parameters.append(
            {"name": name, "in": "header", "required": name in required, "description": description, "schema": header}
        )
    return parameters


def _add_components(components: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Adds the envelopes' schemas; the objects they embed are already there, and must be the same."""
    for name, definition in definitions.items():
        existing = components.setdefault(name, definition)
        if existing != definition:
            raise ValueError(f"the webhook payload {name} differs from the API's schema of the same name")


def _operation(event: EventType, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    name = ENVELOPES[event].__name__
    resource, action = event.value.split(".")
    return {
        "operationId": name[0].lower() + name[1:],
        "summary": f"The {resource} was {action}",
        "description": (
            f"{FIRES_WHEN[event]} The request carries the {resource} {PAYLOAD_AS[action]}, signed with the "
            "webhook's secret."
        ),
        "tags": [WEBHOOKS],
        # The receiver is called without the API's bearer token: it checks the signature instead.
        "security": [],
        "parameters": parameters,
        "requestBody": {
            "required": True,
            "description": BODY_DESCRIPTION,
            "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=name)}}},
        },
        "responses": {"2XX": {"description": DELIVERED}},
    }


def add_webhooks(document: dict[str, Any]) -> None:
    _, definitions = models_json_schema(
        [(model, "serialization") for model in ENVELOPES.values()], ref_template=REF_TEMPLATE
    )
    _add_components(document["components"]["schemas"], definitions["$defs"])
    parameters = _header_parameters()
    document["webhooks"] = {event.value: {"post": _operation(event, parameters)} for event in EventType}
