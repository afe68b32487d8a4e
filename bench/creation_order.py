"""The order of creates: what ids made to the second got wrong, and what the order guard costs.

- **Ids of whole seconds.** Sends one after another within one second, with ids made as before
  ticks (six characters of second, ten random): how many pairs list out of order.
- **Two instances whose clocks disagree.** Sends into one conversation alternate between two
  service builds (two Lambda instances), the second's clock `skew_ms` behind the first's, one
  send every `gap_ms`. A send whose tick is not after the conversation's newest message is
  refused in its transaction and retried with a later tick: transactions per send counts that
  cost, and the listing is checked against the order of the sends.
"""

import json
import secrets
import sys
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws

from bench.dynamodb_work import settings_for
from clarity.contacts.models import CreateContactRequest
from clarity.conversations.models import CreateConversationRequest
from clarity.core.clock import TICKS_PER_SECOND
from clarity.core.ids import ALPHABET, TICK_LENGTH, new_id
from clarity.messages.models import CreateMessageRequest
from clarity.wiring import build_services
from devtools.template import create_tables

OWNER = "bench-order"
TABLE = "bench-order"
SECOND = 1_800_000_000
SKEWS_MS = (0, 1, 5, 20)
GAPS_MS = (2, 10)


def _inverted_pairs(ids: list[str]) -> float:
    """The share of pairs (made one after another) that sort the other way round."""
    pairs = [(earlier, later) for number, earlier in enumerate(ids) for later in ids[number + 1 :]]
    return sum(earlier > later for earlier, later in pairs) / len(pairs)


def ids_to_the_second(sends: int, runs: int) -> dict[str, float]:
    """Ids as they were made before ticks, for `sends` sends in one second: pairs out of order."""
    second_prefix = new_id(SECOND * TICKS_PER_SECOND)[: TICK_LENGTH - 2]

    def old_id() -> str:
        return second_prefix + "".join(secrets.choice(ALPHABET) for _ in range(10))

    before = sum(_inverted_pairs([old_id() for _ in range(sends)]) for _ in range(runs)) / runs
    now = sum(_inverted_pairs([new_id(SECOND * TICKS_PER_SECOND + n) for n in range(sends)]) for _ in range(runs))
    return {"sends": sends, "runs": runs, "pairs_out_of_order_before": round(before, 3), "pairs_out_of_order": now}


def _transactions_counter(client: Any) -> list[int]:
    counted = [0]

    def count(**_: Any) -> None:
        counted[0] += 1

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", count)
    return counted


class SharedTime:
    """The true time both instances read, each with its own offset; the bench moves it on."""

    def __init__(self, start: float) -> None:
        self.now = start

    def seen_from(self, offset_ms: float) -> Callable[[], float]:
        return lambda: self.now + offset_ms / 1000


def alternating_sends(skew_ms: int, gap_ms: int, sends: int) -> dict[str, Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client, TABLE)
        time = SharedTime(SECOND)
        ahead = build_services(settings_for(TABLE), client, clock=time.seen_from(0))
        behind = build_services(settings_for(TABLE), client, clock=time.seen_from(-skew_ms))
        contact = CreateContactRequest(username="Kevin", phone_number="1-800-759-3000")
        conversation = CreateConversationRequest(contact_id=ahead.contacts.create(OWNER, contact).resource.id)
        conversation_id = ahead.conversations.create(OWNER, conversation).resource.id
        # The setup's ticks (the contact's, the conversation's) are not the sends': start apart.
        time.now += 0.01
        transactions = _transactions_counter(client)
        sent = []
        for number in range(sends):
            instance = (ahead, behind)[number % 2]
            request = CreateMessageRequest(conversation_id=conversation_id, message=f"m{number}")
            sent.append(instance.messages.send(OWNER, request).resource.id)
            time.now += gap_ms / 1000
        listed = ahead.messages.list(OWNER, conversation_id, limit=100)
    return {
        "skew_ms": skew_ms,
        "gap_ms": gap_ms,
        "sends": sends,
        "transactions_per_send": round(transactions[0] / sends, 2),
        "listed_in_send_order": [m.id for m in listed.items] == sent[::-1][:100],
    }


def skewed_instances(sends: int) -> list[dict[str, Any]]:
    return [alternating_sends(skew_ms, gap_ms, sends) for skew_ms in SKEWS_MS for gap_ms in GAPS_MS]


def measure(sends: int = 100) -> dict[str, Any]:
    return {"ids_to_the_second": ids_to_the_second(30, 200), "skewed_instances": skewed_instances(sends)}


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=2)
