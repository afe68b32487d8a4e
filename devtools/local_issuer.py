"""A local stand-in for the JWT issuer (Cognito, or any OIDC provider) that API Gateway trusts.

Its signing secret (HS256) is made on first use and kept in .local/ (git-ignored). `make token SUB=alice`
prints a token for owner `alice`; the local server and `sam local` functions verify it.
"""

import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import jwt

from clarity.core.settings import LOCAL_AUDIENCE_DEFAULT, LOCAL_ISSUER_DEFAULT
from clarity.core.settings import LocalIssuer as IssuerSettings
from clarity.http.auth import verify_token
from devtools.template import ROOT

KEY_DIRECTORY = Path(os.environ.get("LOCAL_KEY_DIR", ROOT / ".local"))
SECRET_FILE = "jwt-secret"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32
TOKEN_LIFETIME_SECONDS = 24 * 3600


class LocalIssuer:
    def __init__(self, key_directory: Path = KEY_DIRECTORY) -> None:
        self.secret = _load_or_create_secret(key_directory / SECRET_FILE)
        self.issuer = LOCAL_ISSUER_DEFAULT
        self.audience = LOCAL_AUDIENCE_DEFAULT

    def token(self, sub: str, lifetime_seconds: int = TOKEN_LIFETIME_SECONDS) -> str:
        now = int(time.time())
        claims = {"sub": sub, "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + lifetime_seconds}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    @property
    def settings(self) -> IssuerSettings:
        """What a verifier needs: the same settings `sam local` functions get."""
        return IssuerSettings(secret=self.secret, issuer=self.issuer, audience=self.audience)

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this issuer signed; Unauthenticated otherwise."""
        return verify_token(token, self.settings)


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written once and atomically, so parallel first runs agree on one secret.
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(secrets.token_hex(SECRET_BYTES), encoding="ascii")
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _load_or_create_secret(path)


def main() -> None:
    sub = sys.argv[1] if len(sys.argv) > 1 else "alice"
    print(LocalIssuer().token(sub))  # noqa: T201 - the token is the output


if __name__ == "__main__":
    main()
