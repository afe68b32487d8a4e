"""ApiClient: the synchronous client, and its resources."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Callable, Generic, Optional, TypeVar

import httpx

from clarity_api import _base
from clarity_api._base import NOT_GIVEN, Call, Given, QueryValue, create_call, given, listed, query
from clarity_api._convert import from_json
from clarity_api._files import FileInput, read_file
from clarity_api.errors import ApiError
from clarity_api.models import (
    Attachment,
    Contact,
    Conversation,
    CreatedAttachment,
    CreatedWebhook,
    Group,
    Message,
    Webhook,
)
from clarity_api.pages import Page

ObjectT = TypeVar("ObjectT")
CreatedT = TypeVar("CreatedT")


class ApiClient:
    """`ApiClient(token)`; token and base URL default to CLARITY_API_TOKEN and CLARITY_BASE_URL, then
    the production URL. Use it in a `with` block, or call close(), to close its connections."""

    def __init__(
        self,
        token: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = _base.DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = _base.DEFAULT_MAX_RETRIES,
        http_client: Optional[httpx.Client] = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self._settings = _base.settings(token, base_url, max_retries, sleep)
        # A client passed in is the caller's to close; one made here is ours.
        self._owns_http_client = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        self.conversations = Conversations(self, "/v1/conversations", Conversation)
        self.messages = Messages(self, "/v1/messages", Message)
        self.contacts = Contacts(self, "/v1/contacts", Contact)
        self.groups = Groups(self, "/v1/groups", Group)
        self.attachments = Attachments(self, "/v1/attachments", Attachment)
        self.webhooks = Webhooks(self, "/v1/webhooks", Webhook)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http_client:
            self._http.close()

    def _send(self, call: Call) -> httpx.Response:
        """Send `call`, retrying as `_base.retry_delay` allows; the response, or the typed error."""
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self._http.send(call.build(self._http, self._settings))
            except httpx.TransportError as error:
                _base.log_attempt(call, type(error).__name__, started)
                delay = _base.retry_delay(call, attempt, None, self._settings.max_retries)
                if delay is None:
                    raise _base.connection_error(call, error) from error
            else:
                _base.log_attempt(call, response.status_code, started)
                delay = _base.retry_delay(call, attempt, response, self._settings.max_retries)
                if delay is None:
                    return _base.checked(response)
            self._settings.sleep(delay)
            attempt += 1


class _Resource(Generic[ObjectT]):
    def __init__(self, client: ApiClient, path: str, model: type[ObjectT]) -> None:
        self._client = client
        self._path = path
        self._model = model

    def _list(self, filters: dict[str, QueryValue]) -> Page[ObjectT]:
        response = self._client._send(Call("GET", self._path, params=query(filters)))
        body = _base.parsed(response)
        items = [from_json(self._model, item) for item in body["data"]]

        def next_page(last_id: str) -> Page[ObjectT]:
            return self._list({**filters, "starting_after": last_id, "ending_before": None})

        return Page(items, bool(body["has_more"]), next_page)

    def get(self, id: str) -> ObjectT:  # noqa: A002 - the API's name
        return _base.to_model(self._model, self._client._send(Call("GET", f"{self._path}/{id}")))

    def delete(self, id: str, *, if_match: Optional[str] = None) -> None:  # noqa: A002
        self._client._send(Call("DELETE", f"{self._path}/{id}", if_match=if_match))

    def _create(self, model: type[CreatedT], fields: dict[str, Any]) -> CreatedT:
        return _base.to_model(model, self._client._send(create_call(self._path, json_body=fields)))

    def _update(self, id: str, fields: dict[str, Any], if_match: Optional[str]) -> ObjectT:  # noqa: A002
        call = Call("PUT", f"{self._path}/{id}", json_body=fields, if_match=if_match)
        return _base.to_model(self._model, self._client._send(call))


class Conversations(_Resource[Conversation]):
    def list(
        self,
        *,
        limit: Given[int] = NOT_GIVEN,
        muted: Given[bool] = NOT_GIVEN,
        archived: Given[bool] = NOT_GIVEN,
        pinned: Given[bool] = NOT_GIVEN,
        group_id: Given[str] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Conversation]:
        """One page, newest first; the filters are the API's query parameters."""
        return self._list(given(limit=limit, muted=muted, archived=archived, pinned=pinned, group_id=group_id,
                                starting_after=starting_after, ending_before=ending_before))  # fmt: skip

    def create(self, *, contact_id: Given[str] = NOT_GIVEN, group_id: Given[str] = NOT_GIVEN) -> Conversation:
        """Open the conversation of `contact_id=` or `group_id=` (an existing one answers as it is)."""
        return self._create(Conversation, given(contact_id=contact_id, group_id=group_id))

    def update(
        self,
        id: str,  # noqa: A002 - the API's name
        *,
        is_muted: Given[bool] = NOT_GIVEN,
        is_pinned: Given[bool] = NOT_GIVEN,
        pinned_message_id: Given[Optional[str]] = NOT_GIVEN,
        archived_at: Given[Optional[int]] = NOT_GIVEN,
        if_match: Optional[str] = None,
    ) -> Conversation:
        """Change the fields given (None sends null); `if_match=obj.etag` makes it conditional."""
        fields = given(is_muted=is_muted, is_pinned=is_pinned, pinned_message_id=pinned_message_id,
                       archived_at=archived_at)  # fmt: skip
        return self._update(id, fields, if_match)


class Messages(_Resource[Message]):
    def list(
        self,
        *,
        conversation_id: Given[str] = NOT_GIVEN,
        limit: Given[int] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Message]:
        """One page, newest first: one conversation's messages, or all of yours."""
        return self._list(given(conversation_id=conversation_id, limit=limit, starting_after=starting_after,
                                ending_before=ending_before))  # fmt: skip

    def create(
        self,
        *,
        conversation_id: str,
        message: str,
        contact_id: Given[str] = NOT_GIVEN,
        attachments: Given[Sequence[str]] = NOT_GIVEN,
    ) -> Message:
        """Send `message` in `conversation_id`; `attachments=[ids]` attaches uploaded files."""
        fields = given(conversation_id=conversation_id, message=message, contact_id=contact_id,
                       attachments=listed(attachments))  # fmt: skip
        return self._create(Message, fields)

    def update(
        self,
        id: str,  # noqa: A002 - the API's name
        *,
        message: Given[str] = NOT_GIVEN,
        reactions: Given[Any] = NOT_GIVEN,
        read_at: Given[Optional[int]] = NOT_GIVEN,
        attachments: Given[Sequence[str]] = NOT_GIVEN,
        if_match: Optional[str] = None,
    ) -> Message:
        """Change the fields given; `attachments` lists the message's files, then the ones to add."""
        fields = given(message=message, reactions=reactions, read_at=read_at, attachments=listed(attachments))
        return self._update(id, fields, if_match)


class Contacts(_Resource[Contact]):
    def list(
        self,
        *,
        limit: Given[int] = NOT_GIVEN,
        active: Given[bool] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Contact]:
        """One page, newest first; `active=True` for contacts you have a conversation with."""
        return self._list(given(limit=limit, active=active, starting_after=starting_after,
                                ending_before=ending_before))  # fmt: skip

    def create(
        self,
        *,
        username: str,
        phone_number: str,
        display_name: Given[Optional[str]] = NOT_GIVEN,
        avatar_url: Given[Optional[str]] = NOT_GIVEN,
    ) -> Contact:
        fields = given(username=username, phone_number=phone_number, display_name=display_name,
                       avatar_url=avatar_url)  # fmt: skip
        return self._create(Contact, fields)

    def update(
        self,
        id: str,  # noqa: A002 - the API's name
        *,
        display_name: Given[Optional[str]] = NOT_GIVEN,
        if_match: Optional[str] = None,
    ) -> Contact:
        """`display_name` is the one field that changes; None resets it."""
        return self._update(id, given(display_name=display_name), if_match)


class Groups(_Resource[Group]):
    def list(
        self,
        *,
        limit: Given[int] = NOT_GIVEN,
        archived: Given[bool] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Group]:
        return self._list(given(limit=limit, archived=archived, starting_after=starting_after,
                                ending_before=ending_before))  # fmt: skip

    def create(
        self,
        *,
        name: str,
        contacts: Given[Sequence[str]] = NOT_GIVEN,
        description: Given[Optional[str]] = NOT_GIVEN,
        avatar_url: Given[Optional[str]] = NOT_GIVEN,
    ) -> Group:
        fields = given(name=name, contacts=listed(contacts), description=description, avatar_url=avatar_url)
        return self._create(Group, fields)

    def update(
        self,
        id: str,  # noqa: A002 - the API's name
        *,
        name: Given[str] = NOT_GIVEN,
        description: Given[Optional[str]] = NOT_GIVEN,
        avatar_url: Given[Optional[str]] = NOT_GIVEN,
        contacts: Given[Sequence[str]] = NOT_GIVEN,
        archived_at: Given[Optional[int]] = NOT_GIVEN,
        if_match: Optional[str] = None,
    ) -> Group:
        """Change the fields given (None clears); `contacts` replaces the member list."""
        fields = given(name=name, description=description, avatar_url=avatar_url, contacts=listed(contacts),
                       archived_at=archived_at)  # fmt: skip
        return self._update(id, fields, if_match)


class Webhooks(_Resource[Webhook]):
    """The API has no update for a webhook: delete it and create another."""

    def list(
        self,
        *,
        limit: Given[int] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Webhook]:
        return self._list(given(limit=limit, starting_after=starting_after, ending_before=ending_before))

    def create(self, *, name: str, url: str, events: Sequence[str]) -> CreatedWebhook:
        """The answer carries the `secret`, shown this once."""
        return self._create(CreatedWebhook, {"name": name, "url": url, "events": list(events)})


class Attachments(_Resource[Attachment]):
    def create(self, *, file: FileInput, filename: Optional[str] = None, file_type: Optional[str] = None) -> Attachment:
        """Upload `file` (a path, bytes or a binary file object). Up to 4 MiB it goes through the API;
        a larger one goes straight to storage (create, the presigned S3 POST, then a read that confirms it)."""
        upload = read_file(file, filename, file_type)
        if len(upload.content) <= _base.MULTIPART_LIMIT_BYTES:
            part = (upload.filename, upload.content, upload.file_type or "application/octet-stream")
            return _base.to_model(Attachment, self._client._send(create_call(self._path, files={"file": part})))
        declared = {"filename": upload.filename, "file_size": len(upload.content), "file_type": upload.file_type}
        created = self._create(CreatedAttachment, {name: value for name, value in declared.items() if value})
        # Straight to storage: no Authorization header goes there, and no retry (the form is single-use).
        stored = self._client._http.post(
            created.upload.url,
            data=created.upload.fields,
            files={"file": (upload.filename, upload.content, upload.file_type or "application/octet-stream")},
        )
        if stored.status_code >= 300:
            raise ApiError(
                f"direct upload refused: {stored.status_code} {stored.text[:200]}", status=stored.status_code
            )
        return self.get(created.id)

    def list(
        self,
        *,
        limit: Given[int] = NOT_GIVEN,
        conversation_id: Given[str] = NOT_GIVEN,
        starting_after: Given[str] = NOT_GIVEN,
        ending_before: Given[str] = NOT_GIVEN,
    ) -> Page[Attachment]:
        """One page, newest first: one conversation's sent files, or all of yours."""
        return self._list(given(limit=limit, conversation_id=conversation_id, starting_after=starting_after,
                                ending_before=ending_before))  # fmt: skip

    def update(self, id: str, *, filename: str, if_match: Optional[str] = None) -> Attachment:  # noqa: A002
        """Rename it: the next `file_url` downloads under the new name."""
        return self._update(id, {"filename": filename}, if_match)
