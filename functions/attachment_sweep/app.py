"""Every hour (an EventBridge schedule): remove the direct uploads whose files never came, once
they have waited a day, with any file that came too late."""

from clarity.startup import initialised

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.core.observability import logger, metrics
from clarity.wiring import attachment_service


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    removed = attachment_service().sweep()
    logger.info("expired attachments removed", extra={"removed": removed})
    metrics.add_metric(name="AttachmentsExpired", unit=MetricUnit.Count, value=removed)
    return {"removed": removed}


initialised()
