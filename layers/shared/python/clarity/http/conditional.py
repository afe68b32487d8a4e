"""ETag and If-Match: optimistic concurrency for PUT and DELETE."""

import re
from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from clarity.core.errors import InvalidRequest
from clarity.core.versioned import Versioned

_ETAG = re.compile(r'"(\d{1,18})"')
IF_MATCH_PATTERN = r'^(\*|"\d{1,18}")$'

IfMatch = Annotated[
    str | None,
    Header(description='The ETag of the version you read, e.g. "3": the change applies only to it, else 412.'),
]


def expected_version(if_match: str | None) -> int | None:
    """The version If-Match names; None when absent or `*` (any version of an existing resource)."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _ETAG.fullmatch(if_match.strip())
    if found is None:
        raise InvalidRequest('If-Match must be one ETag from this API, like "3"', "If-Match")
    return int(found.group(1))


ResourceT = TypeVar("ResourceT")


def versioned_response(
    versioned: Versioned[ResourceT], status_code: int = 200, headers: dict[str, str] | None = None
) -> Response[ResourceT]:
    """A resource as the body, with its ETag."""
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=versioned.resource,
        headers={"ETag": versioned.etag, **(headers or {})},
    )
