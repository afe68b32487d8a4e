"""The rules under webhook delivery: the retry schedule, signatures and event ids."""

import hashlib
import hmac

from clarity.core.ids import derived_id, is_valid_id
from clarity.core.settings import WebhookSettings
from clarity.webhooks.delivery import RetrySchedule
from clarity.webhooks.destinations import DestinationPolicy, parse_url
from clarity.webhooks.queue import MAX_VISIBILITY_SECONDS
from clarity.webhooks.signing import is_signed_by, new_secret, signature

HOUR = 3600


def _total_wait(schedule: RetrySchedule, draw: float) -> int:
    # Between attempt n and n + 1 for every attempt but the last.
    return sum(schedule.delay_after(attempt, lambda: draw) for attempt in range(1, schedule.max_attempts))


def test_the_aws_schedule_spans_about_a_day_over_8_attempts() -> None:
    schedule = RetrySchedule()
    assert schedule.max_attempts == 8
    shortest, longest = _total_wait(schedule, 0.0), _total_wait(schedule, 1.0)
    assert 13 * HOUR < shortest < 15 * HOUR
    assert 27 * HOUR < longest < 29 * HOUR


def test_no_single_wait_exceeds_what_sqs_can_hide_a_message_for() -> None:
    schedule = RetrySchedule()
    assert max(schedule.delay_after(n, lambda: 1.0) for n in range(1, 30)) <= MAX_VISIBILITY_SECONDS


def test_waits_grow_and_are_jittered() -> None:
    schedule = RetrySchedule()
    assert [schedule.delay_after(n, lambda: 1.0) for n in (1, 2, 3)] == [60, 240, 960]
    assert [schedule.delay_after(n, lambda: 0.0) for n in (1, 2, 3)] == [30, 120, 480]


def test_delivery_defaults_are_a_10_second_timeout_and_public_destinations() -> None:
    assert WebhookSettings().timeout_seconds == 10
    assert WebhookSettings().destinations == DestinationPolicy.PUBLIC


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    secret, body = new_secret(), b'{"id":"x"}'
    assert signature(secret, body) == hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert is_signed_by(secret, body, signature(secret, body))
    assert not is_signed_by(secret, body + b" ", signature(secret, body))
    assert not is_signed_by(new_secret(), body, signature(secret, body))


def test_an_event_id_is_a_resource_id_fixed_by_its_seed() -> None:
    first = derived_id(1_795_000_000, "record-1")
    assert is_valid_id(first)
    assert first == derived_id(1_795_000_000, "record-1")
    assert first != derived_id(1_795_000_000, "record-2")


def test_a_url_keeps_its_path_and_query_and_names_its_host() -> None:
    destination = parse_url("https://Hooks.Example.com:8443/a/b?c=1#frag", DestinationPolicy.PUBLIC)
    assert (destination.host, destination.port, destination.target) == ("hooks.example.com", 8443, "/a/b?c=1")
    assert destination.host_header == "hooks.example.com:8443"
    assert parse_url("http://[::1]/", DestinationPolicy.LOOPBACK).host_header == "[::1]"
