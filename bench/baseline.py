"""The simplest handler that could serve each endpoint: boto3, one DynamoDB call, JSON out.

No validation, no logging, no tracing, no metrics: the floor our handlers are compared with.
"""

import json
import time
from typing import Any


def make_client(endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415 - importing boto3 is part of what the baseline's cold start pays

    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint_url)


def handle(endpoint: str, client: Any, table: str, owner: str, conversation_id: str) -> dict[str, Any]:
    key = {"PK": {"S": f"OWNER#{owner}"}, "SK": {"S": f"CONV#{conversation_id}"}}
    if endpoint == "list":
        response = client.query(
            TableName=table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": key["PK"], ":prefix": {"S": "CONV#"}},
            ScanIndexForward=False,
            Limit=11,
            ConsistentRead=True,
        )
        body: Any = {"has_more": False, "data": [item["SK"]["S"] for item in response["Items"]]}
    elif endpoint == "create":
        item = {**key, "id": {"S": conversation_id}, "created_at": {"N": str(int(time.time()))}}
        client.put_item(TableName=table, Item=item)
        body = {"id": conversation_id}
    elif endpoint in ("retrieve", "update"):
        response = client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET last_opened_at = :now",
            ExpressionAttributeValues={":now": {"N": str(int(time.time()))}},
            ReturnValues="ALL_NEW",
        )
        body = {"id": response["Attributes"]["SK"]["S"]}
    else:
        client.delete_item(TableName=table, Key=key)
        return {"statusCode": 204, "body": ""}
    return {"statusCode": 200, "body": json.dumps(body)}
