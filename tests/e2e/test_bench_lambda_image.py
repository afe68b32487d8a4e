"""The bench's cold starts in the Lambda image, once each, so that part of `make bench` cannot rot.

It needs Docker and the stand-in images, which `make e2e` provides; the timings themselves are
`make bench`'s business, not a test's."""

from pathlib import Path

from bench import lambda_image


def test_each_side_answers_and_the_emulator_reports_init_within_the_first_invoke(tmp_path: Path) -> None:
    layer = lambda_image.build_layer(tmp_path / "layer")
    names = ["list", "send", "delete_webhook", "webhook_events", "webhook_delivery"]

    results = lambda_image.measure(1, layer, names)

    assert list(results) == names
    for row in results.values():
        # measure() raises on any answer of 400 or more (or a failed record); here, the figures
        # are the emulator's own.
        for side in ("ours", "baseline"):
            assert 0 < row[f"{side}_init_ms"] < row[f"{side}_ms"]
        assert row["ratio"] == row["ours_ms"] / row["baseline_ms"]
