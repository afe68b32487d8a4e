"""The table's change stream: turns each record into its event and queues one delivery per
subscribed webhook. A record that fails is reported alone (partial batch response), so Lambda
retries from it without holding back the rest."""

from clarity.startup import initialised

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.core.observability import logger, metrics
from clarity.wiring import webhook_fanout

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def publish(record: DynamoDBRecord) -> None:
    event = webhook_fanout().publish_record(record.raw_event)
    if event is not None:
        logger.info("change event", extra={"event_id": event.id, "event_type": event.type.value})
        metrics.add_metric(name="ChangeEvent", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=publish, processor=processor, context=context)


initialised()
