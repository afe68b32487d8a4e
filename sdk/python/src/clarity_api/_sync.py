"""ApiClient: the synchronous client, and its resources."""

from __future__ import annotations

import time
from typing import Any, Callable, Generic, Optional, TypeVar

import httpx

from clarity_api import _base
from clarity_api._base import Call, QueryValue, create_call, query
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

    def list(self, **filters: QueryValue) -> Page[ObjectT]:
        """One page; filters are the API's query parameters (`limit=50`, `muted=False`)."""
        response = self._client._send(Call("GET", self._path, params=query(filters)))
        body = _base.parsed(response)
        items = [from_json(self._model, item) for item in body["data"]]

        def next_page(last_id: str) -> Page[ObjectT]:
            return self.list(**{**filters, "starting_after": last_id, "ending_before": None})

        return Page(items, bool(body["has_more"]), next_page)

    def get(self, id: str) -> ObjectT:  # noqa: A002 - the API's name
        return _base.to_model(self._model, self._client._send(Call("GET", f"{self._path}/{id}")))

    def delete(self, id: str, *, if_match: Optional[str] = None) -> None:  # noqa: A002
        self._client._send(Call("DELETE", f"{self._path}/{id}", if_match=if_match))

    def _create(self, model: type[CreatedT], fields: dict[str, Any]) -> CreatedT:
        return _base.to_model(model, self._client._send(create_call(self._path, json_body=fields)))


class _UpdatableResource(_Resource[ObjectT]):
    def update(self, id: str, *, if_match: Optional[str] = None, **fields: Any) -> ObjectT:  # noqa: A002
        """A partial update of the fields given (None sends null); `if_match=obj.etag` makes it conditional."""
        call = Call("PUT", f"{self._path}/{id}", json_body=fields, if_match=if_match)
        return _base.to_model(self._model, self._client._send(call))


class Conversations(_UpdatableResource[Conversation]):
    def create(self, **fields: Any) -> Conversation:
        """Open the conversation of `contact_id=` or `group_id=` (an existing one answers as it is)."""
        return self._create(Conversation, fields)


class Messages(_UpdatableResource[Message]):
    def create(self, **fields: Any) -> Message:
        """Send `message=` in `conversation_id=`; `attachments=[ids]` attaches uploaded files."""
        return self._create(Message, fields)


class Contacts(_UpdatableResource[Contact]):
    def create(self, **fields: Any) -> Contact:
        return self._create(Contact, fields)


class Groups(_UpdatableResource[Group]):
    def create(self, **fields: Any) -> Group:
        return self._create(Group, fields)


class Webhooks(_Resource[Webhook]):
    """The API has no update for a webhook: delete it and create another."""

    def create(self, **fields: Any) -> CreatedWebhook:
        """`url=`, `events=[...]`, `name=`: the answer carries the `secret`, shown this once."""
        return self._create(CreatedWebhook, fields)


class Attachments(_UpdatableResource[Attachment]):
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
