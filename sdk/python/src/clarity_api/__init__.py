"""The Clarity Conversations API's Python client.

from clarity_api import ApiClient

with ApiClient(token) as client:
    for conversation in client.conversations.list(muted=False).auto_paging_iter():
        print(conversation.id)
"""

from clarity_api import webhooks
from clarity_api._async import AsyncApiClient
from clarity_api._base import NOT_GIVEN, PRODUCTION_URL, NotGiven
from clarity_api._sync import ApiClient
from clarity_api._version import __version__
from clarity_api.errors import (
    APIConnectionError,
    ApiError,
    AuthenticationError,
    ClarityError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitError,
    SignatureVerificationError,
)
from clarity_api.models import (
    Attachment,
    Contact,
    Conversation,
    CreatedAttachment,
    CreatedWebhook,
    Event,
    Group,
    Message,
    Webhook,
)
from clarity_api.pages import AsyncPage, Page

__all__ = [
    "NOT_GIVEN",
    "PRODUCTION_URL",
    "APIConnectionError",
    "ApiClient",
    "ApiError",
    "AsyncApiClient",
    "AsyncPage",
    "Attachment",
    "AuthenticationError",
    "ClarityError",
    "ConflictError",
    "Contact",
    "Conversation",
    "CreatedAttachment",
    "CreatedWebhook",
    "Event",
    "Group",
    "InvalidRequestError",
    "Message",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PreconditionFailedError",
    "RateLimitError",
    "SignatureVerificationError",
    "Webhook",
    "__version__",
    "webhooks",
]
