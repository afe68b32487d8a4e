"""The required stack of the workers with no application in it: Powertools' batch processing
(partial batch responses), Logger and Metrics, around the baseline's own requests for each
record. Like bench/floor.py, it loads none of this project's code but clarity/startup.py."""

import clarity.startup  # first, as in our functions: the collector pauses while the stack loads

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from bench import baseline

logger = Logger()
metrics = Metrics()
stream_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
queue_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_clients: dict[str, Any] = {}


def use_clients(dynamodb: Any, sqs: Any, table: str, queue_url: str, post: Any = baseline.post_delivery) -> None:
    """Serve from these clients (the warm bench's stubbed ones)."""
    _clients.update(dynamodb=dynamodb, sqs=sqs, table=table, queue_url=queue_url, post=post)


def _handle(worker: str, record: Any) -> None:
    if not _clients:
        endpoint_url = os.environ.get("DYNAMODB_ENDPOINT_URL") or None
        sqs_url = os.environ.get("SQS_ENDPOINT_URL") or None
        sqs = baseline.make_client(sqs_url, "sqs") if worker == "webhook_events" else None
        use_clients(baseline.make_client(endpoint_url), sqs, os.environ["TABLE_NAME"], os.environ["WEBHOOK_QUEUE_URL"])
    baseline.handle_worker(
        worker,
        {"Records": [record.raw_event]},
        _clients["dynamodb"],
        _clients["sqs"],
        _clients["table"],
        _clients["queue_url"],
        post=_clients["post"],
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if event["Records"][0].get("eventSource") == "aws:dynamodb":
        return process_partial_response(
            event=event,
            record_handler=lambda record: _handle("webhook_events", record),
            processor=stream_processor,
            context=context,
        )
    return process_partial_response(
        event=event,
        record_handler=lambda record: _handle("webhook_delivery", record),
        processor=queue_processor,
        context=context,
    )


# Loaded: as for our functions, the collector resumes (clarity/startup.py).
clarity.startup.initialised()
