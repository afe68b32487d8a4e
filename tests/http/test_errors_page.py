"""The documentation_url of a local error is a page the local server serves: docs/errors.md."""

import re
import urllib.request

import pytest

from devtools.errors_page import ERRORS_DOCUMENT
from tests.http.conftest import LocalServer


def _errors_table_rows() -> list[tuple[str, str]]:
    """(status, type) of each row of the table in docs/errors.md."""
    text = ERRORS_DOCUMENT.read_text(encoding="utf-8")
    return re.findall(r"^\| (\d{3}) \| `(\w+)` \|", text, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/conversations?limit=0", 400),  # from the resolver's validation
        ("GET", "/v1/conversations/A000000000000001", 404),  # from a service's domain error
    ],
)
def test_the_link_in_a_local_error_answers_with_the_errors_table(
    server: LocalServer, method: str, path: str, status: int
) -> None:
    answered, _, body = server.request(method, path)
    assert answered == status
    link = body["documentation_url"]
    assert link == f"{server.url}/docs/errors"

    with urllib.request.urlopen(link, timeout=30) as response:  # noqa: S310 - http on loopback
        page_status, content_type, page = response.status, response.headers["Content-Type"], response.read().decode()

    assert (page_status, content_type) == (200, "text/html; charset=utf-8")
    rows = _errors_table_rows()
    assert len(rows) >= 9
    for code, kind in rows:
        assert f"<td>{code}</td>\n<td><code>{kind}</code></td>" in page, code
    assert "<title>Errors: Clarity Conversations API</title>" in page
