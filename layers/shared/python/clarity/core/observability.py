"""Powertools Logger, Tracer and Metrics, shared by every function of the API.

The service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, set in template.yaml's Globals.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
# Only botocore is traced: patching every library X-Ray knows (requests, httplib, ...) costs
# cold-start time and traces nothing this API uses.
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()
