"""`make run` serves an interactive API reference at /docs: Swagger UI, from the committed
openapi.json, with its assets from an installed package (swagger-ui-py), so it works offline.
Beside it, /docs/errors is docs/errors.md, the page every error body links.

Authorize takes a token from `make token`; Try it out sends requests to this same server.
"""

import mimetypes
from http import HTTPStatus
from importlib import resources

from devtools.errors_page import ERRORS_PATH, errors_page
from devtools.template import ROOT

DOCS_PATH = "/docs"
OPENAPI_PATH = "/openapi.json"
ASSETS = resources.files("swagger_ui") / "static"

PAGE = b"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Clarity Conversations API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});
  </script>
</body>
</html>
"""

Answer = tuple[int, dict[str, str], bytes]


def reference_answer(method: str, path: str) -> Answer | None:
    """The page, its assets, the errors page or the OpenAPI document; None for any other request."""
    if method not in ("GET", "HEAD"):
        return None
    if path in (DOCS_PATH, f"{DOCS_PATH}/"):
        return HTTPStatus.OK, {"Content-Type": "text/html; charset=utf-8"}, PAGE
    if path == ERRORS_PATH:
        return HTTPStatus.OK, {"Content-Type": "text/html; charset=utf-8"}, errors_page()
    if path == OPENAPI_PATH:
        return HTTPStatus.OK, {"Content-Type": "application/json"}, (ROOT / "openapi.json").read_bytes()
    name = path.removeprefix(f"{DOCS_PATH}/")
    # Only a file the package ships, by its plain name: nothing else on disk is reachable.
    if path.startswith(f"{DOCS_PATH}/") and "/" not in name and (ASSETS / name).is_file():
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return HTTPStatus.OK, {"Content-Type": content_type}, (ASSETS / name).read_bytes()
    return None
