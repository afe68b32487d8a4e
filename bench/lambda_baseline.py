"""The bare baseline as a Lambda function: cold starts in the Lambda image (bench/lambda_image.py).

Its client is made at import, as a bare handler's would be. The event names the endpoint and the
ids its requests use, so one function serves every endpoint with exactly that endpoint's requests.
"""

import os
from typing import Any

from bench import baseline

client = baseline.make_client(os.environ.get("DYNAMODB_ENDPOINT_URL") or None)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return baseline.handle(
        event["endpoint"],
        client,
        os.environ["TABLE_NAME"],
        event["owner"],
        event["conversation_id"],
        event["message_id"],
        event["webhook_id"],
    )
