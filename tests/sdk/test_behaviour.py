"""Paging, errors, conditional writes, retries and the client's settings, against the local server.
Where the server cannot be made to fail (a dropped connection, a 429, a 503), an httpx.MockTransport
stands in front of it for the first attempts and forwards the rest to it."""

import asyncio
import email.utils
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clarity_api import (
    ApiClient,
    APIConnectionError,
    ApiError,
    AsyncApiClient,
    AuthenticationError,
    ClarityError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitError,
    __version__,
)
from tests.http.conftest import LocalServer

MISSING_ID = "AAAAAAAAAAAAAAAA"
PHONE = "1-800-759-3000"


class Forwarding:
    """A transport that answers each request with `scripted(request, attempt)` when that returns a
    response or raises, else forwards it to the real server. It records every request it saw."""

    def __init__(self, scripted: Callable[[httpx.Request, int], httpx.Response | None]) -> None:
        self.requests: list[httpx.Request] = []
        self._scripted = scripted
        self._real = httpx.Client()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self._scripted(request, len(self.requests))
        if answer is not None:
            return answer
        forwarded = self._real.send(
            self._real.build_request(request.method, request.url, headers=request.headers, content=request.content)
        )
        return httpx.Response(forwarded.status_code, headers=forwarded.headers, content=forwarded.content)

    def forward_then_drop(self, request: httpx.Request) -> None:
        """Deliver `request` to the server, then lose its answer, as a dropped connection does."""
        self._real.send(
            self._real.build_request(request.method, request.url, headers=request.headers, content=request.content)
        )
        raise httpx.ReadError("connection reset after the request was sent", request=request)


def _client(server: LocalServer, token: str, transport: Forwarding, sleeps: list[float]) -> ApiClient:
    http_client = httpx.Client(transport=httpx.MockTransport(transport))
    return ApiClient(token, base_url=server.url, http_client=http_client, sleep=sleeps.append)


def test_auto_paging_walks_every_page_lazily(server: LocalServer, token: str) -> None:
    # Given five contacts and a client that counts its requests
    seen: list[httpx.Request] = []
    http_client = httpx.Client(event_hooks={"request": [seen.append]})
    with ApiClient(token, base_url=server.url, http_client=http_client) as client:
        made = [client.contacts.create(username=f"P{n}{uuid.uuid4().hex[:8]}", phone_number=PHONE) for n in range(5)]
        seen.clear()

        # When the first page of two is read, then walked
        page = client.contacts.list(limit=2)
        assert (len(page.data), page.has_more) == (2, True)
        walk = page.auto_paging_iter()
        first_two = [next(walk), next(walk)]
        # Then nothing more is fetched until the walk passes the page's end
        assert len(seen) == 1
        rest = list(walk)

    assert {contact.id for contact in first_two + rest} == {contact.id for contact in made}
    assert len(first_two + rest) == 5
    assert len(seen) == 3
    assert [request.url.params.get("starting_after") for request in seen] == [None, first_two[1].id, rest[1].id]
    assert all(request.url.params["limit"] == "2" for request in seen)


def test_each_error_class_from_a_real_error(server: LocalServer, token: str, client: ApiClient) -> None:
    with pytest.raises(NotFoundError) as not_found:
        client.conversations.get(MISSING_ID)
    assert (not_found.value.status, not_found.value.type) == (404, "invalid_request")

    username = f"Taken{uuid.uuid4().hex[:8]}"
    client.contacts.create(username=username, phone_number=PHONE)
    with pytest.raises(ConflictError) as conflict:
        client.contacts.create(username=username, phone_number=PHONE)
    assert conflict.value.status == 409 and username in conflict.value.message

    with pytest.raises(InvalidRequestError) as invalid:
        client.conversations.list(limit=1000)
    assert type(invalid.value) is InvalidRequestError
    assert (invalid.value.status, invalid.value.type) == (400, "invalid_request")
    assert "limit" in invalid.value.message

    with ApiClient("not-a-token", base_url=server.url) as stranger, pytest.raises(AuthenticationError) as denied:
        stranger.contacts.list()
    assert denied.value.status == 401 and denied.value.message == "Unauthorized"

    # Every one carries request_id (None locally: only API Gateway sends apigw-requestid)
    for raised in (not_found, conflict, invalid, denied):
        assert isinstance(raised.value, ClarityError) and raised.value.request_id is None


def test_request_id_comes_from_api_gateways_header(server: LocalServer, token: str) -> None:
    def gateway(request: httpx.Request, attempt: int) -> httpx.Response:
        return httpx.Response(404, json={"message": "Not Found"}, headers={"apigw-requestid": "Nf3xKhRnIAMEJvA="})

    with _client(server, token, Forwarding(gateway), []) as client, pytest.raises(NotFoundError) as raised:
        client.contacts.get(MISSING_ID)
    assert (raised.value.request_id, raised.value.type, raised.value.message) == (
        "Nf3xKhRnIAMEJvA=",
        "invalid_request",
        "Not Found",
    )


def test_if_match_applies_to_the_version_read_and_412s_on_a_stale_one(client: ApiClient) -> None:
    contact = client.contacts.create(username=f"Kate{uuid.uuid4().hex[:8]}", phone_number=PHONE)
    conversation = client.conversations.create(contact_id=contact.id)
    read = client.conversations.get(conversation.id)
    assert read.etag == '"1"'

    pinned = client.conversations.update(conversation.id, is_pinned=True, if_match=read.etag)
    assert pinned.is_pinned is True and pinned.etag == '"2"'

    with pytest.raises(PreconditionFailedError) as stale:
        client.conversations.update(conversation.id, is_muted=True, if_match=read.etag)
    assert (stale.value.status, stale.value.type) == (412, "invalid_request")
    with pytest.raises(PreconditionFailedError):
        client.conversations.delete(conversation.id, if_match=read.etag)
    assert client.conversations.get(conversation.id).is_muted is False

    client.conversations.delete(conversation.id, if_match=pinned.etag)
    with pytest.raises(NotFoundError):
        client.conversations.get(conversation.id)


def test_a_create_whose_answer_is_lost_is_retried_with_its_key_and_makes_one(server: LocalServer, token: str) -> None:
    # Given a conversation, and a transport that delivers the first send but loses its answer
    with ApiClient(token, base_url=server.url) as plain:
        contact = plain.contacts.create(username=f"Buzz{uuid.uuid4().hex[:8]}", phone_number=PHONE)
        conversation = plain.conversations.create(contact_id=contact.id)
    transport: Forwarding

    def drop_the_first_send(request: httpx.Request, attempt: int) -> httpx.Response | None:
        if request.method == "POST" and attempt == 1:
            transport.forward_then_drop(request)
        return None

    transport = Forwarding(drop_the_first_send)
    sleeps: list[float] = []

    # When a message is sent
    with _client(server, token, transport, sleeps) as client:
        sent = client.messages.create(conversation_id=conversation.id, message="Only once")
        messages = client.messages.list(conversation_id=conversation.id).data

    # Then it was sent twice under one Idempotency-Key, after a backoff, and exactly one message exists
    posts = [request for request in transport.requests if request.method == "POST"]
    keys = {request.headers["Idempotency-Key"] for request in posts}
    assert len(posts) == 2 and len(keys) == 1
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5
    assert [message.id for message in messages] == [sent.id]


def test_an_unconditional_update_is_not_retried_and_a_conditional_one_is(server: LocalServer, token: str) -> None:
    with ApiClient(token, base_url=server.url) as plain:
        contact = plain.contacts.create(username=f"Rod{uuid.uuid4().hex[:8]}", phone_number=PHONE)

    def drop_every_put(request: httpx.Request, attempt: int) -> httpx.Response | None:
        if request.method == "PUT":
            raise httpx.ConnectError("refused", request=request)
        return None

    transport = Forwarding(drop_every_put)
    with _client(server, token, transport, []) as client:
        with pytest.raises(APIConnectionError):
            client.contacts.update(contact.id, display_name="Rod")
        assert [request.method for request in transport.requests] == ["PUT"]

        with pytest.raises(APIConnectionError) as gave_up:
            client.contacts.update(contact.id, display_name="Rod", if_match='"1"')
    assert [request.method for request in transport.requests] == ["PUT", "PUT", "PUT", "PUT"]
    assert isinstance(gave_up.value, ApiError)


def test_backoff_honours_retry_after(server: LocalServer, token: str) -> None:
    # Given a server that answers 503 with Retry-After: 3, then 429 without one, then itself
    def busy_twice(request: httpx.Request, attempt: int) -> httpx.Response | None:
        if attempt == 1:
            return httpx.Response(503, json={"type": "api_error", "message": "busy"}, headers={"Retry-After": "3"})
        if attempt == 2:
            return httpx.Response(429, json={"message": "Too Many Requests"})
        return None

    sleeps: list[float] = []
    with _client(server, token, Forwarding(busy_twice), sleeps) as client:
        page = client.contacts.list()
    # Then the first wait is the server's 3 s, the second the jittered backoff (1 s less up to 25%)
    assert page.data == []
    assert sleeps[0] == 3.0 and 0.75 <= sleeps[1] <= 1.0


def test_retry_after_as_an_http_date_is_waited_out_and_an_unreadable_one_is_ignored(
    server: LocalServer, token: str
) -> None:
    in_ten_seconds = email.utils.formatdate(time.time() + 10, usegmt=True)

    def busy_twice(request: httpx.Request, attempt: int) -> httpx.Response | None:
        after = {1: in_ten_seconds, 2: "soon"}.get(attempt)
        if after is None:
            return None
        return httpx.Response(503, json={"type": "api_error", "message": "busy"}, headers={"Retry-After": after})

    sleeps: list[float] = []
    with _client(server, token, Forwarding(busy_twice), sleeps) as client:
        assert client.contacts.list().data == []
    # The date's seconds (within the second it was written in), then the jittered backoff of 1 s
    assert 8.0 <= sleeps[0] <= 10.0 and 0.75 <= sleeps[1] <= 1.0


def test_retries_stop_at_max_retries_with_the_last_error(server: LocalServer, token: str) -> None:
    def always(status: int) -> Callable[[httpx.Request, int], httpx.Response]:
        return lambda request, attempt: httpx.Response(status, json={"type": "api_error", "message": "down"})

    for status, error in ((429, RateLimitError), (503, ApiError), (500, ApiError)):
        transport, sleeps = Forwarding(always(status)), list[float]()
        with _client(server, token, transport, sleeps) as client, pytest.raises(error) as raised:
            client.groups.list()
        assert raised.value.status == status and len(transport.requests) == 3 and len(sleeps) == 2

    transport = Forwarding(always(503))
    client = ApiClient(token, base_url=server.url, http_client=httpx.Client(transport=httpx.MockTransport(transport)),
                       max_retries=0)  # fmt: skip
    with client, pytest.raises(ApiError):
        client.groups.list()
    assert len(transport.requests) == 1


def test_user_agent_and_debug_logs_without_the_token(
    server: LocalServer, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = Forwarding(lambda request, attempt: None)
    with caplog.at_level(logging.DEBUG, logger="clarity_api"), _client(server, token, transport, []) as client:
        client.contacts.list(limit=3)
        with pytest.raises(NotFoundError):
            client.contacts.get(MISSING_ID)

    assert transport.requests[0].headers["User-Agent"] == f"clarity-api-python/{__version__}"
    lines = [record.getMessage() for record in caplog.records if record.name == "clarity_api"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /v1/contacts -> 200 in ") and lines[0].endswith(" ms")
    assert lines[1].startswith(f"GET /v1/contacts/{MISSING_ID} -> 404 in ")
    assert token not in caplog.text and token[-20:] not in caplog.text


def test_token_and_base_url_from_the_environment(
    server: LocalServer, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLARITY_API_TOKEN", token)
    monkeypatch.setenv("CLARITY_BASE_URL", server.url + "/")
    with ApiClient() as client:
        assert client.contacts.list().data == []
    monkeypatch.delenv("CLARITY_BASE_URL")
    monkeypatch.delenv("CLARITY_API_TOKEN")
    with pytest.raises(ValueError, match="CLARITY_API_TOKEN"):
        ApiClient()
    assert ApiClient("t")._settings.base_url == "https://api.clarityapp.ai"


def test_a_client_passed_in_stays_open_and_one_made_here_closes(server: LocalServer, token: str) -> None:
    mine = httpx.Client(timeout=5)
    with ApiClient(token, base_url=server.url, http_client=mine) as client:
        client.contacts.list()
    assert not mine.is_closed
    mine.close()

    with ApiClient(token, base_url=server.url, timeout=1.5) as client:
        made: Any = client._http
        assert made.timeout == httpx.Timeout(1.5)
    assert made.is_closed


def test_the_async_client_retries_a_lost_create_under_one_key_and_honours_retry_after(
    server: LocalServer, token: str
) -> None:
    # Given an async transport: a 503 with Retry-After: 2 first, then a send delivered but its answer lost
    real = httpx.AsyncClient()
    seen: list[httpx.Request] = []

    async def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        forwarded = await real.send(
            real.build_request(request.method, request.url, headers=request.headers, content=request.content)
        )
        if request.method == "POST" and len(seen) == 1:
            return httpx.Response(503, json={"type": "api_error", "message": "busy"}, headers={"Retry-After": "2"})
        if request.method == "POST" and len(seen) == 2:
            raise httpx.ReadError("reset", request=request)
        return httpx.Response(forwarded.status_code, headers=forwarded.headers, content=forwarded.content)

    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async def scenario() -> tuple[Any, list[Any]]:
        http_client = httpx.AsyncClient(transport=httpx.MockTransport(transport))
        async with AsyncApiClient(token, base_url=server.url, http_client=http_client, sleep=record) as client:
            made = await client.contacts.create(username=f"Async{uuid.uuid4().hex[:8]}", phone_number=PHONE)
            listed = [contact async for contact in (await client.contacts.list(limit=1)).auto_paging_iter()]
        await http_client.aclose()
        await real.aclose()
        return made, listed

    made, listed = asyncio.run(scenario())
    # Then three attempts under one key made one contact, after 2 s and then a jittered 1 s
    posts = [request for request in seen if request.method == "POST"]
    assert len(posts) == 3 and len({request.headers["Idempotency-Key"] for request in posts}) == 1
    assert sleeps[0] == 2.0 and 0.75 <= sleeps[1] <= 1.0
    assert [contact.id for contact in listed] == [made.id]


def test_keyword_arguments_are_the_api_fields_and_a_left_out_one_is_not_sent(client: ApiClient) -> None:
    frank = client.contacts.create(username=f"frank{uuid.uuid4().hex[:8]}", phone_number="1-800-759-3000")
    named = client.contacts.update(frank.id, display_name="UncleFrank")
    assert named.display_name == "UncleFrank"
    # Left out: not sent, so nothing changes (the API refuses an empty body)
    with pytest.raises(InvalidRequestError):
        client.contacts.update(frank.id)
    # None sends null: the display name is cleared
    assert client.contacts.update(frank.id, display_name=None).display_name is None
    # A misspelled field is Python's TypeError, before any request
    with pytest.raises(TypeError):
        client.contacts.update(frank.id, displayname="x")  # type: ignore[call-arg]
    # Ids go as a list, from any sequence; one string is refused rather than split
    group = client.groups.create(name="Plaza Hotel", contacts=(frank.id,))
    assert [member.id for member in group.contacts] == [frank.id]
    with pytest.raises(TypeError):
        client.groups.update(group.id, contacts=frank.id)
