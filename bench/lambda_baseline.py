"""The bare baseline as a Lambda function: cold starts in the Lambda image (bench/lambda_image.py).

Its DynamoDB client is made at import, as a bare handler's would be. An endpoint's event names the
endpoint and the ids its requests use; a worker's is the worker's own batch. So one function serves
every function's requests.
"""

import os
from typing import Any

from bench import baseline

client = baseline.make_client(os.environ.get("DYNAMODB_ENDPOINT_URL") or None)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("source") == "aws.events":  # the hourly schedule: the attachments' sweep
        return baseline.sweep(client, os.environ["TABLE_NAME"])
    if "Records" in event:  # a worker's batch: from the table's stream, or from the delivery queue
        from_stream = event["Records"][0].get("eventSource") == "aws:dynamodb"
        worker = "webhook_events" if from_stream else "webhook_delivery"
        sqs = baseline.make_client(os.environ.get("SQS_ENDPOINT_URL") or None, "sqs") if from_stream else None
        table, queue_url = os.environ["TABLE_NAME"], os.environ["WEBHOOK_QUEUE_URL"]
        return baseline.handle_worker(worker, event, client, sqs, table, queue_url)
    # Only attachments sign links: their S3 client is made on their first request, as ours is.
    s3 = (
        baseline.make_client(os.environ.get("S3_ENDPOINT_URL") or None, "s3")
        if event["endpoint"] in baseline.ATTACHMENT_ENDPOINTS
        else None
    )
    return baseline.handle(
        event["endpoint"],
        client,
        os.environ["TABLE_NAME"],
        event["owner"],
        event["conversation_id"],
        event["message_id"],
        event["webhook_id"],
        event["contact_id"],
        group_id=event["group_id"],
        attachment_id=event["attachment_id"],
        s3=s3,
        form=(event["form"][0].encode(), event["form"][1]) if event.get("form") else None,
        bucket=os.environ.get("ATTACHMENTS_BUCKET", ""),
    )
