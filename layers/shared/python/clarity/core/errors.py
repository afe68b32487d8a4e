"""Domain errors, raised where the fact is known; clarity.http.error_map turns them into HTTP."""


class ApiError(Exception):
    """Base of every error this API answers with on purpose."""


class InvalidRequest(ApiError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class ReadOnlyField(InvalidRequest):
    """A body names a field of the resource that this request cannot write.

    Said apart from an unknown parameter: the field exists, so "unknown" would mislead."""

    def __init__(self, name: str, *, creating: bool) -> None:
        super().__init__(f"{name} cannot be set on create" if creating else f"{name} cannot be changed", name)


class Unauthenticated(ApiError):
    pass


class NotFound(ApiError):
    """No such resource for this owner: another owner's resource reads the same."""

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"No such {resource}: '{resource_id}'")
        self.resource = resource
        self.resource_id = resource_id


class RouteNotFound(ApiError):
    pass


class MethodNotAllowed(ApiError):
    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed here; use {', '.join(allowed)}")
        self.allowed = allowed


class Conflict(ApiError):
    pass


class PreconditionFailed(ApiError):
    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(
            f"{resource.capitalize()} '{resource_id}' has changed since the ETag given in If-Match;"
            " retrieve it and retry"
        )


class PayloadTooLarge(ApiError):
    pass


class UnsupportedMediaType(ApiError):
    pass


class ServiceUnavailable(ApiError):
    """DynamoDB kept failing after the retry budget; the client may try again later."""
