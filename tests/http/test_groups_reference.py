"""The reference's groups examples, and `active=true` once a contact has a conversation, run
verbatim with curl against the local server over real HTTP."""

import json
import uuid

import pytest

from tests.http.conftest import LocalServer
from tests.http.test_local_server import CONTACTS_SEED, _run_curl, _seed_curl_commands


@pytest.mark.skipif(not CONTACTS_SEED.exists(), reason="the seed text lives beside the repository in ../shared")
def test_every_groups_reference_curl_example_works_verbatim(server: LocalServer) -> None:
    create, describe = _seed_curl_commands(CONTACTS_SEED, section="Groups")
    owner = f"seed-{uuid.uuid4().hex}"
    token = server.token(owner)

    created_status, created_body = _run_curl(create, server, token, {})
    created = json.loads(created_body)
    described_status, described = _run_curl(describe, server, token, {"L7cGNIBKZiNJ6wqF": created["id"]})

    # The reference's example response: no description or avatar, a conversation, no members
    assert created_status == 201
    assert created == {
        "id": created["id"],
        "name": "Plaza Hotel",
        "description": None,
        "avatar_url": None,
        "conversation_id": created["conversation_id"],
        "contacts": [],
        "created_at": created["created_at"],
        "archived_at": None,
    }
    assert created["conversation_id"] is not None
    assert (described_status, json.loads(described)) == (
        200,
        {**created, "description": "The finest in New York."},
    )
    status, _, conversation = server.request("GET", f"/v1/conversations/{created['conversation_id']}", owner=owner)
    assert (status, conversation["group_id"], conversation["contact_id"]) == (200, created["id"], None)


@pytest.mark.skipif(not CONTACTS_SEED.exists(), reason="the seed text lives beside the repository in ../shared")
def test_the_active_contacts_example_lists_a_contact_once_it_has_a_conversation(server: LocalServer) -> None:
    list_active = _seed_curl_commands(CONTACTS_SEED, section="Contacts")[0]
    owner = f"seed-{uuid.uuid4().hex}"
    token = server.token(owner)
    body = {"username": "KevinMcCallister", "phone_number": "+14155550100"}
    contact = server.request("POST", "/v1/contacts", owner=owner, json_body=body)[2]
    idle = server.request("POST", "/v1/contacts", owner=owner, json_body={**body, "username": "Buzz"})[2]

    status, _, conversation = server.request(
        "POST", "/v1/conversations", owner=owner, json_body={"contact_id": contact["id"]}
    )

    assert status == 201
    listed_status, listed = _run_curl(list_active, server, token, {})
    linked = {**contact, "conversation_id": conversation["id"]}
    assert (listed_status, json.loads(listed)) == (200, {"has_more": False, "data": [linked]})
    assert idle["id"] not in listed
