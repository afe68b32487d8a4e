"""`make run` serves docs/errors.md as HTML at /docs/errors and points ERRORS_DOCUMENTATION_URL
there, so the documentation_url of every local error answers with the page it names."""

from html import escape

from markdown_it import MarkdownIt

from devtools.template import ROOT

ERRORS_PATH = "/docs/errors"
ERRORS_DOCUMENT = ROOT / "docs" / "errors.md"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
    table {{ border-collapse: collapse; }}
    th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }}
    code, pre {{ background: #f4f4f4; }}
    pre {{ padding: 0.6rem; overflow-x: auto; }}
  </style>
</head>
<body>
{body}</body>
</html>
"""


def errors_page_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{ERRORS_PATH}"


def errors_page() -> bytes:
    """docs/errors.md as HTML, read on each request so an edit shows without a restart."""
    markdown = ERRORS_DOCUMENT.read_text(encoding="utf-8")
    # Raw HTML in the file is shown as text, never passed through.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    title = next((line.lstrip("# ").strip() for line in markdown.splitlines() if line.startswith("# ")), "Errors")
    return _PAGE.format(title=escape(f"{title}: Clarity Conversations API"), body=body).encode("utf-8")
