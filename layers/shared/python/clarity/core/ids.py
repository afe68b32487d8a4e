"""Resource ids: 16 characters of [A-Za-z0-9], time-ordered, cryptographically random.

The first six characters are the creation second in base 62, so sorting ids sorts resources
by `created_at`; the other ten come from `secrets` (about 59 bits). Lists rely on this: the
table's sort keys end with the id.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from clarity.core.errors import Conflict, InvalidRequest, NotFound

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16
TIME_PREFIX_LENGTH = 6
ID_PATTERN = r"^[A-Za-z0-9]{16}$"
# ~59 random bits per second make a clash a near-impossible event: a couple of fresh draws is
# plenty, and more would hide a broken random source.
ID_DRAW_ATTEMPTS = 3

T = TypeVar("T")


class IdTaken(Exception):
    """A freshly drawn id is already stored; the caller draws another."""


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


def derived_id(created_at: int, seed: str) -> str:
    """An id in the same format whose random part is a hash of `seed`: the same seed gives the
    same id (a change event keeps its id however often its stream record is read)."""
    width = ID_LENGTH - TIME_PREFIX_LENGTH
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")
    return _base62(created_at, TIME_PREFIX_LENGTH) + _base62(digest % 62**width, width)


def existing_id(resource: str, resource_id: str) -> str:
    """An id from a path. Ids go into keys, so a malformed one (`abc#OWNER#...`) names nothing:
    a 404 before any read."""
    if not is_valid_id(resource_id):
        raise NotFound(resource, resource_id[:64])
    return resource_id


def checked_id(value: str, param: str) -> str:
    """An id given as a parameter: well-formed, or a 400 that names the parameter."""
    if not is_valid_id(value):
        raise InvalidRequest(f"{param} must be 16 characters of [A-Za-z0-9], got '{value[:64]}'", param)
    return value


def stored_under_fresh_id(created_at: int, store: Callable[[str], T], resource: str) -> T:
    """Draw an id and `store` the new resource under it, drawing again should the id be taken."""
    for _ in range(ID_DRAW_ATTEMPTS):
        try:
            return store(new_id(created_at))
        except IdTaken:
            continue
    raise Conflict(f"could not allocate a unique {resource} id; retry the request")
