"""Registering webhooks: the four endpoints, their errors, the limit and isolation."""

from collections.abc import Iterator

import pytest

from clarity.store import keys
from clarity.store.dynamodb import serialize
from clarity.webhooks.limits import MAX_WEBHOOKS_PER_OWNER
from tests.support import TABLE_NAME, api_with_moto
from tests.webhook_support import FakeDns, WebhookWorld, webhook_world

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def world() -> Iterator[WebhookWorld]:
    with webhook_world() as started:
        yield started


def test_registering_answers_201_with_the_secret_once(world: WebhookWorld) -> None:
    response = world.api.request(
        "POST", "/v1/webhooks", json_body={"name": "app", "url": URL, "events": ["message.created"]}
    )
    assert response.status == 201
    created = response.json()
    assert set(created) == {"id", "name", "url", "events", "secret", "created_at"}
    assert created["events"] == ["message.created"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 49  # 32 random bytes
    assert response.header("Location") == f"/v1/webhooks/{created['id']}"

    retrieved = world.api.request("GET", f"/v1/webhooks/{created['id']}")
    assert retrieved.status == 200
    assert retrieved.json() == {key: value for key, value in created.items() if key != "secret"}
    listed = world.api.request("GET", "/v1/webhooks").json()
    assert listed == {"has_more": False, "data": [retrieved.json()]}
    assert created["secret"] not in retrieved.text + world.api.request("GET", "/v1/webhooks").text


def test_each_webhook_gets_its_own_secret(world: WebhookWorld) -> None:
    secrets = {world.register(URL)["secret"] for _ in range(3)}
    assert len(secrets) == 3


def test_the_list_pages_newest_first_both_ways(world: WebhookWorld) -> None:
    ids = [world.register(URL)["id"] for _ in range(5)]
    newest_first = ids[::-1]
    first = world.api.request("GET", "/v1/webhooks", query={"limit": 2}).json()
    assert [hook["id"] for hook in first["data"]] == newest_first[:2] and first["has_more"]
    second = world.api.request("GET", "/v1/webhooks", query={"limit": 2, "starting_after": newest_first[1]}).json()
    assert [hook["id"] for hook in second["data"]] == newest_first[2:4] and second["has_more"]
    back = world.api.request("GET", "/v1/webhooks", query={"limit": 2, "ending_before": newest_first[2]}).json()
    assert [hook["id"] for hook in back["data"]] == newest_first[:2]


def test_delete_answers_204_then_404(world: WebhookWorld) -> None:
    webhook_id = world.register(URL)["id"]
    assert world.api.request("DELETE", f"/v1/webhooks/{webhook_id}").status == 204
    assert world.api.request("GET", f"/v1/webhooks/{webhook_id}").status == 404
    assert world.api.request("DELETE", f"/v1/webhooks/{webhook_id}").status == 404
    assert world.api.request("GET", "/v1/webhooks").json()["data"] == []


def test_webhooks_carry_an_etag_and_delete_honours_if_match(world: WebhookWorld) -> None:
    # Given a webhook, with the ETag its registration and its retrieval answer
    registered = world.api.request("POST", "/v1/webhooks", json_body={"name": "app", "url": URL, "events": ["*"]})
    webhook_id = registered.json()["id"]
    retrieved = world.api.request("GET", f"/v1/webhooks/{webhook_id}")
    assert registered.header("ETag") == retrieved.header("ETag") == '"1"'

    # When a delete names another version, or a malformed one, then it is refused and nothing is deleted
    stale = world.api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": '"7"'})
    assert stale.status == 412
    assert stale.json()["message"].startswith(f"Webhook '{webhook_id}' has changed since the ETag")
    malformed = world.api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": "7"})
    assert malformed.status == 400
    assert world.api.request("GET", f"/v1/webhooks/{webhook_id}").status == 200

    # And with the ETag read, the delete happens; a second one is a 404, not a 412
    current = world.api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": '"1"'})
    assert current.status == 204
    again = world.api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": '"1"'})
    assert again.status == 404
    assert world.api.request("GET", "/v1/webhooks").json()["data"] == []


def test_an_owner_may_have_16_and_deleting_one_frees_a_place(world: WebhookWorld) -> None:
    ids = [world.register(URL)["id"] for _ in range(MAX_WEBHOOKS_PER_OWNER)]
    refused = world.api.request("POST", "/v1/webhooks", json_body={"name": "17th", "url": URL, "events": ["*"]})
    assert refused.status == 400
    assert "16 webhooks" in refused.json()["message"]
    assert world.register(URL, owner="bob")  # the limit is per owner
    assert world.api.request("DELETE", f"/v1/webhooks/{ids[0]}").status == 204
    assert world.register(URL)
    assert world.api.request("POST", "/v1/webhooks", json_body={"name": "x", "url": URL, "events": ["*"]}).status == 400


def test_webhooks_are_isolated_by_owner(world: WebhookWorld) -> None:
    alices = world.register(URL)["id"]
    assert world.api.request("GET", f"/v1/webhooks/{alices}", owner="bob").status == 404
    assert world.api.request("DELETE", f"/v1/webhooks/{alices}", owner="bob").status == 404
    assert world.api.request("GET", "/v1/webhooks", owner="bob").json()["data"] == []
    assert world.api.request("GET", f"/v1/webhooks/{alices}").status == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "x", "url": URL, "events": ["*"], "secret": "mine"}, "secret", "cannot be set"),
        ({"url": URL, "events": ["*"]}, "name", "required"),
        ({"name": "x", "events": ["*"]}, "url", "required"),
        ({"name": "x", "url": URL}, "events", "required"),
        ({"name": "x", "url": URL, "events": []}, "events", "at least 1"),
        ({"name": "x", "url": URL, "events": ["message.sent"]}, "events", "unknown event type"),
        ({"name": "x", "url": URL, "events": ["*", "message.created"]}, "events", "alone"),
        ({"name": "x", "url": URL, "events": ["message.created", "message.created"]}, "events", "more than once"),
        ({"name": "x", "url": URL, "events": "*"}, "events", "list"),
        ({"name": "", "url": URL, "events": ["*"]}, "name", "at least 1"),
        ({"name": "   ", "url": URL, "events": ["*"]}, "name", "whitespace"),
        ({"name": "x", "url": "not a url", "events": ["*"]}, "url", "url"),
        ({"name": "x", "url": "ftp://127.0.0.1/", "events": ["*"]}, "url", "http"),
        ({"name": "x", "url": "http://user:pw@127.0.0.1/", "events": ["*"]}, "url", "user or password"),
        ({"name": "x", "url": "http:///path", "events": ["*"]}, "url", "host"),
        ({"name": "x", "url": "http://127.0.0.1:99999/", "events": ["*"]}, "url", "port"),
        ({"name": "x", "url": "http://127.0.0.1/" + "a" * 2048, "events": ["*"]}, "url", "2048"),
        # Local runs deliver to this machine only.
        ({"name": "x", "url": "https://93.184.215.14/", "events": ["*"]}, "url", "loopback only"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    world: WebhookWorld, body: dict[str, object], field: str, words: str
) -> None:
    response = world.api.request("POST", "/v1/webhooks", json_body=body)
    assert response.status == 400, response.text
    error = response.json()
    assert error["type"] == "invalid_request"
    assert field in error["message"] and words.lower() in error["message"].lower(), error["message"]
    assert world.api.request("GET", "/v1/webhooks").json()["data"] == []


def test_malformed_ids_are_404s(world: WebhookWorld) -> None:
    for path in ("/v1/webhooks/short", "/v1/webhooks/HOOK%23AAAAAAAAAAA"):
        assert world.api.request("GET", path).status == 404
        assert world.api.request("DELETE", path).status == 404


def test_local_runs_take_loopback_names_without_dns_and_refuse_others() -> None:
    dns = FakeDns({"hooks.example.com": ["127.0.0.1"]})  # even a name that would resolve to loopback
    with webhook_world(resolve=dns) as world:
        for url in ("http://localhost:4000/hooks", "http://hooks.localhost/", "http://[::1]:4000/"):
            assert (
                world.api.request("POST", "/v1/webhooks", json_body={"name": "x", "url": url, "events": ["*"]}).status
                == 201
            )
        refused = world.api.request(
            "POST", "/v1/webhooks", json_body={"name": "x", "url": "http://hooks.example.com/", "events": ["*"]}
        )
        assert refused.status == 400 and "not on this machine" in refused.json()["message"]
    assert dns.asked == []


def test_a_webhook_registered_before_webhooks_had_versions_is_at_the_first() -> None:
    # Given a webhook stored without a version, as registrations stored them before ETags
    with api_with_moto() as (api, client):
        webhook_id = api.request("POST", "/v1/webhooks", json_body={"name": "app", "url": URL, "events": ["*"]}).json()[
            "id"
        ]
        client.update_item(
            TableName=TABLE_NAME,
            Key=serialize(keys.webhook_key("alice", webhook_id)),
            UpdateExpression="REMOVE version",
        )

        # Then it reads at version 1, a delete naming another is a 412, and one naming 1 deletes it
        assert api.request("GET", f"/v1/webhooks/{webhook_id}").header("ETag") == '"1"'
        assert api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": '"2"'}).status == 412
        assert api.request("DELETE", f"/v1/webhooks/{webhook_id}", headers={"If-Match": '"1"'}).status == 204
        assert api.request("GET", f"/v1/webhooks/{webhook_id}").status == 404
