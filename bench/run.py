"""`make bench`: cold start, warm overhead, DynamoDB work, scale, cost and package size.

Every figure is a median over repeated runs, and every comparison a ratio taken in the same run:
this machine is shared and noisy, so absolute times are context only. Writes bench/results.json
and prints a table. `--smoke` runs each part once on tiny data (tests/integration/test_bench_smoke.py).
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from bench import creation_order, dynamodb_work, lambda_image, user_cost, webhooks
from bench.cold_start import FUNCTIONS, runs_for
from bench.targets import OWNER, Targets, bench_services
from clarity.core.settings import Settings
from clarity.wiring import build_services
from devtools.local_api import local_function_environment, start_moto_server
from devtools.loopback_receiver import LoopbackReceiver
from devtools.template import (
    DEAD_LETTER_QUEUE_RESOURCE,
    DELIVERY_QUEUE_RESOURCE,
    ROOT,
    create_bucket,
    create_tables,
    load_template,
)
from devtools.webhook_pipeline import create_queues

RESULTS_PATH = ROOT / "bench" / "results.json"
TABLE = "bench"
# Lambda's own environment, so Powertools behaves as it does there (the Logger reads the trace id).
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Public us-east-1 list prices, as published on 2025-01-15 (after DynamoDB's 2024-11 on-demand cut).
PRICE_DATE = "2025-01-15"
PRICES: dict[str, float] = {
    "http_api_per_million": 1.00,
    "lambda_request_per_million": 0.20,
    "lambda_gb_second": 0.0000166667,
    "dynamodb_read_unit_per_million": 0.125,
    "dynamodb_write_unit_per_million": 0.625,
    "sqs_request_per_million": 0.40,  # standard queue, beyond the free tier
}
# Assumed in-region DynamoDB latency per call, added to the measured no-I/O handler time.
DYNAMODB_CALL_MS = 5.0


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    python_path = os.pathsep.join([str(ROOT / "layers" / "shared" / "python"), str(ROOT)])
    return {**os.environ, **LAMBDA_ENVIRONMENT, "PYTHONPATH": python_path, "PYTHONWARNINGS": "ignore", **extra}


def run_child(module: str, arguments: list[str], env: dict[str, str], marker: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments], capture_output=True, text=True, env=env, check=False, timeout=600
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(marker + " "):
            result: dict[str, Any] = json.loads(line[len(marker) + 1 :])
            if result.get("status", 200) >= 400:
                raise RuntimeError(f"{module} {arguments} answered {result['status']}:\n{completed.stdout[-20000:]}")
            return result
    raise RuntimeError(f"{module} {arguments} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")


SIDES = ("ours", "floor", "baseline")


def ratios(medians: dict[str, float]) -> dict[str, float]:
    """Ours and the floor (the required stack alone), each over the baseline."""
    return {"ratio": medians["ours"] / medians["baseline"], "floor_ratio": medians["floor"] / medians["baseline"]}


def cold_start(runs: int) -> dict[str, Any]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    endpoint_url, stop = start_moto_server()
    receiver = LoopbackReceiver(lambda _: 204)
    try:
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint_url)
        create_tables(client, TABLE, stream=False)
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint_url)
        queue_url, dead_letter_url = create_queues(sqs, TABLE)
        services = bench_services(dynamodb_work.settings_for(TABLE), client, endpoint_url)
        targets = Targets(services, receiver_url=receiver.url("/hook"))
        queues = {DELIVERY_QUEUE_RESOURCE: queue_url, DEAD_LETTER_QUEUE_RESOURCE: dead_letter_url}
        env = child_environment(local_function_environment(TABLE, endpoint_url, queues))
        results: dict[str, Any] = {}
        for endpoint in FUNCTIONS:
            samples: dict[str, list[float]] = {side: [] for side in SIDES}
            taken_runs = runs_for(endpoint, runs)
            for _ in range(taken_runs):
                for side in SIDES:  # interleaved, so drift hits every side alike
                    arguments = [side, endpoint, endpoint_url, TABLE, *targets.for_request(endpoint).arguments()]
                    outcome = run_child("bench.cold_start", arguments, env, "COLD_START")
                    samples[side].append(outcome["ms"])
            medians = {side: statistics.median(values) for side, values in samples.items()}
            results[endpoint] = {
                **{f"{side}_ms": ms for side, ms in medians.items()},
                **ratios(medians),
                "runs": taken_runs,
                **{f"{side}_samples_ms": values for side, values in samples.items()},
            }
        return results
    finally:
        receiver.close()
        stop()


def warm(requests: int) -> dict[str, Any]:
    env = child_environment(
        {
            "TABLE_NAME": TABLE,
            **{k: v for k, v in local_function_environment(TABLE, "").items() if k.startswith("POWERTOOLS")},
        }
    )
    results: dict[str, Any] = {}
    for endpoint in FUNCTIONS:
        # Sampled, as Lambda marks traced requests: with no X-Ray SDK in the function, whether a
        # request is sampled changes nothing in it (session 4 measured both; they were equal).
        timings = {side: run_child("bench.warm", [side, endpoint, str(requests), "1"], env, "WARM") for side in SIDES}
        row = {f"{side}_{p}_ms": timings[side][f"{p}_ms"] for side in SIDES for p in ("p50", "p99")}
        results[endpoint] = {"requests": requests, **row, **ratios({side: timings[side]["p50_ms"] for side in SIDES})}
    return results


def dynamodb(conversations: int) -> dict[str, Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client, TABLE, stream=False)
        create_tables(client, f"{TABLE}-messages", stream=False)
        # The attachments' files, in moto's S3 in this process (their requests are not counted).
        create_bucket(boto3.client("s3", region_name="us-east-1"), f"{TABLE}-messages")
        return dynamodb_work.measure(client, TABLE, OWNER, conversations, message_table=f"{TABLE}-messages")


def scale(small: int, large: int) -> dict[str, Any]:
    rows = {}
    for count in (small, large):
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            create_tables(client, TABLE, stream=False)
            # Seeded on the plain client: counting every write would only slow the seeding down.
            dynamodb_work.seed(client, TABLE, OWNER, count)
            counter = dynamodb_work.CountingClient(client)
            service = build_services(Settings.for_table(TABLE), counter).conversations  # type: ignore[arg-type]
            pages = {}
            for name, filters in dynamodb_work.list_variants(f"GROUP{0:011d}").items():
                service.list(OWNER, filters, limit=10)
                work = counter.take()
                pages[name] = {"calls": work.calls, "items_read": work.items_read}
            rows[str(count)] = pages
    return rows


def directory_size(path: Path, with_bytecode: bool = False) -> int:
    """Bytes of the files under `path`; bytecode counts only where it ships (the built layer)."""
    return sum(
        f.stat().st_size for f in path.rglob("*") if f.is_file() and (with_bytecode or "__pycache__" not in f.parts)
    )


def package(layer: Path) -> dict[str, Any]:
    """Unzipped sizes: each function's code, and the layer as `sam build` makes it."""
    functions = {}
    for logical_id, resource in load_template()["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            functions[logical_id] = directory_size(ROOT / resource["Properties"]["CodeUri"])
    python = layer / "python"
    parts = {
        child.name: directory_size(child, with_bytecode=True) if child.is_dir() else child.stat().st_size
        for child in python.iterdir()
    }
    biggest = dict(sorted(parts.items(), key=lambda item: -item[1])[:8])
    return {
        "functions_bytes": functions,
        "layer_bytes": directory_size(python, with_bytecode=True),
        "layer_biggest_bytes": biggest,
    }


def dynamodb_dollars(row: dict[str, Any]) -> float:
    """DynamoDB's on-demand price of one request's measured units, per million such requests."""
    return float(
        row["read_units"] * PRICES["dynamodb_read_unit_per_million"]
        + row["write_units"] * PRICES["dynamodb_write_unit_per_million"]
    )


def cost(warm_results: dict[str, Any], work: dict[str, Any]) -> dict[str, Any]:
    """Dollars per million requests on AWS, from list prices and the measured figures."""
    memory_gb = load_template()["Globals"]["Function"]["MemorySize"] / 1024
    per_request = {row["request"]: row for row in work["requests"]}
    shapes = {
        "list": per_request["list no filter"],
        "create": per_request["create"],
        "retrieve": per_request["retrieve"],
        "update": per_request["update"],
        "delete": per_request["delete"],
        "list_messages": per_request["list messages of a conversation"],
        "send": per_request["send, contact's conversation"],
        "retrieve_message": per_request["retrieve message"],
        "update_message": per_request["update message (reactions)"],
        "delete_message": per_request["delete message"],
        "list_webhooks": per_request["list webhooks"],
        "create_webhook": per_request["create webhook"],
        "retrieve_webhook": per_request["retrieve webhook"],
        "delete_webhook": per_request["delete webhook"],
        "list_contacts": per_request["list contacts"],
        "create_contact": per_request["create contact"],
        "retrieve_contact": per_request["retrieve contact"],
        "update_contact": per_request["update contact"],
        "delete_contact": per_request["delete contact"],
        # Groups as the bench times them: one member each (bench/cold_start.py).
        "list_groups": per_request["list groups, 10 of 1 member"],
        "create_group": per_request["create group, 1 member"],
        "retrieve_group": per_request["retrieve group, 1 member"],
        "update_group": per_request["update group (name), 1 member"],
        "delete_group": per_request["delete group, 1 member"],
        "create_attachment": per_request["create attachment (upload of 1 KiB)"],
        "list_attachments": per_request["list attachments, 10 uploaded"],
        "retrieve_attachment": per_request["retrieve attachment"],
        "update_attachment": per_request["update attachment (rename)"],
        "delete_attachment": per_request["delete attachment"],
    }
    results = {}
    for endpoint, row in shapes.items():
        warm_ms = warm_results[endpoint]["ours_p50_ms"]
        billed_ms = user_cost.billed_ms(warm_ms, row["calls"], DYNAMODB_CALL_MS)
        lambda_cost = user_cost.lambda_dollars(billed_ms, memory_gb, PRICES)
        dynamodb_cost = dynamodb_dollars(row)
        results[endpoint] = {
            "billed_ms": billed_ms,
            "api_gateway": PRICES["http_api_per_million"],
            "lambda": round(lambda_cost, 4),
            "dynamodb": round(dynamodb_cost, 4),
            "total_per_million": round(PRICES["http_api_per_million"] + lambda_cost + dynamodb_cost, 4),
        }
    return {
        "prices": PRICES,
        "prices_date": PRICE_DATE,
        "assumed_dynamodb_call_ms": DYNAMODB_CALL_MS,
        "per_million_requests": results,
    }


# Issue #13's bars: against the bare baseline, and our code's share above the floor.
COLD_RATIO_BAR, WARM_RATIO_BAR = 1.6, 2.5
COLD_SHARE_BAR, WARM_SHARE_BAR = 0.10, 0.30


def bars(results: dict[str, Any]) -> dict[str, Any]:
    """Each function against each bar: the figure, and whether it meets the bar."""
    verdicts: dict[str, Any] = {}
    for name, cold in results["cold_start"].items():
        warm = results["warm"][name]
        figures = {
            "cold_ratio": (cold["ratio"], COLD_RATIO_BAR),
            "warm_ratio": (warm["ratio"], WARM_RATIO_BAR),
            "cold_share": (cold["ours_ms"] / cold["floor_ms"] - 1, COLD_SHARE_BAR),
            "warm_share": (warm["ours_p50_ms"] / warm["floor_p50_ms"] - 1, WARM_SHARE_BAR),
        }
        if name in results.get("lambda_image", {}):
            figures["image_cold_ratio"] = (results["lambda_image"][name]["ratio"], COLD_RATIO_BAR)
        verdicts[name] = {key: {"value": round(value, 3), "met": value <= bar} for key, (value, bar) in figures.items()}
    return verdicts


def print_table(results: dict[str, Any]) -> None:
    out = sys.stdout
    out.write("\nCold start (init + first request, median ms)   ours   floor  baseline   ratio  floor ratio"
              "  processes a side\n")  # fmt: skip
    for endpoint, row in results["cold_start"].items():
        out.write(f"  {endpoint:<42} {row['ours_ms']:7.1f} {row['floor_ms']:7.1f} {row['baseline_ms']:9.1f} "
                  f"{row['ratio']:7.2f} {row['floor_ratio']:12.2f} {row['runs']:17d}\n")  # fmt: skip
    if "lambda_image" in results:
        out.write("\nCold start in the Lambda image (init + first invoke, median ms)  ours  baseline  ratio"
                  "   init: ours  baseline  containers a side\n")  # fmt: skip
        for endpoint, row in results["lambda_image"].items():
            out.write(f"  {endpoint:<52} {row['ours_ms']:7.1f} {row['baseline_ms']:9.1f} {row['ratio']:6.2f}"
                      f" {row['ours_init_ms']:11.1f} {row['baseline_init_ms']:9.1f} {row['runs']:11d}\n")  # fmt: skip
    out.write("\nWarm, DynamoDB stubbed (p50 / p99 ms)        ours            floor           baseline"
              "        ratio  floor ratio\n")  # fmt: skip
    for endpoint, row in results["warm"].items():
        cells = "  ".join(f"{row[f'{side}_p50_ms']:6.3f} / {row[f'{side}_p99_ms']:6.3f}" for side in SIDES)
        out.write(f"  {endpoint:<26} {cells} {row['ratio']:7.2f} {row['floor_ratio']:12.2f}\n")
    work = results["dynamodb"]
    out.write(f"\nDynamoDB work, one owner with {work['conversations']} conversations   calls  read  returned  "
              f"RRU   WRU  USD per million\n")  # fmt: skip
    for row in work["requests"]:
        counts = f"{row['calls']:5d} {row['items_read']:5d} {row['items_returned']:9d} {row['read_units']:5.1f}"
        out.write(f"  {row['request']:<52} {counts} {row['write_units']:5.1f} {dynamodb_dollars(row):8.3f}\n")
    out.write("\nScale: list page (calls, items read) by conversations per owner\n")
    sizes = list(results["scale"])
    for name in results["scale"][sizes[0]]:
        cells = "  ".join(
            f"{size}: {results['scale'][size][name]['calls']} / {results['scale'][size][name]['items_read']}"
            for size in sizes
        )
        out.write(f"  {name:<32} {cells}\n")
    out.write(f"\nCost per million requests (USD, list prices of {PRICE_DATE})\n")
    for endpoint, row in results["cost"]["per_million_requests"].items():
        parts = f"API {row['api_gateway']:.2f}, Lambda {row['lambda']:.3f}, DynamoDB {row['dynamodb']:.3f}"
        out.write(f"  {endpoint:<16} total {row['total_per_million']:7.3f}  ({parts})\n")
    out.write(f"\nOne active user's day ({results['active_user']['daily_mix']}), per million user-days\n")
    for design, row in results["active_user"]["designs"].items():
        out.write(
            f"  {design:<44} {row['dollars_per_million_user_days']:8.2f} USD"
            f" (DynamoDB {row['dynamodb_dollars_per_million_user_days']:.2f},"
            f" API and Lambda {row['api_and_lambda_dollars_per_million_user_days']:.2f};"
            f" {row['dollars_per_million_user_days_without_contact_and_group_reads']:.2f}"
            " without the contact and group reads)\n"
        )
    events = results["webhooks"]
    latency = events["latency"]
    out.write(
        f"\nWebhook events, write to receiver (local pipeline): p50 {latency['p50_ms']} ms,"
        f" p99 {latency['p99_ms']} ms ({latency['arrived']} of {latency['events']} arrived)\n"
    )
    for load in ("quiet", "busy"):
        row = events["cost_per_million_events"][load]
        out.write(
            f"  cost per million events, {load} (batches of {row['stream_batch']} / {row['queue_batch']}):"
            f" {row['dollars_per_million_events']:.2f} USD"
            f" (Lambda {row['lambda_requests'] + row['lambda_duration']:.2f},"
            f" DynamoDB {row['dynamodb_reads']:.2f}, SQS {row['sqs_requests']:.2f})\n"
        )
    order = results["creation_order"]
    to_the_second = order["ids_to_the_second"]
    out.write(
        f"\nCreation order: ids to the second listed {to_the_second['pairs_out_of_order_before']:.1%} of pairs"
        f" out of order ({to_the_second['sends']} sends in one second);"
        f" ticks {to_the_second['pairs_out_of_order']:.0%}\n"
    )
    for row in order["skewed_instances"]:
        out.write(
            f"  two instances {row['skew_ms']:>2} ms apart, a send every {row['gap_ms']:>2} ms:"
            f" {row['transactions_per_send']:.2f} transactions a send,"
            f" listed in send order: {row['listed_in_send_order']}\n"
        )
    out.write("\nBars met (of every function): ")
    verdicts = results["bars"].values()
    names = list(next(iter(verdicts)))
    out.write(", ".join(f"{key} {sum(v[key]['met'] for v in verdicts if key in v)}" for key in names) + "\n")
    package_sizes = results["package"]
    functions = ", ".join(f"{k} {v / 1e3:.1f} kB" for k, v in package_sizes["functions_bytes"].items())
    out.write(f"\nPackage: layer {package_sizes['layer_bytes'] / 1e6:.1f} MB unzipped; functions {functions}\n")
    out.write(
        "  biggest in the layer: "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in package_sizes["layer_biggest_bytes"].items())
        + "\n"
    )


# Fresh containers a side in the Lambda image (5 where code is shared: `runs_for`).
IMAGE_RUNS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="each part once, on tiny data")
    parser.add_argument("--output", type=Path, default=RESULTS_PATH)
    arguments = parser.parse_args()
    for name, value in LAMBDA_ENVIRONMENT.items():
        if name.startswith("AWS_"):
            os.environ.setdefault(name, value)  # dummy credentials and a fixed region for moto
    cold_runs, warm_requests, conversations, large = (
        (1, 20, 60, 120) if arguments.smoke else (15, 2000, 10_000, 100_000)
    )
    started = time.monotonic()
    part_seconds: dict[str, float] = {}

    def timed(part: str, measure: Callable[[], Any]) -> Any:
        """Run one part of the bench and note how long it took (the whole must stay within 15 minutes)."""
        part_started = time.monotonic()
        result = measure()
        part_seconds[part] = round(time.monotonic() - part_started, 1)
        return result

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform},
        "cold_start": timed("cold_start", lambda: cold_start(cold_runs)),
        "warm": timed("warm", lambda: warm(warm_requests)),
        "dynamodb": timed("dynamodb", lambda: dynamodb(conversations)),
    }
    results["scale"] = timed("scale", lambda: scale(100 if not arguments.smoke else 30, large))
    results["creation_order"] = timed("creation_order", lambda: creation_order.measure(10 if arguments.smoke else 100))
    results["cost"] = cost(results["warm"], results["dynamodb"])
    results["active_user"] = user_cost.per_active_user_day(
        results["dynamodb"],
        results["warm"],
        PRICES,
        DYNAMODB_CALL_MS,
        load_template()["Globals"]["Function"]["MemorySize"] / 1024,
    )
    results["webhooks"] = {
        "latency": timed("webhooks", lambda: webhooks.latency(20 if arguments.smoke else 200)),
        "cost_per_million_events": webhooks.cost(PRICES),
    }
    with tempfile.TemporaryDirectory() as scratch:
        layer = timed("layer", lambda: lambda_image.build_layer(Path(scratch)))
        results["package"] = package(layer)
        if not arguments.smoke:  # Docker: tests/e2e/test_bench_lambda_image.py runs it under `make e2e`
            # 10 containers a side, not 15: with the six attachment functions, 15 took `make bench`
            # past its 15 minutes, and the image's ratios sit furthest from their bar (BENCHMARKS.md).
            results["lambda_image"] = timed("lambda_image", lambda: lambda_image.measure(IMAGE_RUNS, layer))
    results["bars"] = bars(results)
    results["part_seconds"] = part_seconds
    results["seconds"] = round(time.monotonic() - started, 1)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    sys.stdout.write(f"\nwrote {arguments.output} in {results['seconds']} s\n")


if __name__ == "__main__":
    main()
