"""Events from the table's stream reach receivers on 127.0.0.1: signed, retried, dead-lettered,
cut at the timeout, isolated by owner, and never after the webhook is deleted."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from clarity.webhooks.events import ChangeEvent, event_from_record
from devtools.lambda_context import LocalLambdaContext
from devtools.template import import_function
from devtools.webhook_pipeline import lambda_stream_record
from tests.webhook_support import HANG, Receiver, WebhookWorld, receiver, webhook_world


@pytest.fixture
def world() -> Iterator[WebhookWorld]:
    with webhook_world() as started:
        yield started


def reference_recipe(secret: str, raw_body: bytes, signature_header: str) -> bool:
    """The reference's sample receiver, unchanged: HMAC-SHA256 of the raw body, hex, compared."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return digest == signature_header


def events_of(target: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in target.requests]


def test_every_event_type_arrives_signed_with_the_object_as_the_api_returns_it(world: WebhookWorld) -> None:
    with receiver() as target:
        secret = world.register(target.url)["secret"]
        api = world.api
        created = api.create()
        path = f"/v1/conversations/{created['id']}"
        update = api.request("PUT", path, json_body={"is_muted": True})
        updated, updated_etag = update.json(), update.header("ETag")
        api.request("GET", path)  # records an open: no event
        first = api.send(created["id"], "first")  # also moves last_active_at: no conversation event
        edited = api.request("PUT", f"/v1/messages/{first['id']}", json_body={"message": "edited"}).json()
        assert api.request("DELETE", f"/v1/messages/{first['id']}").status == 204
        second = api.send(created["id"], "second")
        last_seen = api.request("GET", path).json()
        assert api.request("DELETE", path).status == 204
        world.settle()

        received = events_of(target)
        assert [event["type"] for event in received] == [
            "conversation.created",
            "conversation.updated",
            "message.created",
            "message.updated",
            "message.deleted",
            "message.created",
            "conversation.deleted",
            "message.deleted",
        ]
        payloads = [event["payload"] for event in received]
        assert payloads == [created, updated, first, edited, edited, second, last_seen, second]
        # Each carries its object's ETag, as the API gives it: what receivers order by.
        etags = [request.headers["x-clarity-object-etag"] for request in target.requests]
        assert etags == ['"1"', '"2"', '"1"', '"2"', '"2"', '"1"', '"2"', '"1"']
        assert etags[1] == updated_etag
        for request, event in zip(target.requests, received, strict=True):
            assert reference_recipe(secret, request.body, request.headers["x-clarity-signature"])
            assert request.headers["x-clarity-event-id"] == event["id"]
            assert request.headers["x-clarity-delivery-attempt"] == "1"
            assert request.headers["content-type"] == "application/json"
            assert request.path == "/hooks/clarity"
            assert set(event) == {"id", "type", "created_at", "payload"}
            assert abs(event["created_at"] - time.time()) < 60
        assert len({event["id"] for event in received}) == len(received)


def test_a_webhook_gets_only_the_types_it_subscribed_to(world: WebhookWorld) -> None:
    with receiver() as everything, receiver() as messages_only:
        world.register(everything.url)
        world.register(messages_only.url, events=["message.created", "message.deleted"])
        conversation = world.api.create()
        world.api.send(conversation["id"])
        world.settle()
        assert [event["type"] for event in events_of(messages_only)] == ["message.created"]
        assert len(events_of(everything)) == 2


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt_with_the_same_id(
    world: WebhookWorld,
) -> None:
    with receiver([500, 503]) as target:
        world.register(target.url)
        world.api.create()
        world.run_until(lambda: len(target.requests) == 3)
        world.settle()
        assert len(target.requests) == 3
        assert [request.headers["x-clarity-delivery-attempt"] for request in target.requests] == ["1", "2", "3"]
        assert len({request.headers["x-clarity-event-id"] for request in target.requests}) == 1
        assert len({request.body for request in target.requests}) == 1  # the same bytes each time
        assert world.dead_letters() == []


def test_a_receiver_that_always_fails_leaves_the_event_in_the_dead_letter_queue(world: WebhookWorld) -> None:
    with receiver([500] * 10) as target:
        webhook = world.register(target.url)
        world.api.create()
        world.run_until(lambda: len(target.requests) == 3)  # max_attempts in this world
        world.settle()
        assert len(target.requests) == 3
        (dead,) = world.dead_letters()
        stored = json.loads(dead["Body"])
        assert stored["webhook_id"] == webhook["id"]
        assert stored["event_id"] == target.requests[0].headers["x-clarity-event-id"]
        assert json.loads(stored["body"])["type"] == "conversation.created"
        assert dead["MessageAttributes"]["attempts"]["StringValue"] == "3"
        assert "answered 500" in dead["MessageAttributes"]["last_error"]["StringValue"]
        assert world.in_flight() == 0


def test_a_receiver_that_hangs_is_cut_at_the_timeout() -> None:
    with webhook_world(timeout_seconds=0.5, max_attempts=2) as world, receiver([HANG]) as target:
        world.register(target.url)
        world.api.create()
        world.pipeline.pump_stream()
        started = time.monotonic()
        world.pipeline.pump_queue()
        assert time.monotonic() - started < 3
        assert len(target.requests) == 1
        world.run_until(lambda: len(target.requests) == 2)  # retried, and answered this time
        world.settle()
        assert world.dead_letters() == []


def test_owner_b_never_gets_owner_as_events(world: WebhookWorld) -> None:
    with receiver() as alices, receiver() as bobs:
        world.register(alices.url, owner="alice")
        world.register(bobs.url, owner="bob")
        world.api.create(owner="alice")
        world.api.create(owner="alice")
        bob_conversation = world.api.create(owner="bob")
        world.settle()
        assert len(events_of(alices)) == 2
        assert [event["payload"] for event in events_of(bobs)] == [bob_conversation]


def test_a_deleted_webhook_gets_nothing_more_queued_retries_included(world: WebhookWorld) -> None:
    with receiver([500] * 10) as target:
        webhook = world.register(target.url)
        world.api.create()
        world.run_until(lambda: len(target.requests) == 1)  # failed once: a retry is queued
        assert world.api.request("DELETE", f"/v1/webhooks/{webhook['id']}").status == 204
        world.api.create()
        world.settle(quiet_seconds=1.5)  # past the retry's due time
        assert len(target.requests) == 1
        assert world.in_flight() == 0
        assert world.dead_letters() == []


def test_a_stream_batch_with_one_poison_record_delivers_the_rest_and_reports_only_it(world: WebhookWorld) -> None:
    with receiver() as target:
        world.register(target.url)
        conversation = world.api.create()
        message = world.api.send(conversation["id"])
        records = stream_records(world)
        # The conversation's INSERT and the message's INSERT (the send's transaction also
        # wrote a pointer and moved last_active_at: those are no events).
        changes = [
            r
            for r in records
            if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["SK"]["S"][:4] in ("CONV", "MSG#")
        ]
        poison = json.loads(json.dumps(changes[0]))
        del poison["dynamodb"]["NewImage"]["created_at"]
        poison["eventID"] = "poison"
        poison["dynamodb"]["SequenceNumber"] = "999999"
        batch = [changes[0], poison, *changes[1:]]

        events_function = import_function("WebhookEventsFunction")
        response = events_function({"Records": batch}, LocalLambdaContext("WebhookEventsFunction"))

        assert response == {"batchItemFailures": [{"itemIdentifier": "999999"}]}
        world.settle()
        payloads = [event["payload"] for event in events_of(target)]
        assert conversation in payloads and message in payloads


def stream_records(world: WebhookWorld) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, as Lambda would pass it."""
    stream = world.pipeline.stream_arn
    shard = world.streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = world.streams.get_shard_iterator(StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = world.streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [lambda_stream_record(record, stream) for record in records]


def test_an_event_keeps_its_id_when_its_record_is_read_again(world: WebhookWorld) -> None:
    world.api.create()
    (insert,) = [
        r for r in stream_records(world) if r["eventName"] == "INSERT" and "CONV#" in json.dumps(r["dynamodb"]["Keys"])
    ]
    first, again = event_from_record(insert), event_from_record(json.loads(json.dumps(insert)))
    assert isinstance(first, ChangeEvent) and first == again


def test_a_function_that_dies_after_its_write_still_gets_its_event_out(
    world: WebhookWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clarity.conversations.repository import ConversationRepository  # noqa: PLC0415

    stored = ConversationRepository.open

    def store_then_die(self: ConversationRepository, owner: str, conversation: Any) -> None:
        stored(self, owner, conversation)
        raise RuntimeError("the function died after its write")

    monkeypatch.setattr(ConversationRepository, "open", store_then_die)
    with receiver() as target:
        world.register(target.url)
        response = world.api.request(
            "POST", "/v1/conversations", json_body={"contact_id": world.api.new_contact()["id"]}
        )
        assert response.status == 500
        world.settle()
        (event,) = events_of(target)
        assert event["type"] == "conversation.created"
        assert world.api.request("GET", f"/v1/conversations/{event['payload']['id']}").status == 200


def test_a_cancelled_transaction_fires_nothing_and_later_changes_still_arrive(world: WebhookWorld) -> None:
    """moto restores a copy of the table when a transaction is cancelled; the local pipeline
    must follow the table's stream as it is now, not the discarded copy's."""
    with receiver() as target:
        world.register(target.url)
        world.pipeline.pump_stream()  # the pipeline is reading the stream already
        refused = world.api.request(
            "POST", "/v1/messages", json_body={"conversation_id": "AAAAAAAAAAAAAAAA", "message": "lost"}
        )
        assert refused.status == 400  # its transaction was cancelled: no message was stored
        created = world.api.create()
        world.settle()
        assert [event["payload"] for event in events_of(target)] == [created]


def test_attachment_events_fire_once_a_file_is_there_and_carry_no_link(world: WebhookWorld) -> None:
    with receiver() as target:
        world.register(target.url, events=["attachment.created", "attachment.updated", "attachment.deleted"])
        api = world.api
        uploaded = api.upload(b"%PDF", filename="a.pdf").json()
        renamed = api.request("PUT", f"/v1/attachments/{uploaded['id']}", json_body={"filename": "b.pdf"}).json()
        # A direct upload never confirmed: its record comes and goes, and no event fires for it.
        waiting = api.request("POST", "/v1/attachments", json_body={"filename": "w.bin", "file_size": 3}).json()
        conversation = api.create()
        body = {"conversation_id": conversation["id"], "message": "file", "attachments": [uploaded["id"]]}
        assert api.request("POST", "/v1/messages", json_body=body).status == 201
        sent = api.request("GET", f"/v1/attachments/{uploaded['id']}").json()
        assert api.request("DELETE", f"/v1/attachments/{waiting['id']}").status == 204
        assert api.request("DELETE", f"/v1/attachments/{uploaded['id']}").status == 204
        world.settle()

    received = events_of(target)
    assert [event["type"] for event in received] == [
        "attachment.created",
        "attachment.updated",
        "attachment.updated",
        "attachment.deleted",
    ]
    without_link = [{**answer, "file_url": None} for answer in (uploaded, renamed, sent, sent)]
    assert [event["payload"] for event in received] == without_link
    assert [request.headers["x-clarity-object-etag"] for request in target.requests] == ['"1"', '"2"', '"3"', '"3"']
