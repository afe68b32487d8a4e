"""Configuration, read from the environment once per container."""

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from clarity.core.errors import ApiError

LOCAL_ISSUER_DEFAULT = "http://127.0.0.1/local-issuer"
LOCAL_AUDIENCE_DEFAULT = "conversations-local"
# Every error body links here. The default is the page `make run` serves on its default port;
# a deployment sets the template's ErrorsDocumentationUrl to wherever docs/errors.md is published.
ERRORS_DOCUMENTATION_VARIABLE = "ERRORS_DOCUMENTATION_URL"
ERRORS_DOCUMENTATION_URL_DEFAULT = "http://127.0.0.1:3000/docs/errors"
# A contact's phone number without a leading + is read in this region (ISO 3166 alpha-2).
PHONE_DEFAULT_REGION_DEFAULT = "US"


class MissingSetting(ApiError):
    def __init__(self, name: str, problem: str = "is required but not set") -> None:
        super().__init__(f"environment variable {name} {problem}")


@dataclass(frozen=True)
class LocalIssuer:
    """The local token issuer that `sam local` functions verify tokens against themselves.

    Its tokens are HS256: verifying them needs only the standard library's HMAC, so the layer
    deployed to AWS (where API Gateway's authorizer checks tokens) carries no crypto library."""

    secret: str
    issuer: str
    audience: str


@dataclass(frozen=True)
class WebhookSettings:
    """Where deliveries queue, where webhooks may point, and how retries are spaced.

    `destinations` is "public" on AWS (https to public addresses only) and "loopback" in local
    runs (http or https to this machine only). The retry defaults are AWS's; local runs
    compress them to seconds."""

    queue_url: str | None = None
    dead_letter_queue_url: str | None = None
    sqs_endpoint_url: str | None = None
    destinations: str = "public"
    retry_base_seconds: float = 60
    retry_cap_seconds: float = 11 * 60 * 60
    max_attempts: int = 8
    timeout_seconds: float = 10

    @classmethod
    def from_environment(cls) -> "WebhookSettings":
        defaults = cls()
        return cls(
            queue_url=os.environ.get("WEBHOOK_QUEUE_URL") or None,
            dead_letter_queue_url=os.environ.get("WEBHOOK_DEAD_LETTER_QUEUE_URL") or None,
            sqs_endpoint_url=os.environ.get("SQS_ENDPOINT_URL") or None,
            destinations=_one_of("WEBHOOK_DESTINATIONS", ("public", "loopback"), defaults.destinations),
            retry_base_seconds=_number("WEBHOOK_RETRY_BASE_SECONDS", defaults.retry_base_seconds),
            retry_cap_seconds=_number("WEBHOOK_RETRY_CAP_SECONDS", defaults.retry_cap_seconds),
            max_attempts=int(_number("WEBHOOK_MAX_ATTEMPTS", defaults.max_attempts)),
            timeout_seconds=_number("WEBHOOK_TIMEOUT_SECONDS", defaults.timeout_seconds),
        )


@dataclass(frozen=True)
class AttachmentSettings:
    """Where attachments' files live, how long a download link lasts, and how much may be stored.

    `max_upload_bytes` is what one upload through the API may carry (a request reaches a function
    base64-encoded, within Lambda's 6 MB); `max_direct_upload_bytes` what one file sent straight to
    S3 may be; `quota_bytes` what one owner may store in all. `link_seconds` is how long a download
    link, or a direct upload's form, stays valid."""

    bucket: str | None = None
    s3_endpoint_url: str | None = None
    link_seconds: int = 3600
    max_upload_bytes: int = 4 * 1024 * 1024
    max_direct_upload_bytes: int = 100 * 1024 * 1024
    # How long a record waits for its file (a direct upload's) before the sweep removes it.
    waiting_seconds: int = 24 * 60 * 60
    quota_bytes: int = 1024**3

    @classmethod
    def from_environment(cls) -> "AttachmentSettings":
        defaults = cls()
        return cls(
            bucket=os.environ.get("ATTACHMENTS_BUCKET") or None,
            s3_endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
            link_seconds=int(_number("ATTACHMENT_LINK_SECONDS", defaults.link_seconds)),
            max_upload_bytes=int(_number("ATTACHMENT_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
            max_direct_upload_bytes=int(
                _number("ATTACHMENT_MAX_DIRECT_UPLOAD_BYTES", defaults.max_direct_upload_bytes)
            ),
            waiting_seconds=int(_number("ATTACHMENT_WAITING_SECONDS", defaults.waiting_seconds)),
            quota_bytes=int(_number("ATTACHMENT_QUOTA_BYTES", defaults.quota_bytes)),
        )


@dataclass(frozen=True)
class Settings:
    table_name: str
    # Set locally to use moto's server or another DynamoDB-compatible endpoint.
    dynamodb_endpoint_url: str | None
    region: str
    # Only the create function has one: where Idempotency-Key records live.
    idempotency_table_name: str | None
    # Only under `sam local` (AWS_SAM_LOCAL), where API Gateway's JWT authorizer does not run.
    local_issuer: LocalIssuer | None
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    # The documentation_url of every error body.
    errors_documentation_url: str = ERRORS_DOCUMENTATION_URL_DEFAULT
    # Where a contact's phone number without a leading + is read (clarity.contacts.phone_numbers
    # checks the library knows it, so no other function loads the library).
    phone_default_region: str = PHONE_DEFAULT_REGION_DEFAULT
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)

    @classmethod
    def for_table(cls, table_name: str, region: str = "us-east-1") -> "Settings":
        """Settings for one table and nothing else: tests, the bench and tools that bring a client."""
        return cls(
            table_name, dynamodb_endpoint_url=None, region=region, idempotency_table_name=None, local_issuer=None
        )

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            table_name=_required("TABLE_NAME"),
            dynamodb_endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            idempotency_table_name=os.environ.get("IDEMPOTENCY_TABLE_NAME") or None,
            local_issuer=_local_issuer() if os.environ.get("AWS_SAM_LOCAL") else None,
            webhooks=WebhookSettings.from_environment(),
            errors_documentation_url=_errors_documentation_url(),
            phone_default_region=_region("PHONE_DEFAULT_REGION", PHONE_DEFAULT_REGION_DEFAULT),
            attachments=AttachmentSettings.from_environment(),
        )


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSetting(name)
    return value


def _one_of(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise MissingSetting(name, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


def _region(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    if len(value) != 2 or not (value.isascii() and value.isalpha() and value.isupper()):
        raise MissingSetting(name, f"must be a two-letter region code such as US, not {value!r}")
    return value


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as error:
        raise MissingSetting(name, f"must be a number, not {value!r}") from error


def _errors_documentation_url() -> str:
    value = os.environ.get(ERRORS_DOCUMENTATION_VARIABLE) or ERRORS_DOCUMENTATION_URL_DEFAULT
    if not _is_absolute_http_url(value):
        raise MissingSetting(ERRORS_DOCUMENTATION_VARIABLE, f"must be an absolute http or https URL, not {value!r}")
    return value


def _is_absolute_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _local_issuer() -> LocalIssuer:
    return LocalIssuer(
        secret=_required("LOCAL_JWT_SECRET"),
        issuer=os.environ.get("LOCAL_JWT_ISSUER") or LOCAL_ISSUER_DEFAULT,
        audience=os.environ.get("LOCAL_JWT_AUDIENCE") or LOCAL_AUDIENCE_DEFAULT,
    )


_current: Settings | None = None


def current_settings() -> Settings:
    """This container's settings, read from the environment on first use."""
    global _current  # noqa: PLW0603 - read once per container is the point
    if _current is None:
        _current = Settings.from_environment()
    return _current


def errors_documentation_url() -> str:
    """The link every error body carries, even the error that says the settings are broken."""
    try:
        return current_settings().errors_documentation_url
    except MissingSetting:
        # Another setting failed to load: this one may still be good on its own.
        value = os.environ.get(ERRORS_DOCUMENTATION_VARIABLE) or ""
        return value if _is_absolute_http_url(value) else ERRORS_DOCUMENTATION_URL_DEFAULT


def use_settings(settings: Settings | None) -> None:
    """Install settings (tests, local server); None reads them from the environment again."""
    global _current  # noqa: PLW0603
    _current = settings
