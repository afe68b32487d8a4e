"""The bench's baseline makes exactly our DynamoDB requests, so its ratios compare handlers, not requests."""

import io
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import replace
from typing import Any

import pytest

from bench import baseline
from bench.cold_start import FUNCTIONS, ROUTES, WORKERS, Endpoint, Worker
from bench.warm import (
    ATTACHMENT_ID,
    BUCKET,
    CONTACT_ID,
    CONVERSATION_ID,
    GROUP_ID,
    IDS,
    MESSAGE_ID,
    OWNER,
    QUEUE_URL,
    STUBBED_ANSWERS,
    STUBBED_QUEUE_ANSWERS,
    STUBBED_S3_ANSWERS,
    TABLE,
    WEBHOOK_ID,
    handler_serving_from,
    stubbed,
)
from clarity.wiring import use_services
from devtools.lambda_context import LocalLambdaContext

Request = tuple[str, dict[str, Any]]


def _without_clock(value: Any) -> Any:
    """The request with every epoch-seconds number and webhook secret replaced, since the two
    sides read the clock apart and draw their own secrets."""
    if isinstance(value, dict):
        if set(value) == {"N"} and len(value["N"]) == 10 and value["N"].isdigit():
            return {"N": "<now>"}
        if "secret" in value:
            value = {**value, "secret": {"S": "<secret>"}}
        return {name: _without_clock(inner) for name, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_without_clock(inner) for inner in value]
    return value


@pytest.fixture(autouse=True)
def no_services_left_behind() -> Iterator[None]:
    yield
    use_services(None)


def _recording(client: Any, service: str) -> list[Request]:
    """Every request the client makes from now on, as (operation, parameters)."""
    made: list[Request] = []
    client.meta.events.register(
        f"provide-client-params.{service}.*", lambda params, model, **_: made.append((model.name, dict(params)))
    )
    return made


@pytest.fixture
def clients(name: str) -> Iterator[tuple[Any, Any, Any]]:
    """DynamoDB, SQS and S3, each answering one call of `name` as the warm bench does; every
    answer must have been asked for."""
    client, dynamodb_stubber = stubbed("dynamodb", STUBBED_ANSWERS[name], 1)
    sqs, sqs_stubber = stubbed("sqs", STUBBED_QUEUE_ANSWERS.get(name, []), 1)
    s3, s3_stubber = stubbed("s3", STUBBED_S3_ANSWERS.get(name, []), 1)
    yield client, sqs, s3
    dynamodb_stubber.assert_no_pending_responses()
    sqs_stubber.assert_no_pending_responses()
    s3_stubber.assert_no_pending_responses()


def _our_requests(
    name: str, client: Any, sqs: Any, s3: Any = None, target: Endpoint | Worker | None = None
) -> tuple[list[Request], list[Request]]:
    made, queued = _recording(client, "dynamodb"), _recording(sqs, "sqs")
    target = target or FUNCTIONS[name]
    handler = handler_serving_from("ours", target, client, sqs, s3)
    with redirect_stdout(io.StringIO()):
        event = target.event(IDS)
        status = target.status(handler(event, LocalLambdaContext(target.module_name)))
    assert status < 300
    return made, queued


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_baseline_makes_exactly_our_requests(name: str, clients: tuple[Any, Any, Any]) -> None:
    our_files = _recording(clients[2], "s3")
    started = int(time.time())
    ours, our_queue_calls = _our_requests(name, *clients)
    # Creates draw their ids server-side; the baseline is handed the same one.
    creates = ("create", "send", "create_webhook", "create_contact")
    put_id = ours[0][1]["TransactItems"][0]["Put"]["Item"]["id"]["S"] if name in creates else ""
    conversation_id = put_id if name == "create" else CONVERSATION_ID
    message_id = put_id if name == "send" else MESSAGE_ID
    webhook_id = put_id if name == "create_webhook" else WEBHOOK_ID
    contact_id = put_id if name == "create_contact" else CONTACT_ID
    group_id, attachment_id, upload = GROUP_ID, ATTACHMENT_ID, None
    if name == "create_attachment":  # its id and its file's key drawn (the baseline is handed both)
        drawn = ours[0][1]["TransactItems"][0]["Put"]["Item"]
        attachment_id, object_key = drawn["id"]["S"], drawn["object_key"]["S"]
        size = len(baseline.UPLOAD_CONTENT)
        upload = baseline.new_upload_item(
            OWNER, attachment_id, object_key, "invoice.pdf", "application/pdf", size, 1_795_600_000
        )
    if name == "create_group":  # two ids drawn: the group's, then its conversation's
        group_put, conversation_put = (action["Put"]["Item"] for action in ours[0][1]["TransactItems"][:2])
        group_id, conversation_id = group_put["id"]["S"], conversation_put["id"]["S"]

    if name == "attachment_sweep":
        # It reads the uploads waiting since a day before now: the second ours read the clock in.
        seconds = [now for now in (started, started + 1) if baseline.sweep_requests(TABLE, now) == ours]
        theirs = baseline.sweep_requests(TABLE, seconds[0] if seconds else started)
    elif name in WORKERS:
        theirs = baseline.worker_requests(name, TABLE, OWNER, webhook_id)
    else:
        theirs = baseline.requests(
            name,
            TABLE,
            OWNER,
            conversation_id,
            now=1_795_600_000,
            message_id=message_id,
            webhook_id=webhook_id,
            contact_id=contact_id,
            # The username the create's body sends, and the stored contact's (the delete's claim).
            username=baseline.bench_username(CONTACT_ID),
            group_id=group_id,
            attachment_id=attachment_id,
            read=upload,
        )

    assert _without_clock(theirs) == _without_clock(ours)
    # S3: an attachment's delete deletes its file, named by the record it read; every other
    # answer signs a download link for each uploaded file it shows (the GET it signs is recorded).
    # The baseline does both alike.
    assert our_files == _baseline_file_requests(name, upload)
    # The stream's worker queues its deliveries in one call, as the baseline does (bodies differ).
    expected_queue_calls = ["SendMessageBatch"] if name == "webhook_events" else []
    assert [operation for operation, _ in our_queue_calls] == expected_queue_calls


def _baseline_file_requests(name: str, upload: dict[str, Any] | None = None) -> list[Request]:
    """The S3 requests both sides make for `name`, on the warm bench's answers; an upload's
    stores its file under the key of the record it wrote (`upload`)."""
    if name not in baseline.ATTACHMENT_ENDPOINTS:
        return []
    answer = STUBBED_ANSWERS[name][0][1]
    if name == "create_attachment":
        stored = STUBBED_ANSWERS[name][1][1]["Attributes"]
        key = upload["object_key"]["S"] if upload else stored["object_key"]["S"]
        put = baseline.put_file(BUCKET, key, baseline.UPLOAD_CONTENT, "application/pdf")
        return [put, baseline.signed_get(BUCKET, stored)]
    if name == "delete_attachment":
        return [baseline.delete_file(BUCKET, answer["Item"]["object_key"]["S"])]
    shown = answer.get("Items") or [answer.get("Item") or answer["Attributes"]]
    return [baseline.signed_get(BUCKET, item) for item in shown if item["uploaded"]["BOOL"]]


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_baseline_answers_like_the_function(name: str, clients: tuple[Any, Any, Any]) -> None:
    client, sqs, s3 = clients
    queued, posted, files = _recording(sqs, "sqs"), [], _recording(s3, "s3")
    written = _recording(client, "dynamodb")
    target = FUNCTIONS[name]

    if name in WORKERS:
        event = target.event(IDS)
        answer = baseline.handle_worker(name, event, client, sqs, TABLE, QUEUE_URL, post=lambda *a: posted.append(a))
    else:
        ids = (CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID, CONTACT_ID)
        form = target.form() if isinstance(target, Endpoint) else None
        answer = baseline.handle(
            name, client, TABLE, OWNER, *ids, group_id=GROUP_ID, attachment_id=ATTACHMENT_ID, s3=s3, bucket=BUCKET,
            form=form,
        )  # fmt: skip

    expected = 204 if name.startswith("delete") else 200
    assert target.status(answer) == expected
    assert len(queued) == (1 if name == "webhook_events" else 0)
    assert len(posted) == (1 if name == "webhook_delivery" else 0)
    # An upload's file goes under the key of the record the baseline wrote.
    upload = written[0][1]["TransactItems"][0]["Put"]["Item"] if name == "create_attachment" else None
    assert files == _baseline_file_requests(name, upload)


def _active_contact(contact_id: str) -> dict[str, Any]:
    """A contact with a conversation, as DynamoDB holds it: in GSI1's partition of active contacts."""
    item = baseline.new_contact_item(OWNER, contact_id, baseline.bench_username(contact_id), 1_795_600_000)
    return {**item, "GSI1PK": {"S": f"OWNER#{OWNER}#CONTACTS#ACTIVE#1"}, "conversation_id": {"S": CONVERSATION_ID}}


@pytest.mark.parametrize("active", [True, False])
def test_the_baseline_lists_active_contacts_with_exactly_our_requests(active: bool) -> None:
    """The list the bench times is unfiltered; `active` reads GSI1's entries, then the page's
    items whole (the DynamoDB-work rows "list contacts active=..."), and the baseline can too."""
    stored = [
        _active_contact(f"1xWBJdS8u0Jns{n:03d}")
        if active
        else baseline.new_contact_item(OWNER, f"1xWBJdS8u0Jns{n:03d}", f"u{n}", 1_795_600_000)
        for n in range(11)
    ]
    entries = [{name: item[name] for name in ("PK", "SK", "GSI1PK")} for item in stored]
    answers: list[tuple[str, dict[str, Any]]] = [
        ("query", {"Items": entries}),
        ("batch_get_item", {"Responses": {TABLE: stored[:10]}}),
    ]
    client, dynamodb_stubber = stubbed("dynamodb", answers, 1)
    sqs, _ = stubbed("sqs", [], 1)
    query = f"active={str(active).lower()}&limit=10"

    ours, _ = _our_requests("list_contacts", client, sqs, target=replace(ROUTES["list_contacts"], raw_query=query))

    dynamodb_stubber.assert_no_pending_responses()
    page_keys = [{"PK": entry["PK"], "SK": entry["SK"]} for entry in entries]
    theirs = baseline.requests("list_contacts", TABLE, OWNER, "", now=1_795_600_000, active=active, page_keys=page_keys)
    assert [operation for operation, _ in ours] == ["Query", "BatchGetItem"]
    assert theirs == ours
