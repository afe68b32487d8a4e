"""The API reference at /docs, proven in a real headless Chromium (Debian's, driven by Playwright):
it shows every operation, Authorize takes a token, and Try it out runs requests."""

import json
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from devtools.template import ROOT
from tests.http.conftest import LocalServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless and quiet: without the background-networking flags Chromium keeps calling out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: `make test` installs it (scripts/ensure-chromium.sh)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


DOCUMENT: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
# Swagger UI's element id for an operation: its tag (or "webhooks" in the webhooks section), then its operationId.
BLOCK_IDS = {
    operation["operationId"]: f"operations-{operation['tags'][0] if section == 'paths' else section}-"
    f"{operation['operationId']}"
    for section in ("paths", "webhooks")
    for item in DOCUMENT[section].values()
    for operation in item.values()
}


def _execute(page: Page, operation_id: str, body: dict[str, Any] | None = None) -> tuple[str, str]:
    """Open an operation, Try it out, Execute: the status and body Swagger UI shows."""
    block = page.locator(f"#{BLOCK_IDS[operation_id]}")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    if body is not None:
        block.locator("textarea.body-param__text").fill(json.dumps(body))
    block.get_by_role("button", name="Execute").click()
    response = block.locator(".live-responses-table .response").first
    response.locator(".response-col_status").wait_for(timeout=TIMEOUT_MS)
    return response.locator(".response-col_status").inner_text().strip(), response.locator("pre").first.inner_text()


def test_the_reference_page_shows_every_operation_and_runs_them(
    browser: Browser, server: LocalServer, tmp_path: Path
) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    # 1. Every operation and webhook of openapi.json is on the page, under its resource's tag
    page.goto(f"{server.url}/docs")
    page.locator(".opblock").first.wait_for()
    shown = {e.get_attribute("id") or "" for e in page.locator(".opblock").element_handles()}
    assert shown == set(BLOCK_IDS.values())
    tags = {e.get_attribute("data-tag") or "" for e in page.locator(".opblock-tag").element_handles()}
    assert tags == {"Attachments", "Contacts", "Conversations", "Groups", "Messages", "Webhooks"}
    assert page.locator(".webhooks .opblock").count() == len(DOCUMENT["webhooks"])

    # 2. Descriptions show: an operation's, a parameter's and a field's
    listing = page.locator(f"#{BLOCK_IDS['listConversations']}")
    listing.locator(".opblock-summary").click()
    listing.get_by_text("A paginated list of all your conversations").wait_for()
    listing.get_by_text("Only show conversations that are muted when set to true").wait_for()
    listing.locator(".opblock-summary").click()
    model = page.locator("section.models article[data-json-schema-level='0']").filter(
        has=page.get_by_text("Conversation", exact=True)
    )
    model.get_by_role("button", name="Expand all").click()
    model.get_by_text("Unique identifier for the pinned message.").wait_for()

    # 3. Authorize with a token from `make token`, then create a group (its conversation with it) and list
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").fill(server.token(f"browser-{uuid.uuid4().hex}"))
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper .btn-done").click()
    created_status, created_body = _execute(page, "createGroup", {"name": "Plaza Hotel"})
    listed_status, listed_body = _execute(page, "listConversations")

    # 4. A screenshot in the test's output
    screenshot = tmp_path / "reference-page.png"
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()

    assert created_status == "201", created_body
    conversation_id = json.loads(created_body)["conversation_id"]
    assert listed_status == "200", listed_body
    assert [c["id"] for c in json.loads(listed_body)["data"]] == [conversation_id]
    assert screenshot.stat().st_size > 10_000


def test_the_reference_page_uploads_a_file_through_its_file_picker(
    browser: Browser, server: LocalServer, tmp_path: Path
) -> None:
    content = b"hello\x00\xff\r\n--not-a-boundary\r\n"
    picked = tmp_path / "notes.txt"
    picked.write_bytes(content)
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.url}/docs")
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").fill(server.token(f"browser-{uuid.uuid4().hex}"))
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper .btn-done").click()

    block = page.locator(f"#{BLOCK_IDS['createAttachment']}")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator(".opblock-section-request-body select").select_option("multipart/form-data")
    block.locator('input[type="file"]').set_input_files(str(picked))
    block.get_by_role("button", name="Execute").click()
    response = block.locator(".live-responses-table .response").first
    response.locator(".response-col_status").wait_for(timeout=TIMEOUT_MS)
    status, body = (
        response.locator(".response-col_status").inner_text().strip(),
        response.locator("pre").first.inner_text(),
    )
    page.close()

    assert status == "201", body
    created = json.loads(body)
    assert (created["filename"], created["file_type"], created["file_size"]) == (
        "notes.txt",
        "text/plain",
        len(content),
    )
    assert str(created["file_url"]).startswith("http://127.0.0.1:")  # moto's S3 of the local server, nothing further
    with urllib.request.urlopen(created["file_url"], timeout=30) as download:  # noqa: S310 - moto's S3 on loopback
        assert download.read() == content


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http on loopback
            return response.status, response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"]


def test_the_assets_come_from_the_installed_package_and_nothing_else_is_served(server: LocalServer) -> None:
    assert _get(f"{server.url}/docs/swagger-ui-bundle.js") == (200, "text/javascript")
    assert _get(f"{server.url}/openapi.json") == (200, "application/json")
    for path in ("/docs/../template.yaml", "/docs/%2e%2e/template.yaml", "/docs/nope.js", "/docs/static/x"):
        assert _get(f"{server.url}{path}")[0] == 404, path
