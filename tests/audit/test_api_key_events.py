"""API keys in the audit trail: creation, revocation, and writes made with a key."""

import pytest

from accounts.models import ApiKey
from tests.audit.conftest import API

pytestmark = pytest.mark.django_db


def test_creating_and_revoking_a_key_are_recorded_without_its_secret(
    client_for, admin_user, author, audit
):
    boss = client_for(admin_user)
    created = boss.post(
        f"{API}/users/{author.pk}/api-keys/",
        {"name": "importer", "scope": "role"},
        HTTP_X_REQUEST_ID="req-key-create",
    )
    assert created.status_code == 201, created.content
    key = ApiKey.objects.get()
    revoked = boss.delete(
        f"{API}/users/{author.pk}/api-keys/{key.pk}/",
        HTTP_X_REQUEST_ID="req-key-revoke",
    )
    assert revoked.status_code == 204

    revocation, creation = audit(model="accounts.apikey", object_id=key.pk)["results"]
    assert creation["action"] == "created"
    assert creation["reason"] == "API key created"
    assert creation["request_id"] == "req-key-create"
    assert creation["actor"] == {"id": admin_user.pk, "display_name": "Ada Admin"}
    assert "secret_hash" not in {c["field"] for c in creation["changes"]}
    assert revocation["reason"] == "API key revoked"
    assert revocation["request_id"] == "req-key-revoke"
    assert [c["field"] for c in revocation["changes"]] == ["revoked_at"]


def test_a_write_made_with_a_key_records_the_key_and_its_user(
    client_for, admin_user, author, audit, api_client
):
    created = client_for(admin_user).post(
        f"{API}/users/{author.pk}/api-keys/", {"name": "bot", "scope": "role"}
    )
    key = created.json()["key"]

    response = api_client.post(
        f"{API}/posts/",
        {"title": "Posted by a bot", "body": "Hello."},
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_REQUEST_ID="req-by-key",
    )

    assert response.status_code == 201, response.content
    entry = audit(model="posts.post", object_id=response.json()["id"])["results"][0]
    assert entry["actor"] == {"id": author.pk, "display_name": "Aria Author"}
    assert entry["api_key_prefix"] == ApiKey.objects.get().prefix
    assert entry["request_id"] == "req-by-key"
