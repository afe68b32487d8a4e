"""Forbidden destinations: refused at registration, and again at delivery when a name resolves
to one later. DNS and the network are injected (FakeDns, RecordingTransport): these tests
never resolve a name or open a connection, and assert that no delivery was even attempted."""

from collections.abc import Iterator

import pytest

from tests.webhook_support import (
    CONVERSATION_AND_MESSAGE_EVENTS,
    FakeDns,
    RecordingTransport,
    WebhookWorld,
    webhook_world,
)

PUBLIC_ADDRESS = "93.184.215.14"

FORBIDDEN = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",  # the instance metadata service
    "100.64.0.1": "carrier-grade NAT",
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "0.0.0.0": "unspecified",  # noqa: S104 - a forbidden destination, not a bind
    "240.0.0.1": "reserved",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "ff02::1": "multicast",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:169.254.169.254": "link-local",
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 of 169.254.169.254
    "2002:0a00:0001::1": "private",  # 6to4 of 10.0.0.1
}


@pytest.fixture
def dns() -> FakeDns:
    return FakeDns({"hooks.example.com": [PUBLIC_ADDRESS]})


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def world(dns: FakeDns, transport: RecordingTransport) -> Iterator[WebhookWorld]:
    with webhook_world(destinations="public", resolve=dns, send=transport, max_attempts=2) as started:
        yield started


def _literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def register(world: WebhookWorld, url: str) -> tuple[int, str]:
    body = {"name": "x", "url": url, "events": CONVERSATION_AND_MESSAGE_EVENTS}
    response = world.api.request("POST", "/v1/webhooks", json_body=body)
    return response.status, response.json().get("message", "")


@pytest.mark.parametrize(("address", "kind"), FORBIDDEN.items())
def test_a_forbidden_address_is_refused_at_registration_as_a_literal_and_as_a_name(
    world: WebhookWorld, dns: FakeDns, transport: RecordingTransport, address: str, kind: str
) -> None:
    status, message = register(world, f"https://{_literal(address)}/hooks")
    assert status == 400 and kind in message and message.startswith("url "), message

    dns.names["sneaky.example.com"] = [PUBLIC_ADDRESS, address]  # one bad address is enough
    status, message = register(world, "https://sneaky.example.com/hooks")
    assert status == 400 and kind in message and "sneaky.example.com" in message, message

    assert world.api.request("GET", "/v1/webhooks").json()["data"] == []
    assert transport.attempts == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/", "https"),  # http is for local runs only
        ("https://user:secret@hooks.example.com/", "user or password"),
        ("https://nowhere.example.com/", "does not resolve"),
        ("https://hooks.example.com:0/", "port"),
    ],
)
def test_other_urls_that_may_not_be_called_are_refused(
    world: WebhookWorld, transport: RecordingTransport, url: str, words: str
) -> None:
    status, message = register(world, url)
    assert status == 400 and words in message, message
    assert transport.attempts == []


def test_a_public_https_url_is_delivered_to_the_address_that_was_checked(
    world: WebhookWorld, transport: RecordingTransport
) -> None:
    assert register(world, "https://hooks.example.com/clarity?app=1")[0] == 201
    world.api.create()
    world.settle()
    ((destination, address, _, headers),) = transport.attempts
    assert (destination.scheme, destination.host, destination.port) == ("https", "hooks.example.com", 443)
    assert destination.target == "/clarity?app=1"
    assert address == PUBLIC_ADDRESS
    assert headers["x-clarity-delivery-attempt"] == "1"


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.7", "::1", "::ffff:127.0.0.1"])
def test_a_name_that_resolves_to_a_forbidden_address_later_is_refused_at_delivery(
    world: WebhookWorld, dns: FakeDns, transport: RecordingTransport, address: str
) -> None:
    assert register(world, "https://hooks.example.com/clarity")[0] == 201
    dns.names["hooks.example.com"] = [address]  # DNS rebinding after registration
    world.api.create()
    world.run_until(lambda: bool(world.dead_letters_seen()))
    assert transport.attempts == []
    assert dns.asked.count("hooks.example.com") == 1 + 2  # registration, then each of 2 attempts
    (dead,) = world.seen_dead_letters
    assert "refused" in dead["MessageAttributes"]["last_error"]["StringValue"]
