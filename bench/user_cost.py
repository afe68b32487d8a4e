"""What an active user costs: dollars per million active-user-days, from a stated daily mix,
the measured DynamoDB units of each request, and list prices.

Two designs, measured on the same requests: the indexes as they are (they project only the
four status keys) and as they were (every attribute projected, so every write to a
conversation rewrote its 3 or 4 index copies).
"""

from typing import Any

# One active user's day (issue #13).
DAILY_MIX: list[tuple[str, str, str, int]] = [
    # (what, the DynamoDB work row, the endpoint whose Lambda time it takes, times a day)
    ("message sent", "send, contact's conversation", "send", 50),
    ("conversation opened", "retrieve", "retrieve", 20),
    ("list page", "list no filter", "list", 10),
    ("filtered list page", "list archived=false", "list", 3),
    ("conversation update", "update", "update", 2),
    ("conversation created", "create", "create", 1),
    # Issue 19: a contact and a group read a day. The group's DynamoDB units are a group of 100
    # members' (the group, then its members in one BatchGetItem), the most a group reads; its
    # Lambda time is the warm retrieve_group's, which reads one member.
    ("contact read", "retrieve contact", "retrieve_contact", 1),
    ("group read", "retrieve group, 100 members", "retrieve_group", 1),
]
# The mix before issue 19, reported beside the new one.
ADDED_BY_ISSUE_19 = {"contact read", "group read"}
DESIGNS = {
    "indexes project the status keys (now)": ("read_units", "write_units"),
    "indexes project every attribute (before)": ("read_units_all_projected", "write_units_all_projected"),
}


def billed_ms(warm_p50_ms: float, calls: int, call_ms: float) -> int:
    """Lambda bills whole milliseconds: the handler's time and each DynamoDB call's."""
    return max(1, int(warm_p50_ms + calls * call_ms + 0.999))


def lambda_dollars(billed: int, memory_gb: float, prices: dict[str, float]) -> float:
    """Lambda's price of one request, per million such requests."""
    return prices["lambda_request_per_million"] + billed / 1000 * memory_gb * prices["lambda_gb_second"] * 1e6


def per_active_user_day(
    work: dict[str, Any], warm: dict[str, Any], prices: dict[str, float], call_ms: float, memory_gb: float
) -> dict[str, Any]:
    rows = {row["request"]: row for row in work["requests"]}
    designs = {}
    for design, (reads, writes) in DESIGNS.items():
        lines = []
        for what, request, endpoint, per_day in DAILY_MIX:
            row = rows[request]
            calls = row["calls"]
            if reads.endswith("all_projected") and "BatchGetItem" in row.get("operation_names", []):
                calls -= 1  # whole items came from the index: no BatchGetItem after it
            dynamodb = (
                row[reads] * prices["dynamodb_read_unit_per_million"]
                + row[writes] * prices["dynamodb_write_unit_per_million"]
            )
            billed = billed_ms(warm[endpoint]["ours_p50_ms"], calls, call_ms)
            other = prices["http_api_per_million"] + lambda_dollars(billed, memory_gb, prices)
            lines.append(
                {
                    "request": what,
                    "per_day": per_day,
                    "read_units": row[reads],
                    "write_units": row[writes],
                    "dynamodb_dollars": round(per_day * dynamodb, 3),
                    "api_and_lambda_dollars": round(per_day * other, 3),
                }
            )
        dynamodb_total = sum(line["dynamodb_dollars"] for line in lines)
        other_total = sum(line["api_and_lambda_dollars"] for line in lines)
        earlier = [line for line in lines if line["request"] not in ADDED_BY_ISSUE_19]
        designs[design] = {
            "per_request": lines,
            "dynamodb_dollars_per_million_user_days": round(dynamodb_total, 2),
            "api_and_lambda_dollars_per_million_user_days": round(other_total, 2),
            "dollars_per_million_user_days": round(dynamodb_total + other_total, 2),
            "dollars_per_million_user_days_without_contact_and_group_reads": round(
                sum(line["dynamodb_dollars"] + line["api_and_lambda_dollars"] for line in earlier), 2
            ),
        }
    now, before = (designs[name]["dollars_per_million_user_days"] for name in DESIGNS)
    return {
        "daily_mix": {what: per_day for what, _, _, per_day in DAILY_MIX},
        "designs": designs,
        "saved_per_million_user_days": round(before - now, 2),
        "saved_share": round((before - now) / before, 3) if before else 0.0,
    }
