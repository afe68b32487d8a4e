"""Test settings: dummy AWS credentials, a fixed region, and Powertools quiet and offline."""

import os

# Set before any handler module (and its Powertools objects) is imported.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "conversations-test",
        "POWERTOOLS_SERVICE_NAME": "conversations",
        "POWERTOOLS_METRICS_NAMESPACE": "ClarityConversationsTest",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_DEV": "false",
    }
)
os.environ.pop("AWS_SAM_LOCAL", None)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
os.environ.pop("ERRORS_DOCUMENTATION_URL", None)
