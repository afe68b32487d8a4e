"""Domain errors, raised where the fact is known; conversations.http.error_map turns them into HTTP."""


class ConversationsError(Exception):
    """Base of every error this API answers with on purpose."""


class InvalidRequest(ConversationsError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class Unauthenticated(ConversationsError):
    pass


class ConversationNotFound(ConversationsError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"No such conversation: '{conversation_id}'")
        self.conversation_id = conversation_id


class RouteNotFound(ConversationsError):
    pass


class MethodNotAllowed(ConversationsError):
    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed here; use {', '.join(allowed)}")
        self.allowed = allowed


class Conflict(ConversationsError):
    pass


class PreconditionFailed(ConversationsError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(
            f"Conversation '{conversation_id}' has changed since the ETag given in If-Match; retrieve it and retry"
        )


class PayloadTooLarge(ConversationsError):
    pass


class UnsupportedMediaType(ConversationsError):
    pass


class ServiceUnavailable(ConversationsError):
    """DynamoDB kept failing after the retry budget; the client may try again later."""
