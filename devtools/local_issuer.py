"""A local stand-in for the JWT issuer (Cognito, or any OIDC provider) that API Gateway trusts.

Its RSA key is made on first use and kept in .local/ (git-ignored). `make token SUB=alice`
prints a token for owner `alice`; the local server and `sam local` functions verify it.
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clarity.core.settings import LOCAL_AUDIENCE_DEFAULT, LOCAL_ISSUER_DEFAULT
from clarity.core.settings import LocalIssuer as IssuerSettings
from clarity.http.auth import verify_token
from devtools.template import ROOT

KEY_DIRECTORY = Path(os.environ.get("LOCAL_KEY_DIR", ROOT / ".local"))
PRIVATE_KEY_FILE = "jwt-private-key.pem"
TOKEN_LIFETIME_SECONDS = 24 * 3600


class LocalIssuer:
    def __init__(self, key_directory: Path = KEY_DIRECTORY) -> None:
        self._private_key = _load_or_create_key(key_directory / PRIVATE_KEY_FILE)
        self.issuer = LOCAL_ISSUER_DEFAULT
        self.audience = LOCAL_AUDIENCE_DEFAULT

    @property
    def public_key_pem(self) -> str:
        return (
            self._private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def token(self, sub: str, lifetime_seconds: int = TOKEN_LIFETIME_SECONDS) -> str:
        now = int(time.time())
        claims = {"sub": sub, "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + lifetime_seconds}
        return jwt.encode(claims, self._private_key, algorithm="RS256")

    @property
    def settings(self) -> IssuerSettings:
        """What a verifier needs: the same settings `sam local` functions get."""
        return IssuerSettings(public_key_pem=self.public_key_pem, issuer=self.issuer, audience=self.audience)

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this issuer signed; Unauthenticated otherwise."""
        return verify_token(token, self.settings)


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError(f"{path} does not hold an RSA private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Written once and atomically, so parallel first runs agree on one key.
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pem)
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _load_or_create_key(path)


def main() -> None:
    sub = sys.argv[1] if len(sys.argv) > 1 else "alice"
    print(LocalIssuer().token(sub))  # noqa: T201 - the token is the output


if __name__ == "__main__":
    main()
