"""What each endpoint's request looks like, for our handlers and for the baseline."""

from dataclasses import dataclass

from devtools.template import FunctionRoute, function_routes

OWNER = "bench-owner"
EXISTING_ID = "1xWBJaZ0q3Qpet8t"


@dataclass(frozen=True)
class Scenario:
    endpoint: str
    route: FunctionRoute
    path: str
    raw_query: str = ""
    body: bytes | None = None
    content_type: str | None = None


def scenarios(conversation_id: str = EXISTING_ID) -> list[Scenario]:
    routes = {route.logical_id: route for route in function_routes()}
    item_path = f"/v1/conversations/{conversation_id}"
    return [
        Scenario("list", routes["ListConversationsFunction"], "/v1/conversations", raw_query="limit=10"),
        Scenario(
            "create",
            routes["CreateConversationFunction"],
            "/v1/conversations",
            body=b'{"contact_id": "WAz8eIbvDR60rouK"}',
            content_type="application/json",
        ),
        Scenario("retrieve", routes["RetrieveConversationFunction"], item_path),
        Scenario(
            "update",
            routes["UpdateConversationFunction"],
            item_path,
            body=b'{"is_muted": true}',
            content_type="application/json",
        ),
        Scenario("delete", routes["DeleteConversationFunction"], item_path),
    ]
