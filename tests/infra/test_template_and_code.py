"""template.yaml and the code agree: routes, handlers, table, environment; openapi.json is current."""

import json
import re
from pathlib import Path
from typing import Any

from devtools.local_issuer import LocalIssuer
from devtools.openapi import openapi_document
from devtools.routing import Router
from devtools.sam_local import env_vars
from devtools.template import ROOT, function_routes, import_function, import_handler, load_template

# The reference's endpoints: conversations.txt, and messages in messages-api.md; webhooks, which
# the reference registers in a dashboard, as issue 12 makes them an API; contacts, on their own
# reference page (issue 19).
SEED_ROUTES = {
    ("GET", "/v1/conversations"),
    ("POST", "/v1/conversations"),
    ("GET", "/v1/conversations/{conversation_id}"),
    ("PUT", "/v1/conversations/{conversation_id}"),
    ("DELETE", "/v1/conversations/{conversation_id}"),
    ("GET", "/v1/messages"),
    ("POST", "/v1/messages"),
    ("GET", "/v1/messages/{message_id}"),
    ("PUT", "/v1/messages/{message_id}"),
    ("DELETE", "/v1/messages/{message_id}"),
    ("GET", "/v1/webhooks"),
    ("POST", "/v1/webhooks"),
    ("GET", "/v1/webhooks/{webhook_id}"),
    ("DELETE", "/v1/webhooks/{webhook_id}"),
    ("GET", "/v1/contacts"),
    ("POST", "/v1/contacts"),
    ("GET", "/v1/contacts/{contact_id}"),
    ("PUT", "/v1/contacts/{contact_id}"),
    ("DELETE", "/v1/contacts/{contact_id}"),
    ("GET", "/v1/groups"),
    ("POST", "/v1/groups"),
    ("GET", "/v1/groups/{group_id}"),
    ("PUT", "/v1/groups/{group_id}"),
    ("DELETE", "/v1/groups/{group_id}"),
    ("GET", "/v1/attachments"),
    ("POST", "/v1/attachments"),
    ("GET", "/v1/attachments/{attachment_id}"),
    ("PUT", "/v1/attachments/{attachment_id}"),
    ("DELETE", "/v1/attachments/{attachment_id}"),
}
# The functions no route calls: the table's stream, the delivery queue and a schedule invoke them.
WORKERS = {"WebhookEventsFunction": "DynamoDB", "WebhookDeliveryFunction": "SQS", "AttachmentSweepFunction": "Schedule"}


def _functions() -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in load_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_template_routes_are_exactly_the_seed_endpoints_one_function_each() -> None:
    routes = function_routes()

    assert {(r.method, r.path) for r in routes} == SEED_ROUTES
    assert len({r.logical_id for r in routes}) == len(routes)


def test_the_other_functions_are_the_webhook_workers_invoked_by_their_event_source() -> None:
    routed = {route.logical_id for route in function_routes()}
    workers = {name: properties for name, properties in _functions().items() if name not in routed}

    assert {name: [event["Type"] for event in p["Events"].values()] for name, p in workers.items()} == {
        name: [source] for name, source in WORKERS.items()
    }


def test_every_handler_path_in_the_template_imports_and_is_callable() -> None:
    for route in function_routes():
        assert (ROOT / route.code_uri).is_dir(), route.code_uri
        assert callable(import_handler(route)), route.handler
    for name, properties in _functions().items():
        assert (ROOT / properties["CodeUri"]).is_dir(), properties["CodeUri"]
        assert callable(import_function(name)), name


def test_every_variable_the_sam_local_env_file_sets_is_declared_in_the_template(tmp_path: Path) -> None:
    # `sam local --env-vars` only overrides variables the template declares; others it drops.
    declared = set(load_template()["Globals"]["Function"]["Environment"]["Variables"])
    for properties in _functions().values():
        declared |= set(properties.get("Environment", {}).get("Variables", {}))
    document = env_vars("t", "http://dynamodb:5000", LocalIssuer(tmp_path), sqs_endpoint_url="http://sqs:5000")

    assert set(document["Parameters"]) <= declared
    globals_ = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert (globals_["SQS_ENDPOINT_URL"], globals_["DYNAMODB_ENDPOINT_URL"]) == ("", "")  # empty on AWS
    assert globals_["WEBHOOK_DESTINATIONS"] == "public"  # only local runs deliver to loopback


def test_each_function_serves_the_route_the_template_gives_it() -> None:
    router = Router()
    for route in function_routes():
        resolver = __import__(route.module_name, fromlist=["app"]).app
        powertools_path = route.path.replace("{", "<").replace("}", ">")
        assert resolver.allowed_methods(powertools_path) == [route.method], route.logical_id
        concrete = route.path.replace("{conversation_id}", "A000000000000001")
        match = router.match(route.method, concrete)
        assert match is not None
        assert match.route == route


def test_every_function_uses_python_3_13_through_globals() -> None:
    template = load_template()
    assert template["Globals"]["Function"]["Runtime"] == "python3.13"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            assert "Runtime" not in resource["Properties"]


def test_committed_openapi_json_is_current() -> None:
    committed = json.loads(Path(ROOT / "openapi.json").read_text(encoding="utf-8"))

    assert committed == openapi_document(), "openapi.json is stale: run `make openapi`"


def test_openapi_documents_every_error_status_and_both_body_types() -> None:
    document = openapi_document()
    create = document["paths"]["/v1/conversations"]["post"]

    # 200: the contact or group has its conversation already (a repeat open).
    assert set(create["responses"]) == {"200", "201", "400", "401", "409", "413", "415", "500", "503"}
    assert "422" not in create["responses"]
    assert set(create["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded"}


def test_openapi_json_is_a_valid_openapi_document() -> None:
    from openapi_spec_validator import validate  # noqa: PLC0415

    validate(json.loads((ROOT / "openapi.json").read_text(encoding="utf-8")))


def test_operations_have_short_verb_ids_and_only_the_statuses_they_can_answer() -> None:
    document = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    operations = {
        (method, path): operation for path, item in document["paths"].items() for method, operation in item.items()
    }

    ids = {key: operation["operationId"] for key, operation in operations.items()}
    assert ids[("get", "/v1/conversations")] == "listConversations"
    assert ids[("post", "/v1/messages")] == "createMessage"
    assert all(
        re.fullmatch(
            r"(list|create|retrieve|update|delete)(Conversation|Message|Webhook|Contact|Group|Attachment)s?", i
        )
        for i in ids.values()
    )
    for (method, path), operation in operations.items():
        statuses = set(operation["responses"])
        assert "405" not in statuses  # API Gateway answers an unrouted method with 404
        if method in ("get", "delete"):
            assert not statuses & {"413", "415"}, (method, path)
        if method != "post":
            assert "409" not in statuses, (method, path)
        if method in ("get", "post"):
            assert "412" not in statuses, (method, path)
        if "{" not in path:
            assert "404" not in statuses, (method, path)
        assert "Retry-After" in operation["responses"]["503"]["headers"]
    created = operations[("post", "/v1/conversations")]["responses"]["201"]["headers"]
    assert set(created) == {"ETag", "Location"}
    found = operations[("post", "/v1/conversations")]["responses"]["200"]["headers"]
    assert set(found) == {"ETag", "Location"}
