"""The local server over real HTTP: the seed's curl examples verbatim, auth, routing, isolation."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import jwt
import pytest

from devtools.local_issuer import LocalIssuer
from devtools.template import ROOT, function_routes
from tests.http.conftest import SERVER_ENV, LocalServer, start_local_server, stop_local_server

SEED = ROOT.parent / "shared" / "seed" / "conversations-api.txt"
MESSAGES_SEED = ROOT.parent / "shared" / "seed" / "messages-api.md"
CONTACTS_SEED = ROOT.parent / "shared" / "seed" / "contacts-groups-attachments.md"
SEED_BASE_URL = "https://api.clarityapp.ai"


def _seed_curl_commands(seed: Path = SEED, section: str | None = None) -> list[str]:
    """Each `curl ...` example of a seed text (or of its `## section`), with its continuation lines joined."""
    text = seed.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^ *curl .*?(?:\\\n.*?)*$", text, flags=re.MULTILINE)
    return [re.sub(r"\\\n\s*", " ", command.strip()) for command in commands]


def _run_curl(command: str, server: LocalServer, token: str, ids: dict[str, str]) -> tuple[int, str]:
    """Run an example as written, with the reference's base URL, token and example ids replaced."""
    command = command.replace(SEED_BASE_URL, server.url).replace("{token}", token)
    for example_id, real_id in ids.items():
        command = command.replace(example_id, real_id)
    completed = subprocess.run(
        ["bash", "-c", command + ' -sS -w "\\n%{http_code}"'],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    body, _, status = completed.stdout.rpartition("\n")
    return int(status), body


@pytest.mark.skipif(not SEED.exists(), reason="the seed text lives beside the repository in ../shared")
def test_every_seed_curl_example_works_verbatim(server: LocalServer) -> None:
    commands = _seed_curl_commands()
    assert len(commands) == 5
    owner = f"seed-{uuid.uuid4().hex}"
    token = server.token(owner)
    status, _, created = server.request(
        "POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner)
    )
    assert status == 201
    conversation_id = created["id"]
    # The create example's contact, made real: a made-up contact_id is a 400 now.
    contact_id = server.new_contact(owner)
    ids = {"xgQQXg3hrtjh7AvZ": conversation_id, "WAz8eIbvDR60rouK": contact_id}

    results = [_run_curl(command, server, token, ids) for command in commands]

    # list, create (form body), retrieve, update (form body), delete: in the seed's order
    assert [status for status, _ in results] == [200, 201, 200, 200, 204]
    assert '"has_more":false' in results[0][1]
    assert f'"contact_id":"{contact_id}"' in results[1][1]
    assert f'"id":"{conversation_id}"' in results[2][1]
    assert '"is_muted":true' in results[3][1]
    assert results[4][1] == ""


@pytest.mark.skipif(not MESSAGES_SEED.exists(), reason="the seed text lives beside the repository in ../shared")
def test_every_messages_reference_curl_example_works_verbatim(server: LocalServer) -> None:
    commands = _seed_curl_commands(MESSAGES_SEED)
    assert [command.split()[1] for command in commands] == ["-G", "https://api.clarityapp.ai/v1/messages", "-X"]
    owner = f"seed-{uuid.uuid4().hex}"
    token = server.token(owner)
    conversation_id = server.request(
        "POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner)
    )[2]["id"]
    earlier = server.request(
        "POST", "/v1/messages", owner=owner, json_body={"conversation_id": conversation_id, "message": "hi"}
    )[2]
    ids = {"xgQQXg3hrtjh7AvZ": conversation_id, "SIuAFUNKdSYHZF2w": earlier["id"]}

    (list_status, listed), (send_status, sent), (put_status, reacted) = (
        _run_curl(command, server, token, ids) for command in commands
    )

    assert (list_status, json.loads(listed)) == (200, {"has_more": False, "data": [earlier]})
    assert send_status == 201
    assert json.loads(sent)["message"] == "You're what the French call 'les incompetents.'"
    assert json.loads(sent)["conversation_id"] == conversation_id
    assert put_status == 200
    assert json.loads(reacted)["reactions"] == [{"red_angry_face": ["KateMcCallister"]}]
    assert json.loads(reacted)["updated_at"] is not None


@pytest.mark.skipif(not CONTACTS_SEED.exists(), reason="the seed text lives beside the repository in ../shared")
def test_every_contacts_reference_curl_example_works_verbatim(server: LocalServer) -> None:
    commands = _seed_curl_commands(CONTACTS_SEED, section="Contacts")
    assert [command.split()[1] for command in commands] == ["-G", "https://api.clarityapp.ai/v1/contacts", "-X"]
    owner = f"seed-{uuid.uuid4().hex}"
    token = server.token(owner)
    list_active, create, rename = commands

    # The seed's order: the list (active=true: contacts you have a conversation with, none yet),
    # the create (a form body), then the update of the contact just made
    listed = _run_curl(list_active, server, token, {})
    created_status, created_body = _run_curl(create, server, token, {})
    created = json.loads(created_body)
    renamed_status, renamed = _run_curl(rename, server, token, {"WAz8eIbvDR60rouK": created["id"]})

    assert (listed[0], json.loads(listed[1])) == (200, {"has_more": False, "data": []})
    assert created_status == 201
    assert created == {
        "id": created["id"],
        "username": "FrankMcCallister",
        "phone_number": "1-800-759-3000",
        "avatar_url": "https://assets.clarityapp.ai/avatars/frank.jpg",
        "display_name": None,
        "conversation_id": None,
        "last_active_at": None,
        "created_at": created["created_at"],
    }
    assert isinstance(created["created_at"], int)
    assert (renamed_status, json.loads(renamed)) == (200, {**created, "display_name": "UncleFrank"})
    # The contact, still without a conversation, is not active: only the unfiltered list shows it
    assert json.loads(_run_curl(list_active, server, token, {})[1]) == {"has_more": False, "data": []}
    everyone = server.request("GET", "/v1/contacts", owner=owner)[2]
    assert everyone == {"has_more": False, "data": [{**created, "display_name": "UncleFrank"}]}


def test_routes_served_are_exactly_the_templates(server: LocalServer) -> None:
    template_routes = {(r.method, r.path) for r in function_routes()}
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
        for path in ("/v1/conversations", "/v1/conversations/{conversation_id}"):
            concrete = path.replace("{conversation_id}", "A000000000000001")
            status, _, body = server.request(
                method, concrete, json_body={"is_muted": True} if method in {"POST", "PUT", "PATCH"} else None
            )
            if (method, path) in template_routes:
                assert body != {"message": "Not Found"}, (method, path)
            else:
                assert (status, body) == (404, {"message": "Not Found"}), (method, path)


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PATCH", "OPTIONS"])
def test_methods_the_template_does_not_route_are_404_not_501(server: LocalServer, method: str) -> None:
    # Found by schemathesis: the stdlib server answered unknown methods with an HTML 501.
    assert server.request(method, "/v1/conversations")[::2] == (404, {"message": "Not Found"})


@pytest.mark.parametrize("path", ["/", "/v1", "/v2/conversations", "/v1/conversations/a/b"])
def test_unrouted_paths_get_api_gateways_404_even_without_a_token(server: LocalServer, path: str) -> None:
    assert server.request("GET", path, owner=None)[::2] == (404, {"message": "Not Found"})


def test_bad_tokens_are_refused_before_reaching_a_function(server: LocalServer, tmp_path: Path) -> None:
    other_issuer_token = LocalIssuer(tmp_path).token("alice")  # right claims, another key
    expired = server.issuer.token("alice", lifetime_seconds=-10)
    tampered_payload = server.token("mallory").split(".")[1]
    header, _, signature = server.token("alice").split(".")
    tampered = f"{header}.{tampered_payload}.{signature}"

    for token in (None, "", "not-a-jwt", expired, other_issuer_token, tampered):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        status, _, body = server.request("GET", "/v1/conversations", owner=None, headers=headers)
        assert (status, body) == (401, {"message": "Unauthorized"}), token


def test_wrong_audience_and_issuer_are_refused(server: LocalServer) -> None:
    now = int(time.time())
    for claims in (
        {"sub": "alice", "iss": server.issuer.issuer, "aud": "someone-else", "exp": now + 60},
        {"sub": "alice", "iss": "https://evil.example", "aud": server.issuer.audience, "exp": now + 60},
        {"iss": server.issuer.issuer, "aud": server.issuer.audience, "exp": now + 60},
    ):
        token = jwt.encode(claims, server.issuer.secret, algorithm="HS256")
        assert server.request("GET", "/v1/conversations", token=token)[::2] == (401, {"message": "Unauthorized"})


def test_full_flow_with_json_bodies_and_two_isolated_owners(server: LocalServer) -> None:
    alice, bob = f"alice-{uuid.uuid4().hex}", f"bob-{uuid.uuid4().hex}"
    status, headers, created = server.request(
        "POST", "/v1/conversations", owner=alice, json_body=server.conversation_body(alice)
    )
    assert status == 201
    assert headers["Location"] == f"/v1/conversations/{created['id']}"
    path = f"/v1/conversations/{created['id']}"

    assert server.request("GET", path, owner=bob)[0] == 404
    assert server.request("PUT", path, owner=bob, json_body={"is_muted": True})[0] == 404
    assert server.request("DELETE", path, owner=bob)[0] == 404
    assert server.request("GET", "/v1/conversations", owner=bob)[2] == {"has_more": False, "data": []}

    status, _, updated = server.request(
        "PUT", path, owner=alice, json_body={"is_pinned": True, "archived_at": 705103200}
    )
    assert (status, updated["is_pinned"], updated["archived_at"]) == (200, True, 705103200)
    assert server.request("GET", path, owner=alice)[2]["last_opened_at"] is not None
    assert server.request("DELETE", path, owner=alice)[0] == 204
    assert server.request("GET", path, owner=alice)[0] == 404


def test_errors_keep_the_api_format_over_http(server: LocalServer) -> None:
    status, _, body = server.request("GET", "/v1/conversations?limit=0")
    assert status == 400
    assert body["type"] == "invalid_request"
    assert "limit" in body["message"]

    status, _, body = server.request("POST", "/v1/conversations", body=b"x", headers={"Content-Type": "text/plain"})
    assert status == 415


def test_pagination_through_27_conversations_over_http(server: LocalServer) -> None:
    owner = f"pager-{uuid.uuid4().hex}"
    created = {
        server.request("POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner))[2]["id"]
        for _ in range(27)
    }
    seen: list[str] = []
    cursor, pages = "", 0
    while True:
        query = f"?limit=5{'&starting_after=' + cursor if cursor else ''}"
        status, _, page = server.request("GET", f"/v1/conversations{query}", owner=owner)
        assert status == 200
        pages += 1
        seen.extend(c["id"] for c in page["data"])
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["id"]

    assert pages == 6
    assert len(seen) == 27
    assert set(seen) == created


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    local = start_local_server(tmp_path)
    assert local.request("GET", "/v1/conversations")[0] == 200

    output = stop_local_server(local)

    assert local.process.returncode == 0
    assert "Stopped." in output
    assert "GET /v1/conversations 200" in output
    assert "Traceback" not in output


def test_make_token_prints_a_token_the_server_accepts(server: LocalServer) -> None:
    completed = subprocess.run(
        ["make", "-s", "token", "SUB=carol"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LOCAL_KEY_DIR": str(server.key_directory)},
    )
    token = completed.stdout.strip().splitlines()[-1]

    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "carol"
    assert server.request("GET", "/v1/conversations", token=token)[0] == 200


def test_50_concurrent_puts_of_different_fields_all_land(server: LocalServer) -> None:
    owner = f"racer-{uuid.uuid4().hex}"
    created = server.request("POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner))[2]
    path = f"/v1/conversations/{created['id']}"
    sent = {"conversation_id": created["id"], "message": "pin me"}
    pinned_message = server.request("POST", "/v1/messages", owner=owner, json_body=sent)[2]["id"]
    bodies = [
        {"is_pinned": True},
        {"is_muted": True},
        {"archived_at": 705103200},
        {"pinned_message_id": pinned_message},
    ]
    statuses: list[int] = []

    def put(body: dict[str, object]) -> None:
        statuses.append(server.request("PUT", path, owner=owner, json_body=body)[0])

    threads = [threading.Thread(target=put, args=(bodies[n % len(bodies)],)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    _, headers, final = server.request("GET", path, owner=owner)
    assert statuses == [200] * 50
    assert (final["is_pinned"], final["is_muted"], final["archived_at"], final["pinned_message_id"]) == (
        True,
        True,
        705103200,
        pinned_message,
    )
    assert headers["ETag"] == '"51"'


def test_an_external_dynamodb_is_used_and_its_table_created(tmp_path: Path) -> None:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    dynamodb = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    dynamodb.start()
    host, port = dynamodb.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    local = start_local_server(tmp_path, {"DYNAMODB_ENDPOINT_URL": endpoint, "TABLE_NAME": "team-table"})
    try:
        status, _, created = local.request("POST", "/v1/conversations", json_body=local.conversation_body())
    finally:
        stop_local_server(local)
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
        items = client.scan(TableName="team-table")["Items"]
        dynamodb.stop()

    assert status == 201
    assert [item["id"]["S"] for item in items if item["SK"]["S"].startswith("CONV#")] == [created["id"]]


@pytest.mark.parametrize("port", ["abc", "-1", "70000", "30 00"])
def test_a_bad_port_is_one_line_and_a_failing_exit(port: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.local_api"],
        cwd=ROOT, env={**SERVER_ENV, "PORT": port}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [f"make run: PORT must be a number from 0 to 65535, not {port!r}"]


def test_a_port_in_use_is_one_line_and_a_failing_exit() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        completed = subprocess.run(
            [sys.executable, "-m", "devtools.local_api"],
            cwd=ROOT, env={**SERVER_ENV, "PORT": str(port)}, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"make run: cannot listen on 127.0.0.1:{port}: ")
    assert "Traceback" not in completed.stderr


def test_a_chunked_body_is_read_whole_and_the_connection_stays_usable(server: LocalServer) -> None:
    owner = f"chunked-{uuid.uuid4().hex}"
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {server.token(owner)}", "Content-Type": "application/json"}
    contact_id = server.new_contact(owner)

    # When a body comes in chunks (Transfer-Encoding: chunked, no Content-Length)
    chunks = iter([b'{"contact_id": ', f'"{contact_id}"}}'.encode()])
    connection.request("POST", "/v1/conversations", body=chunks, headers=headers, encode_chunked=True)
    created = connection.getresponse()
    created_body = json.loads(created.read())
    # ... the next request on the same connection is read as a request, not as the chunks' end
    connection.request("GET", f"/v1/conversations/{created_body['id']}", headers=headers)
    retrieved = connection.getresponse()

    assert (created.status, retrieved.status) == (201, 200)
    assert json.loads(retrieved.read())["contact_id"] == contact_id
    connection.close()


def test_a_malformed_content_length_is_a_gateway_400(server: LocalServer) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        raw.sendall(b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n")
        # The server answers, then closes the connection: read until it does.
        received = b""
        while chunk := raw.recv(4096):
            received += chunk
        answer = received.decode()

    assert answer.startswith("HTTP/1.1 400")
    assert answer.endswith('{"message":"Bad Request"}')
