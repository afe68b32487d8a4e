"""The data the cold-start requests act on, on whichever DynamoDB the bench started."""

import time
from dataclasses import replace
from typing import Any

import boto3

from bench.baseline import (
    ATTACHMENT_FILENAME,
    ATTACHMENT_TYPE,
    CONTACT_PHONE_NUMBER,
    UPLOAD_CONTENT,
    bench_username,
)
from bench.cold_start import WEBHOOK_BODY, Ids
from clarity.contacts.models import CreateContactRequest
from clarity.conversations.models import CreateConversationRequest
from clarity.core.clock import tick_at
from clarity.core.ids import new_id
from clarity.core.settings import Settings
from clarity.groups.models import CreateGroupRequest
from clarity.messages.models import CreateMessageRequest
from clarity.webhooks.models import CreateWebhookRequest
from clarity.wiring import Files, Services, build_services
from devtools.template import create_bucket

OWNER = "bench-owner"


def bench_services(settings: Settings, client: Any, endpoint_url: str) -> Services:
    """Services on the bench's DynamoDB, with the attachments' bucket made on the same server
    (moto's serves S3 too), so that the bench's attachment has its file stored."""
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint_url)
    create_bucket(s3, settings.table_name)
    return build_services(settings, client, files=Files(settings.attachments, region=settings.region, s3=s3))


class Targets:
    """The data the cold requests act on: one of each resource, and fresh ones where a request
    uses its target up (a delete) or writes a key of its own (the baseline's creates, and every
    contact's create: a contact's username is unique per owner)."""

    def __init__(self, services: Services, receiver_url: str = "http://127.0.0.1:9/hook") -> None:
        """`receiver_url` is where the delivery worker's webhook points: a receiver that answers."""
        self._services = services
        self._webhook = CreateWebhookRequest.model_validate_json(WEBHOOK_BODY)
        self.conversation_id, _ = self._new_conversation()
        self._message = CreateMessageRequest(conversation_id=self.conversation_id, message="hi")
        self.message_id = services.messages.send(OWNER, self._message).resource.id
        self.webhook_id = services.webhooks.create(OWNER, self._webhook).resource.id
        receiving = self._webhook.model_copy(update={"url": receiver_url})
        self.receiving_webhook_id = services.webhooks.create(OWNER, receiving).resource.id
        self.contact_id = self._new_contact()
        # The group the group requests act on: the bench's contact is its one member.
        self._group = CreateGroupRequest(name="Plaza Hotel", contacts=[self.contact_id])
        self.group_id = self._new_group()
        # An uploaded attachment: its reads answer a download link (signed, no S3 request).
        self.attachment_id = self._new_attachment()
        self._owners = 0

    def _new_attachment(self) -> str:
        """An uploaded attachment, its file stored: 1 KiB, as the warm bench's."""
        upload = self._services.attachments.upload(OWNER, ATTACHMENT_FILENAME, ATTACHMENT_TYPE, UPLOAD_CONTENT)
        return upload.resource.id

    def _new_group(self) -> str:
        return self._services.groups.create(OWNER, self._group).resource.id

    def _new_contact(self) -> str:
        """A contact of its own username (the bench's, made from a fresh id)."""
        username = bench_username(new_id(tick_at(time.time())))
        request = CreateContactRequest(username=username, phone_number=CONTACT_PHONE_NUMBER)
        return self._services.contacts.create(OWNER, request).resource.id

    def _new_conversation(self) -> tuple[str, str]:
        """A conversation with a contact made for it (a contact has one): their ids."""
        contact_id = self._new_contact()
        request = CreateConversationRequest(contact_id=contact_id)
        return self._services.conversations.create(OWNER, request).resource.id, contact_id

    def for_request(self, endpoint: str) -> Ids:
        services, fresh = self._services, new_id(tick_at(time.time()))
        changes: dict[str, str] = {}
        if endpoint == "delete":
            # Its contact is what the delete unlinks, on either side.
            changes["conversation_id"], changes["contact_id"] = self._new_conversation()
        elif endpoint == "delete_message":
            changes["message_id"] = services.messages.send(OWNER, self._message).resource.id
        elif endpoint == "delete_webhook":
            changes["webhook_id"] = services.webhooks.create(OWNER, self._webhook).resource.id
        elif endpoint == "create":
            # A contact without a conversation yet: each side opens one with its own.
            changes.update(conversation_id=fresh, contact_id=self._new_contact())
        elif endpoint in ("send", "create_attachment"):
            # Each side stores its own under a fresh id.
            changes["message_id" if endpoint == "send" else "attachment_id"] = fresh
        elif endpoint == "create_webhook":
            # A fresh owner each time: an owner may have at most 16 webhooks.
            self._owners += 1
            changes.update(owner=f"{OWNER}-{self._owners}", webhook_id=fresh)
        elif endpoint == "webhook_delivery":
            changes["webhook_id"] = self.receiving_webhook_id
        elif endpoint == "delete_contact":
            changes["contact_id"] = self._new_contact()
        elif endpoint == "create_contact":
            # The id the baseline stores its contact under; each side makes its username from it.
            changes["contact_id"] = fresh
        elif endpoint == "create_group":
            # The ids the baseline stores its group and the group's conversation under.
            changes.update(group_id=fresh, conversation_id=new_id(tick_at(time.time())))
        elif endpoint == "delete_attachment":
            changes["attachment_id"] = self._new_attachment()
        elif endpoint == "delete_group":
            changes["group_id"] = self._new_group()
        ids = (self.conversation_id, self.message_id, self.webhook_id, self.contact_id, self.group_id)
        return replace(Ids(OWNER, *ids, self.attachment_id), **changes)
