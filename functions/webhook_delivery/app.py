"""Delivers queued events to webhooks. A delivery to retry is hidden until its next attempt is
due and reported as failed (partial batch response), so SQS hands it out again then; the
others of the batch are done."""

from clarity.startup import initialised

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.core.observability import logger, metrics
from clarity.webhooks.delivery import Outcome
from clarity.webhooks.queue import Delivery
from clarity.wiring import webhook_delivery

# A batch whose deliveries all wait for a retry is not a crash: report them, don't raise
# (a raise would count as a function error and trip the failure alarm).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
METRIC_BY_OUTCOME = {
    Outcome.DELIVERED: "WebhookDelivered",
    Outcome.RETRY: "WebhookDeliveryRetried",
    Outcome.EXHAUSTED: "WebhookDeliveryDeadLettered",
    Outcome.DROPPED: "WebhookDeliveryDropped",
}


class RetryLater(Exception):
    """Not delivered yet: the message stays queued for its next attempt."""


def deliver(record: SQSRecord) -> None:
    delivery = Delivery.from_message(record.body)
    attempt = int(record.attributes.approximate_receive_count)
    result = webhook_delivery().handle(delivery, attempt, record.receipt_handle)
    details = {
        "event_id": delivery.event_id,
        "webhook_id": delivery.webhook_id,
        "attempt": attempt,
        "outcome": result.outcome.value,
        "status": result.status,
        "error": result.error,
    }
    metrics.add_metric(name=METRIC_BY_OUTCOME[result.outcome], unit=MetricUnit.Count, value=1)
    if result.outcome is Outcome.EXHAUSTED:
        logger.error("webhook delivery gave up: dead-lettered", extra=details)
    elif result.outcome is Outcome.RETRY:
        logger.warning("webhook delivery failed; will retry", extra={**details, "retry_in": result.retry_in_seconds})
        raise RetryLater(result.error)
    else:
        logger.info("webhook delivery", extra=details)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)


initialised()
