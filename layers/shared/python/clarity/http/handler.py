"""The Lambda entry point every function exposes, wrapped in Powertools' Logger and Metrics."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.core.observability import logger, metrics
from clarity.http.resolver import ApiResolver

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def lambda_handler_for(app: ApiResolver) -> LambdaHandler:
    """The function's handler; called last in its module, when the function has loaded."""

    @logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    decorated: LambdaHandler = lambda_handler
    # Imported here: only a function, which imports clarity.startup first, pauses the collector.
    from clarity.startup import initialised  # noqa: PLC0415

    initialised()
    return decorated
