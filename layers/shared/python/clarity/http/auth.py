"""Who is calling: the `sub` claim that API Gateway's JWT authorizer verified.

`sam local start-api` runs no authorizer, so there (Settings.local_issuer is set) the function
verifies the bearer token itself with the local issuer's secret (HS256). An unverified token is
never trusted.
"""

from collections.abc import Mapping
from typing import Any

from clarity.core.errors import Unauthenticated
from clarity.core.settings import LocalIssuer

MAX_OWNER_LENGTH = 255


def _authorizer_claims(event: dict[str, Any]) -> dict[str, Any]:
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    return claims if isinstance(claims, dict) else {}


def header_value(headers: Mapping[str, str] | None, name: str) -> str:
    """A header's value by case-insensitive name ("" when absent): HTTP names are case-blind."""
    wanted = name.lower()
    return next((value for key, value in (headers or {}).items() if key.lower() == wanted), "")


def bearer_token(headers: Mapping[str, str] | None) -> str:
    scheme, _, token = header_value(headers, "authorization").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required")
    return token.strip()


def verify_token(token: str, issuer: LocalIssuer) -> dict[str, Any]:
    """Signature, expiry, issuer and audience, as API Gateway's JWT authorizer checks them."""
    import jwt  # noqa: PLC0415 - only sam local pays for importing the JWT library

    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            issuer.secret,
            algorithms=["HS256"],
            audience=issuer.audience,
            issuer=issuer.issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"the bearer token is not valid: {error}") from error
    return claims


def owner_of(event: dict[str, Any], local_issuer: LocalIssuer | None) -> str:
    """The caller's owner id; Unauthenticated before anything is read."""
    if local_issuer is not None:
        claims = verify_token(bearer_token(event.get("headers")), local_issuer)
    else:
        claims = _authorizer_claims(event)
    owner = claims.get("sub")
    if not isinstance(owner, str) or not owner.strip() or len(owner) > MAX_OWNER_LENGTH:
        raise Unauthenticated("the request carries no valid identity (sub claim)")
    return owner
