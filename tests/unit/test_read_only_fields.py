"""Each request body declares the fields of its resource that it cannot write, and the shared body
check refuses them by name, before validation would call them unknown."""

import pytest
from pydantic import BaseModel

from clarity.contacts.models import Contact, CreateContactRequest, UpdateContactRequest
from clarity.conversations.models import Conversation, CreateConversationRequest, UpdateConversationRequest
from clarity.core.errors import ReadOnlyField
from clarity.http.request_body import canonical_body, read_only_fields
from clarity.messages.models import CreateMessageRequest, Message, UpdateMessageRequest
from clarity.webhooks.models import CreatedWebhook, CreateWebhookRequest

# Every name a client can mean for each resource: the object's fields, and the fields its
# requests take (a message's sender is sent as contact_id and read back as contact).
RESOURCE_NAMES = {
    "conversation": set(Conversation.model_fields),
    "message": set(Message.model_fields) | set(CreateMessageRequest.model_fields),
    "webhook": set(CreatedWebhook.model_fields),
    "contact": set(Contact.model_fields),
}
BODIES: list[tuple[str, type[BaseModel]]] = [
    ("conversation", CreateConversationRequest),
    ("conversation", UpdateConversationRequest),
    ("message", CreateMessageRequest),
    ("message", UpdateMessageRequest),
    ("webhook", CreateWebhookRequest),
    ("contact", CreateContactRequest),
    ("contact", UpdateContactRequest),
]


@pytest.mark.parametrize(("resource", "body"), BODIES)
def test_every_name_of_the_resource_is_either_writable_or_declared_read_only(
    resource: str, body: type[BaseModel]
) -> None:
    writable = set(body.model_fields)
    read_only = read_only_fields(body)

    assert writable | read_only == RESOURCE_NAMES[resource]
    assert not writable & read_only


def _event(method: str, body: str) -> dict[str, object]:
    return {
        "body": body,
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "requestContext": {"http": {"method": method}},
    }


@pytest.mark.parametrize(
    ("method", "body", "model", "param", "message"),
    [
        ("PUT", "is_muted=true&contact_id=C", UpdateConversationRequest, "contact_id", "contact_id cannot be changed"),
        ("POST", "contact_id=C&created_at=1", CreateConversationRequest, "created_at",
         "created_at cannot be set on create"),
        ("POST", "conversation_id=C&message=hi&reactions[smile][]=kate", CreateMessageRequest, "reactions",
         "reactions cannot be set on create"),
    ],
)  # fmt: skip
def test_a_read_only_field_is_refused_by_name(
    method: str, body: str, model: type[BaseModel], param: str, message: str
) -> None:
    with pytest.raises(ReadOnlyField) as raised:
        canonical_body(_event(method, body), model)

    assert str(raised.value) == message
    assert raised.value.param == param
