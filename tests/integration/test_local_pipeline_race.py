"""The local pipeline never reads the stream in the middle of a function's transaction.

moto applies a transaction's writes, then, should a condition fail, swaps the table and its stream
back. `make run` reads the stream on a thread of its own: a read in between handed on a write
that never happened (a contact whose username was taken), and the sequence number reused after
the swap hid the next real write. The read now waits for the lock the functions run under."""

import threading
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository
from clarity.core.errors import Conflict
from clarity.store.dynamodb import Table
from devtools.webhook_pipeline import LocalPipeline, moto_stream_trimmer
from tests.support import TABLE_NAME, moto_table_and_queues, stream_client

# How long the transaction, once its first write is in, waits for a read to sneak in.
WINDOW_SECONDS = 0.5


def _contact(contact_id: str, username: str) -> Contact:
    return Contact(
        id=contact_id,
        username=username,
        phone_number="1-800-759-3000",
        avatar_url=None,
        display_name=None,
        conversation_id=None,
        last_active_at=None,
        created_at=1_700_000_000,
    )


@pytest.mark.parametrize("locked", [True, False], ids=["with the functions' lock", "without it"])
def test_a_read_waits_for_a_transaction_that_is_then_cancelled(monkeypatch: pytest.MonkeyPatch, locked: bool) -> None:
    handed: list[tuple[str, str]] = []

    def events(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        handed.extend((r["eventName"], r["dynamodb"]["Keys"]["SK"]["S"]) for r in event["Records"])
        return {"batchItemFailures": []}

    functions_lock = threading.Lock()
    with moto_table_and_queues() as (client, queues):
        pipeline = LocalPipeline(
            dynamodb=client,
            streams=stream_client(),
            sqs=queues.sqs,
            table_name=TABLE_NAME,
            queue_url=queues.delivery_url,
            events_handler=events,
            delivery_handler=lambda *_: {"batchItemFailures": []},
            trim=moto_stream_trimmer(TABLE_NAME),
            read_lock=functions_lock if locked else None,
        )
        contacts = ContactRepository(Table(client, TABLE_NAME))
        contacts.create("alice", _contact("A000000000000001", "Frank"))
        pipeline.pump_stream()

        # Given the pipeline's thread, ready to read the moment a second create's contact is put
        mid_transaction, read_done = threading.Event(), threading.Event()

        def read_when_asked() -> None:
            mid_transaction.wait(timeout=10)
            pipeline.pump_stream()
            read_done.set()

        reader = threading.Thread(target=read_when_asked)
        reader.start()
        original_put = DynamoDBBackend.put_item
        read_inside: list[bool] = []

        def put_then_let_the_reader_in(self: Any, table_name: str, item: dict[str, Any], *args: Any, **kw: Any) -> Any:
            result = original_put(self, table_name, item, *args, **kw)
            if item["SK"]["S"] == "CONTACT#A000000000000002":
                mid_transaction.set()
                read_inside.append(read_done.wait(timeout=WINDOW_SECONDS))
            return result

        monkeypatch.setattr(DynamoDBBackend, "put_item", put_then_let_the_reader_in)

        # When that create runs as a function does, under the lock, and its taken username cancels it
        with functions_lock, pytest.raises(Conflict):
            contacts.create("alice", _contact("A000000000000002", "FRANK"))
        monkeypatch.setattr(DynamoDBBackend, "put_item", original_put)
        reader.join(timeout=10)
        contacts.create("alice", _contact("A000000000000003", "Kevin"))
        pipeline.pump_stream()

    # Then, with the lock, the read waited: nothing of the cancelled create, nothing lost
    expected = [
        ("INSERT", "CONTACT#A000000000000001"),
        ("INSERT", "USERNAME#frank"),
        ("INSERT", "CONTACT#A000000000000003"),
        ("INSERT", "USERNAME#kevin"),
    ]
    if locked:
        assert read_inside == [False]
        assert handed == expected
    else:
        # Without it, the read lands inside the transaction: what the lock is for
        assert read_inside == [True]
        assert handed != expected
