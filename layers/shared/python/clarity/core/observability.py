"""Powertools Logger and Metrics, shared by every function of the API.

The service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, set in template.yaml's Globals.

No tracer: Lambda's active tracing (`Tracing: Active`) records each invocation's segment with no
SDK in the function. The X-Ray SDK, which Powertools' Tracer wraps, is in maintenance mode (end
of support 2027-02-25) and cost every cold start and every DynamoDB call. The Logger still puts
the invocation's trace id in every log line (`xray_trace_id`), so logs and traces join up.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
