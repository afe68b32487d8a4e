"""Conversation ids: 16 characters of [A-Za-z0-9], time-ordered, cryptographically random.

The first six characters are the creation second in base 62, so sorting ids sorts
conversations by `created_at`; the other ten come from `secrets` (about 59 bits).
The list endpoint relies on this: the table's sort key is the id.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16
TIME_PREFIX_LENGTH = 6
ID_PATTERN = r"^[A-Za-z0-9]{16}$"
_ID_RE = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.fullmatch(value))


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    if number:
        raise ValueError("number does not fit in the requested width")
    return "".join(reversed(digits))


def new_id(created_at: int) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH - TIME_PREFIX_LENGTH))
    return _base62(created_at, TIME_PREFIX_LENGTH) + random_part
