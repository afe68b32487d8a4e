"""Resource ids: 16 characters of [A-Za-z0-9], in creation order, then cryptographically random.

The first eight characters are the creation tick in base 62 (clarity.core.clock): six for the
second, two for the position within it. Sorting ids sorts resources in the order they were
created, not only by `created_at`; lists rely on this, as the table's sort keys end with the id.
The other eight characters come from `secrets` (about 47 bits): two writers on different
instances may take the same tick.

Ids made before ticks had ten random characters after the second; they still sort by second
among these.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from clarity.core.clock import TICKS_PER_SECOND, Clock, TickBehind, second_of
from clarity.core.errors import Conflict, InvalidRequest, NotFound, ServiceUnavailable

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16
TICK_LENGTH = 8
RANDOM_LENGTH = ID_LENGTH - TICK_LENGTH
ID_PATTERN = r"^[A-Za-z0-9]{16}$"
# ~47 random bits per tick make a clash a near-impossible event: a couple of fresh draws is
# plenty, and more would hide a broken random source.
ID_DRAW_ATTEMPTS = 3
# A create that must follow a stored tick loses only to a create that stored a later one
# meanwhile (the same conversation's sends racing); past this many in a row, the client retries.
ORDER_ATTEMPTS = 10

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


def tick_prefix(tick: int) -> str:
    """What every id made at `tick` starts with: ids made earlier sort before it."""
    return _base62(tick, TICK_LENGTH)


def new_id(tick: int) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _base62(tick, TICK_LENGTH) + random_part


def tick_of(resource_id: str) -> int:
    """The tick an id was made at (an id made before ticks reads as some tick of its second)."""
    tick = 0
    for character in resource_id[:TICK_LENGTH]:
        tick = tick * 62 + ALPHABET.index(character)
    return tick


def derived_id(created_at: int, seed: str) -> str:
    """An id in the same format, at the start of second `created_at`, whose random part is a hash
    of `seed`: the same seed gives the same id (a change event keeps its id however often its
    stream record is read)."""
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")
    return _base62(created_at * TICKS_PER_SECOND, TICK_LENGTH) + _base62(digest % 62**RANDOM_LENGTH, RANDOM_LENGTH)


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


def stored_under_fresh_id(clock: Clock, store: Callable[[str, int], T], resource: str) -> T:
    """Take a tick, draw an id at it, and `store(id, created_at)` the new resource under it.

    Should the id be taken, draw again; should the store find a later tick where it must come
    after (TickBehind), take a tick after that one.
    """
    after, draws = -1, 0
    for _ in range(ORDER_ATTEMPTS):
        tick = clock.next_tick(after)
        try:
            return store(new_id(tick), second_of(tick))
        except IdTaken:
            draws += 1
            if draws == ID_DRAW_ATTEMPTS:
                break
        except TickBehind as behind:
            after = behind.floor
    if draws == ID_DRAW_ATTEMPTS:
        raise Conflict(f"could not allocate a unique {resource} id; retry the request")
    raise ServiceUnavailable(f"too many {resource}s were created here at once; retry the request")
