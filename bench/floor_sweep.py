"""The required stack of a scheduled worker with no application in it: Logger and Metrics around
the baseline's own sweep. Like bench/floor.py, it loads none of this project's code but
clarity/startup.py."""

import clarity.startup  # first, as in our functions: the collector pauses while the stack loads

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from bench import baseline

logger = Logger()
metrics = Metrics()
_clients: dict[str, Any] = {}


def use_client(dynamodb: Any, table: str) -> None:
    """Sweep with this client and table (the warm bench's stubbed client)."""
    _clients.update(dynamodb=dynamodb, table=table)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    if not _clients:
        use_client(baseline.make_client(os.environ.get("DYNAMODB_ENDPOINT_URL") or None), os.environ["TABLE_NAME"])
    return baseline.sweep(_clients["dynamodb"], _clients["table"])


# Loaded: as for our functions, the collector resumes (clarity/startup.py).
clarity.startup.initialised()
