"""Shapes every resource shares in the API: ids, timestamps and the error body."""

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from clarity.core.ids import ID_PATTERN

# Unix seconds from 1970 up to the start of 2100: anything else is a client mistake.
MAX_TIMESTAMP = 4_102_444_800

ResourceId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="16 characters of [A-Za-z0-9].", examples=["WAz8eIbvDR60rouK"]),
]
Timestamp = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP, description="Unix time in seconds.")]
MAX_URL_LENGTH = 2048


def _absolute_web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an absolute http or https URL")
    return value


# A link the API stores and returns, and never fetches (an avatar): absolute http(s), bounded.
WebUrl = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH), AfterValidator(_absolute_web_url)]


class ErrorBody(BaseModel):
    """Every error the functions answer."""

    type: Literal["invalid_request", "api_error"] = Field(
        description="invalid_request: the request was wrong (4xx). api_error: the service failed (5xx)."
    )
    message: str = Field(description="What went wrong, naming the parameter or field at fault.")
    documentation_url: str = Field(description="Where the API's errors are documented.")
