"""The webhook pipeline on one machine: what Lambda's event source mappings do on AWS.

It reads the local table's stream and hands the records to WebhookEventsFunction, in the
event format Lambda uses, then receives the delivery queue and hands its messages to
WebhookDeliveryFunction. Partial-batch answers are honoured as Lambda honours them: a failed
stream record is retried from where it failed, a failed queue message stays queued (its next
attempt is due when the function's visibility timeout runs out), the others are deleted.

`make run` runs it on background threads; tests call `pump` to move it one step at a time. The
same threads stand in for the attachment sweep's hourly schedule (every SWEEP_SECONDS).
"""

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from devtools.lambda_context import LocalLambdaContext
from devtools.template import import_function

log = logging.getLogger("webhooks")
# How often `make run` sweeps direct uploads never completed (hourly on AWS; a local session is short).
SWEEP_SECONDS = 60.0

STREAM_BATCH_SIZE = 100  # template.yaml: the stream's BatchSize
QUEUE_BATCH_SIZE = 5  # template.yaml: the queue's BatchSize
STREAM_RETRY_ATTEMPTS = 3  # then the records go where the template's OnFailure sends them: here, the log

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def queue_names(table_name: str) -> tuple[str, str]:
    """The local delivery queue and its dead-letter queue for a table."""
    return f"{table_name}-webhook-deliveries", f"{table_name}-webhook-dead-letters"


def create_queues(sqs: Any, table_name: str) -> tuple[str, str]:
    """Create (or find) the local queues; their URLs."""
    delivery, dead_letters = queue_names(table_name)
    return (
        sqs.create_queue(QueueName=delivery, Attributes={"VisibilityTimeout": "30"})["QueueUrl"],
        sqs.create_queue(QueueName=dead_letters)["QueueUrl"],
    )


def moto_stream_trimmer(table_name: str, region: str = "us-east-1") -> Callable[[str], None]:
    """Drop the stream records the pipeline has handed on, in moto's in-process backend.

    moto keeps every stream record, and copies the whole table, stream included, before each
    transaction: without this, every send gets slower the longer `make run` runs. Sequence
    numbers stay as they were (moto numbers a record by its place after the first one kept).
    """
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415 - moto is a local-only dependency
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    def trim(last_handed_on: str) -> None:
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.get(table_name)
        shard = table.stream_shard if table is not None else None
        if shard is None:
            return
        consumed = int(last_handed_on) + 1 - shard.starting_sequence_number
        if consumed > 0:
            del shard.items[:consumed]
            shard.starting_sequence_number += consumed

    return trim


def lambda_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):  # boto3 parses it; Lambda passes epoch seconds
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


def _lambda_queue_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


def _failed_ids(response: dict[str, Any] | None) -> set[str]:
    return {str(failure["itemIdentifier"]) for failure in (response or {}).get("batchItemFailures", [])}


class LocalPipeline:
    def __init__(
        self,
        *,
        dynamodb: Any,
        streams: Any,
        sqs: Any,
        table_name: str,
        queue_url: str,
        events_handler: Handler | None = None,
        delivery_handler: Handler | None = None,
        trim: Callable[[str], None] | None = None,
        read_lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self._streams = streams
        # Held while the stream is read. moto applies a transaction's writes, then, should it be
        # cancelled, swaps the table and its stream back: a read in between would hand on
        # writes that never happened, and the sequence numbers reused after the swap would
        # hide the next real one. The local gateway runs functions under the same lock.
        self._read_lock = read_lock or nullcontext()
        self._sqs = sqs
        self._queue_url = queue_url
        self.stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._events = events_handler or import_function("WebhookEventsFunction")
        self._deliver = delivery_handler or import_function("WebhookDeliveryFunction")
        self._sweep = import_function("AttachmentSweepFunction")
        self._trim = trim
        self._last_read: dict[str, str] = {}  # shard id -> sequence number of the last record handed on
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def pump_stream(self) -> int:
        """Hand every new stream record to the events function; how many there were."""
        handed = 0
        for shard in self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            # A fresh iterator each time, from the last record read: moto swaps in a copy of the
            # table (and of its stream) when a transaction is cancelled, and an old iterator
            # would go on reading the discarded copy, cancelled writes included.
            where: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
            if shard_id in self._last_read:
                where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._last_read[shard_id]}
            with self._read_lock:
                iterator = self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **where)
                response = self._streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=STREAM_BATCH_SIZE)
            records = [lambda_stream_record(record, self.stream_arn) for record in response["Records"]]
            if records:
                self._hand_stream_batch(records)
                self._last_read[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                if self._trim is not None:
                    self._trim(self._last_read[shard_id])
                handed += len(records)
        return handed

    def _hand_stream_batch(self, records: list[dict[str, Any]]) -> None:
        failed: set[str] = set()
        for _ in range(STREAM_RETRY_ATTEMPTS):
            try:
                response = self._events({"Records": records}, LocalLambdaContext("WebhookEventsFunction"))
            except Exception:  # a function error: Lambda retries the whole batch
                log.exception("the stream function failed")
                response = {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records]}
            failed = _failed_ids(response)
            if not failed:
                return
            # Lambda retries from the first failed record: the ones before it are done.
            first = min(index for index, record in enumerate(records) if record["dynamodb"]["SequenceNumber"] in failed)
            records = records[first:]
        log.error("stream records failed %d times; dropped: %s", STREAM_RETRY_ATTEMPTS, sorted(failed))

    def pump_queue(self, wait_seconds: int = 0) -> int:
        """Hand the deliveries that are due to the delivery function; how many there were."""
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=QUEUE_BATCH_SIZE,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        records = [_lambda_queue_record(message, self._queue_arn) for message in messages]
        failed = _failed_ids(self._deliver({"Records": records}, LocalLambdaContext("WebhookDeliveryFunction")))
        done = [
            {"Id": str(number), "ReceiptHandle": record["receiptHandle"]}
            for number, record in enumerate(records)
            if record["messageId"] not in failed
        ]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=done)
        return len(records)

    def pump(self) -> int:
        """One step of both: what moved."""
        return self.pump_stream() + self.pump_queue()

    def sweep(self) -> int:
        """What the hourly schedule does on AWS: remove the direct uploads never completed."""
        with self._read_lock:
            result = self._sweep({}, LocalLambdaContext("AttachmentSweepFunction"))
        removed: int = result["removed"]
        return removed

    def start(self, interval_seconds: float = 0.1) -> None:
        """Run both on threads of their own until `stop`."""

        def loop(step: Callable[[], int]) -> None:
            while not self._stop.is_set():
                try:
                    moved = step()
                except Exception:  # keep the local pipeline alive: Lambda would retry too
                    log.exception("webhook pipeline step failed")
                    moved = 0
                if not moved:
                    self._stop.wait(interval_seconds)

        def every(seconds: float, step: Callable[[], int]) -> None:
            while not self._stop.wait(seconds):
                try:
                    step()
                except Exception:
                    log.exception("attachment sweep failed")

        self._threads = [
            threading.Thread(target=loop, args=(self.pump_stream,), name="stream", daemon=True),
            threading.Thread(target=loop, args=(self.pump_queue,), name="deliveries", daemon=True),
            threading.Thread(target=every, args=(SWEEP_SECONDS, self.sweep), name="sweep", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)
