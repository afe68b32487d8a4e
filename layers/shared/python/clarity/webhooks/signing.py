"""Webhook secrets and signatures: the hex HMAC-SHA256 of the raw body, keyed with the secret.

That is the reference's scheme, so its sample receivers verify Clarity's requests unchanged.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "x-clarity-signature"
EVENT_ID_HEADER = "x-clarity-event-id"
ATTEMPT_HEADER = "x-clarity-delivery-attempt"
# The ETag of the object in the payload, as GET would give it: order events of one object by it.
OBJECT_ETAG_HEADER = "x-clarity-object-etag"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """32 random bytes, URL-safe base64: 49 characters with the prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_signed_by(secret: str, body: bytes, given: str) -> bool:
    """Compare in constant time (the reference's samples use ==, which leaks timing)."""
    return hmac.compare_digest(signature(secret, body), given.strip().lower())
