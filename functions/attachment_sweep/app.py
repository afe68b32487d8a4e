"""Every hour (an EventBridge schedule): settle the uploads that have waited a day for their
files (a direct upload whose file came is confirmed; any other goes, with its count), and delete
whatever the expired forms of removed direct uploads stored."""

from clarity.startup import initialised

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.core.observability import logger, metrics
from clarity.wiring import attachment_service


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    swept = asdict(attachment_service().sweep())
    logger.info("attachments swept", extra=swept)
    metrics.add_metric(name="AttachmentsExpired", unit=MetricUnit.Count, value=swept["removed"])
    metrics.add_metric(name="AttachmentsConfirmedBySweep", unit=MetricUnit.Count, value=swept["confirmed"])
    metrics.add_metric(name="RemovedUploadFilesDeleted", unit=MetricUnit.Count, value=swept["removed_files"])
    return swept


initialised()
