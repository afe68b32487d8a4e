"""The time every resource stamps: integer Unix seconds, as the API reference's timestamps are."""

import time


def unix_now() -> int:
    return int(time.time())
