"""The time every resource stamps, and the order in which creates happened.

Timestamps are integer Unix seconds, as the API reference's are. Seconds cannot order two
creates in the same second, so a create also takes a *tick*: its second and a position within
it. Positions 0-999 are the millisecond; 1000-3843 are room for a writer that must step past its
own clock (several creates in one millisecond, or a clock that went back). There are 62**2 = 3844
positions, so a tick is the second's six base-62 characters of an id plus exactly two more
(clarity.core.ids), and `created_at` is a tick's second.

One Clock per process hands out ticks that never repeat and never go backwards, whatever the
system clock does. Lambda instances do not share a clock: where an order must hold across them,
the write is conditioned on the newest tick stored (see TickBehind).
"""

import math
import threading
import time
from collections.abc import Callable

TICKS_PER_SECOND = 62**2
MILLISECONDS_PER_SECOND = 1000

# Unix time in seconds, as time.time gives it; tests and the local server may freeze it.
TimeSource = Callable[[], float]


def tick_at(unix_time: float) -> int:
    """The tick of a moment: its second, then its millisecond."""
    # A float of today's Unix time holds its milliseconds only to about 0.0002 ms: 0.001 s - 1e-9
    # must still read as millisecond 1, not 0.
    second, millisecond = divmod(math.floor(unix_time * MILLISECONDS_PER_SECOND + 0.001), MILLISECONDS_PER_SECOND)
    return second * TICKS_PER_SECOND + millisecond


def second_of(tick: int) -> int:
    """The `created_at` of a resource created at this tick."""
    return tick // TICKS_PER_SECOND


class TickBehind(Exception):
    """A create must come after `floor`, a tick already stored where it writes (a conversation's
    newest message, an owner's newest webhook); its tick was not later. Take a later one and retry."""

    def __init__(self, floor: int) -> None:
        super().__init__(f"a create must come after tick {floor}")
        self.floor = floor


class Clock:
    def __init__(self, time_source: TimeSource = time.time) -> None:
        self._time = time_source
        self._last_tick = -1
        # The local server and the tests call from several threads; Lambda from one.
        self._lock = threading.Lock()

    def now(self) -> int:
        """Now, in whole Unix seconds."""
        return math.floor(self._time())

    def next_tick(self, after: int = -1) -> int:
        """A tick later than every tick this clock gave before, and later than `after`; the
        clock's own when that is later still."""
        with self._lock:
            tick = max(tick_at(self._time()), self._last_tick + 1, after + 1)
            self._last_tick = tick
            return tick
