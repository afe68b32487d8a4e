"""Configuration, read from the environment once per container."""

import os
from dataclasses import dataclass

from clarity.core.errors import ApiError

LOCAL_ISSUER_DEFAULT = "http://127.0.0.1/local-issuer"
LOCAL_AUDIENCE_DEFAULT = "conversations-local"


class MissingSetting(ApiError):
    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is required but not set")


@dataclass(frozen=True)
class LocalIssuer:
    """The local token issuer that `sam local` functions verify tokens against themselves."""

    public_key_pem: str
    issuer: str
    audience: str


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
        )


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSetting(name)
    return value


def _local_issuer() -> LocalIssuer:
    # Env-vars files carry the PEM on one line with literal \n.
    return LocalIssuer(
        public_key_pem=_required("LOCAL_JWT_PUBLIC_KEY").replace("\\n", "\n"),
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


def use_settings(settings: Settings | None) -> None:
    """Install settings (tests, local server); None reads them from the environment again."""
    global _current  # noqa: PLW0603
    _current = settings
