"""The Powertools resolver every function uses: auth and body checks first, then routing."""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, get_type_hints
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from clarity.core.errors import ApiError, InvalidRequest, UnsupportedMediaType
from clarity.core.settings import current_settings
from clarity.http.auth import owner_of
from clarity.http.error_map import as_lambda_result, register_error_handlers, response_for
from clarity.http.request_body import canonical_body, request_method

if TYPE_CHECKING:
    from clarity.http.multipart import UploadedFile

METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _rule_pattern(rule: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"<\w+>", "[^/]+", rule) + "$")


def _query_parameter_names(handler: Callable[..., Any]) -> frozenset[str]:
    """The query parameters a route declares: its arguments annotated with Powertools' Query."""
    names = set()
    for name, hint in get_type_hints(handler, include_extras=True).items():
        for marker in getattr(hint, "__metadata__", ()):
            if isinstance(marker, Query):
                names.add(marker.alias or name)
    return frozenset(names)


class ApiResolver(APIGatewayHttpResolver):
    """An HTTP API resolver with validation on, the API's error format, and one body model.

    Before Powertools routes a request it checks, in this order: who is calling (401), that
    every query parameter is one the route declares (400, as Stripe does: a typo such as
    `?mutted=true` must not quietly list everything), then the body's size, type and encoding
    (413, 415, 400), and rewrites form bodies as JSON. With `upload_field`, a POST may instead
    send one file as multipart/form-data in that field: it is read here, and the route gets it
    from `uploaded_file()`.
    """

    def __init__(self, body_model: type[BaseModel] | None = None, upload_field: str | None = None) -> None:
        super().__init__(enable_validation=True)
        self._body_model = body_model
        self.upload_field = upload_field
        # (rule, method) of each route this function serves -> the query parameters it declares
        self._query_names: dict[tuple[str, str], frozenset[str]] = {}
        register_error_handlers(self, self.allowed_methods)

    def route(self, rule: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        methods = [m.upper() for m in ([method] if isinstance(method, str) else method)]
        register = super().route(rule, method, *args, **kwargs)

        def remember_route(handler: Callable[..., Any]) -> Any:
            for upper in methods:
                self._query_names[(rule, upper)] = _query_parameter_names(handler)
            return register(handler)

        return remember_route

    def allowed_methods(self, path: str) -> list[str]:
        """The methods this function serves at `path`, for a 405's Allow header."""
        return sorted({method for rule, method in self._query_names if _rule_pattern(rule).match(path)})

    def resolve(self, event: Any, context: LambdaContext) -> dict[str, Any]:
        try:
            owner = owner_of(event, current_settings().local_issuer)
            method = request_method(event)
            self._check_query_parameters(event, method)
            upload = self._upload(event) if self.upload_field is not None and method == "POST" else None
            if upload is not None:
                # Read: the route gets the file from uploaded_file(), and Powertools no body.
                headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
                event = {**event, "headers": headers, "body": None, "isBase64Encoded": False}
            elif self._body_model is not None and method in METHODS_WITH_BODY:
                event = canonical_body(event, self._body_model)
        except ApiError as error:
            return as_lambda_result(response_for(error))
        # Powertools clears the context after each request, so neither outlives it.
        self.context["owner"] = owner
        self.context["upload"] = upload
        return super().resolve(event, context)

    def _upload(self, event: dict[str, Any]) -> "UploadedFile | None":
        """The file a multipart POST sends; None for a body the route's model reads instead."""
        # Only upload routes load the multipart parser.
        from clarity.http.multipart import MULTIPART_TYPE, is_multipart, uploaded_file  # noqa: PLC0415

        field = str(self.upload_field)
        if is_multipart(event.get("headers") or {}):
            return uploaded_file(event, field)
        if self._body_model is None:
            raise UnsupportedMediaType(f"send the file as {MULTIPART_TYPE}, in the field {field}: -F {field}=@<path>")
        return None

    def _check_query_parameters(self, event: Any, method: str) -> None:
        given = event.get("queryStringParameters") or {}
        # API Gateway joins a repeated parameter's values with commas; the raw query still shows it.
        names = [name for name, _ in parse_qsl(str(event.get("rawQueryString") or ""), keep_blank_values=True)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InvalidRequest(f"Received the parameter {repeated[0]} more than once; send it once", repeated[0])
        path = str(event.get("rawPath", ""))
        for (rule, rule_method), declared in self._query_names.items():
            if rule_method == method and _rule_pattern(rule).match(path):
                unknown = sorted(set(given) - declared)
                if unknown:
                    raise InvalidRequest(f"Received unknown parameter: {unknown[0]}", unknown[0])
                return

    def uploaded_file(self) -> "UploadedFile":
        """The file of the multipart request being handled (routes of an `upload_field` only)."""
        upload: UploadedFile | None = self.context.get("upload")
        if upload is None:
            raise InvalidRequest(
                f"send the file as multipart/form-data: -F {self.upload_field}=@<path>", self.upload_field
            )
        return upload

    def current_owner(self) -> str:
        """The verified owner of the request being handled."""
        owner: str = self.context["owner"]
        return owner
