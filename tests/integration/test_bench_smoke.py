"""`make bench` on tiny data, every part once, so the benchmark cannot rot unnoticed."""

import json
import os
import subprocess
import sys
from pathlib import Path

from devtools.template import ROOT

KEY_FILTERS = (
    "no filter",
    "group",
    "pinned=true",
    "pinned=false",
    "muted=true",
    "muted=false",
    "archived=true",
    "archived=false",
)


def test_bench_smoke_runs_every_part_and_key_filters_read_at_most_limit_plus_one(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}{os.pathsep}{ROOT}"}

    completed = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "bench.run", "--smoke", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(output.read_text())
    assert set(results) >= {
        "cold_start",
        "warm",
        "dynamodb",
        "scale",
        "cost",
        "package",
        "webhooks",
        "active_user",
        "bars",
        "creation_order",
    }
    assert set(results["cold_start"]) == set(results["warm"]) == {
        "list", "create", "retrieve", "update", "delete",
        "list_messages", "send", "retrieve_message", "update_message", "delete_message",
        "list_webhooks", "create_webhook", "retrieve_webhook", "delete_webhook",
        "list_contacts", "create_contact", "retrieve_contact", "update_contact", "delete_contact",
        "list_groups", "create_group", "retrieve_group", "update_group", "delete_group",
        "create_attachment", "list_attachments", "retrieve_attachment", "update_attachment", "delete_attachment",
        "webhook_events", "webhook_delivery", "attachment_sweep",
    }  # fmt: skip
    workers = {"webhook_events", "webhook_delivery", "attachment_sweep"}
    assert set(results["cost"]["per_million_requests"]) == set(results["warm"]) - workers
    assert all(
        row["ours_ms"] > 0 and row["floor_ms"] > 0 and row["baseline_ms"] > 0 for row in results["cold_start"].values()
    )
    for row in results["warm"].values():
        assert all(row[f"{side}_p50_ms"] > 0 for side in ("ours", "floor", "baseline"))
    reads = {row["request"]: row for row in results["dynamodb"]["requests"]}
    for name in KEY_FILTERS:
        for suffix in ("", " +cursor"):
            row = reads[f"list {name}{suffix}"]
            if name == "no filter":
                assert row["calls"] == 1, name  # one strongly consistent Query of the table
                assert row["items_read"] <= 11, name
            else:
                # One Query of at most limit + 1 index entries, then one BatchGetItem of the page
                # (none when the page is empty, as it can be on the smoke run's tiny data).
                assert set(row["operation_names"]) <= {"BatchGetItem", "Query"}, name
                assert row["calls"] == len(row["operation_names"]) <= 2, name
                assert row["items_read"] <= 11 + 10, name
    # The indexes project only the status keys: a send or an open writes no index copy, and
    # cost before (every attribute projected) one per index the conversation is in.
    assert reads["retrieve"]["write_units"] == 1
    assert reads["retrieve"]["write_units_all_projected"] == 1 + 3
    assert reads["delete with 1,000 items"]["items_returned"] == 1000
    # A send is one transaction of three items (message, pointer, conversation), and no index copy
    assert reads["send, contact's conversation"]["calls"] == 1
    assert reads["send, contact's conversation"]["write_units"] == 2 * 3
    assert reads["send, group conversation"]["write_units"] == 2 * 3
    assert reads["send, contact's conversation"]["write_units_all_projected"] == 2 * 3 + 3
    assert reads["send, group conversation"]["write_units_all_projected"] == 2 * 3 + 4
    # A contact's create is one transaction of the contact (and its GSI1 entry) and the claim on
    # its username; an update of display_name touches no index; a delete reads the contact for
    # its username, then removes both in one transaction.
    assert reads["create contact"]["operation_names"] == ["TransactWriteItems"]
    assert reads["create contact"]["write_units"] == 2 * 2 + 1
    assert reads["update contact"]["write_units"] == 1
    # A delete reads the contact, then one transaction removes it and its claim and puts a removal
    # mark (deleted once nothing is left to unlink)
    assert reads["delete contact"]["operation_names"] == ["DeleteItem", "GetItem", "TransactWriteItems"]
    assert reads["delete contact"]["write_units"] == 2 * 3 + 1 + 1
    cascade = reads["delete contact with a conversation of 10 messages and a group"]
    assert {"BatchWriteItem", "UpdateItem"} <= set(cascade["operation_names"])
    # A conversation's open is one transaction with its contact's link; a repeat open reads it
    assert reads["create"]["operation_names"] == ["TransactWriteItems"]
    assert reads["create, a repeat open (200)"]["write_units"] == 0
    # A send from a contact moves the contact's last_active_at in the same transaction (2 units
    # more); in a group's conversation it also checks the group's member list (2 more)
    plain = reads["send, contact's conversation"]["write_units"]
    assert reads["send from the contact, contact's conversation"]["write_units"] == plain + 2
    assert reads["send from a member, group conversation"]["write_units"] == plain + 4
    # A group of 100 members: two transactions (102 items do not fit one); a rename is one write
    assert reads["create group, 100 members"]["operation_names"] == ["BatchGetItem", "GetItem", "TransactWriteItems"]
    assert reads["update group (name)"]["write_units"] == 1
    # The groups `make bench` times (one member each): every read of groups reads their distinct
    # members in one BatchGetItem, so a page of ten groups of the same contact reads 11 + 1 items
    page = reads["list groups, 10 of 1 member"]
    assert page["operation_names"] == ["BatchGetItem", "Query"]
    assert page["items_read"] == 10 + 1
    assert reads["retrieve group, 1 member"]["operation_names"] == ["BatchGetItem", "GetItem"]
    assert reads["create group, 1 member"]["operation_names"] == ["BatchGetItem", "TransactWriteItems"]
    # Attachments' answers sign their download links here: one DynamoDB call each, no more; a
    # rename touches no index
    # An upload: the record and its byte count in one transaction, then (its file stored) the record marked
    assert reads["create attachment (upload of 1 KiB)"]["operation_names"] == ["TransactWriteItems", "UpdateItem"]
    assert reads["list attachments, 10 uploaded"]["operation_names"] == ["Query"]
    assert reads["list attachments, 10 uploaded"]["items_read"] == 10
    assert reads["retrieve attachment"]["operation_names"] == ["GetItem"]
    assert reads["update attachment (rename)"]["operation_names"] == ["UpdateItem"]
    assert reads["update attachment (rename)"]["write_units"] == 1
    # A delete reads the record, then one transaction removes it, uncounts its bytes and puts a
    # mark naming its file; the mark goes once the file has
    assert reads["delete attachment"]["operation_names"] == ["DeleteItem", "GetItem", "TransactWriteItems"]
    assert reads["list contacts"]["calls"] == 1
    assert reads["list contacts"]["items_read"] == 11
    for active in ("true", "false"):
        # GSI1's page of at most limit + 1 entries, then the page's items in one BatchGetItem
        row = reads[f"list contacts active={active}"]
        assert row["operation_names"] == ["BatchGetItem", "Query"], active
        assert row["calls"] == 2, active
        assert row["items_read"] <= 11 + 10, active
        assert row["items_returned"] <= 11, active
    designs = list(results["active_user"]["designs"].values())
    assert 0 < designs[0]["dollars_per_million_user_days"] < designs[1]["dollars_per_million_user_days"]
    # At most limit + 1 messages, and the page's distinct senders in one BatchGetItem
    assert reads["list messages of a conversation"]["items_read"] <= 11 + 10
    assert results["package"]["layer_bytes"] > 0
    events = results["webhooks"]
    assert events["latency"]["arrived"] == events["latency"]["events"] > 0
    assert 0 < events["latency"]["p50_ms"] <= events["latency"]["p99_ms"]
    order = results["creation_order"]
    assert order["ids_to_the_second"]["pairs_out_of_order_before"] > 0.3
    assert order["ids_to_the_second"]["pairs_out_of_order"] == 0
    assert all(row["listed_in_send_order"] for row in order["skewed_instances"])
    assert {row["transactions_per_send"] for row in order["skewed_instances"] if row["skew_ms"] == 0} == {1.0}
    cost = events["cost_per_million_events"]
    assert 0 < cost["busy"]["dollars_per_million_events"] < cost["quiet"]["dollars_per_million_events"]
