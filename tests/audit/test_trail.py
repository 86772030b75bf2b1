"""Every audited event leaves an entry with its actor, request id and reason."""

import pytest
from django.test import Client
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import User
from accounts.services import user_update
from posts import services
from posts.models import Post, Tag
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.accounts.helpers import otp_force_login
from tests.audit.conftest import API

pytestmark = pytest.mark.django_db


def newest(audit, model: str, object_id: int) -> dict:
    return audit(model=model, object_id=object_id)["results"][0]


def actor(user) -> dict:
    return {"id": user.pk, "display_name": user.display_name}


def changed(entry: dict) -> dict:
    return {c["field"]: (c["old"], c["new"]) for c in entry["changes"]}


def test_creating_a_post_is_recorded_with_its_actor_and_request_id(
    client_for, author, audit
):
    response = client_for(author).post(
        f"{API}/posts/",
        {"title": "Audited", "body": "Text."},
        HTTP_X_REQUEST_ID="req-create-0001",
    )

    assert response.status_code == 201
    entry = newest(audit, "posts.post", response.json()["id"])
    assert entry["action"] == "created"
    assert entry["actor"] == actor(author)
    assert entry["request_id"] == "req-create-0001"
    assert entry["reason"] == "created"
    assert changed(entry)["title"] == (None, "Audited")


def test_editing_a_post_records_the_old_and_new_title(client_for, author, audit):
    post = services.post_create(author=author, title="Before")

    response = client_for(author).patch(
        f"{API}/posts/{post.pk}/", {"title": "After"}, HTTP_X_REQUEST_ID="req-edit-0001"
    )

    assert response.status_code == 200
    entry = newest(audit, "posts.post", post.pk)
    assert entry["action"] == "changed"
    assert entry["reason"] == "edited"
    assert entry["actor"] == actor(author)
    assert entry["request_id"] == "req-edit-0001"
    assert changed(entry)["title"] == ("Before", "After")


def test_publishing_a_post_records_the_status_change(client_for, author, audit):
    post = services.post_create(author=author, title="Soon public")

    response = client_for(author).post(
        f"{API}/posts/{post.pk}/publish/", HTTP_X_REQUEST_ID="req-publish-01"
    )

    assert response.status_code == 200
    entry = newest(audit, "posts.post", post.pk)
    assert entry["reason"] == "published"
    assert entry["request_id"] == "req-publish-01"
    assert entry["actor"] == actor(author)
    assert changed(entry)["status"] == ("draft", "published")
    assert changed(entry)["published_at"][0] is None


def test_deleting_a_post_records_its_last_state(client_for, author, audit):
    post = services.post_create(author=author, title="Doomed")

    response = client_for(author).delete(
        f"{API}/posts/{post.pk}/", HTTP_X_REQUEST_ID="req-delete-01"
    )

    assert response.status_code == 204
    entry = newest(audit, "posts.post", post.pk)
    assert entry["action"] == "deleted"
    assert entry["reason"] == "deleted"
    assert entry["actor"] == actor(author)
    assert entry["request_id"] == "req-delete-01"
    assert changed(entry)["title"] == ("Doomed", None)


def test_tag_changes_of_a_post_are_recorded(client_for, author, audit):
    post = services.post_create(author=author, title="Tagged", tags=["One"])

    response = client_for(author).patch(
        f"{API}/posts/{post.pk}/", {"tags": ["Two"]}, HTTP_X_REQUEST_ID="req-tags-0001"
    )

    assert response.status_code == 200
    one, two = Tag.objects.get(slug="one"), Tag.objects.get(slug="two")
    # One entry per step (save, tag removed, tag added), newest first.
    entries = [
        e
        for e in audit(model="posts.post", object_id=post.pk)["results"]
        if e["request_id"] == "req-tags-0001" and "tags" in changed(e)
    ]
    assert changed(entries[-1])["tags"] == ([one.pk], [])
    assert changed(entries[0])["tags"] == ([], [two.pk])


def test_editing_a_comment_is_recorded(client_for, author, reader, audit):
    post = services.post_publish(post=services.post_create(author=author, title="P"))
    comment = services.comment_create(post=post, author=reader, body="Tpyo")

    response = client_for(reader).patch(
        f"{API}/posts/{post.pk}/comments/{comment.pk}/",
        {"body": "Typo"},
        HTTP_X_REQUEST_ID="req-comment-01",
    )

    assert response.status_code == 200
    entry = newest(audit, "posts.comment", comment.pk)
    assert entry["action"] == "changed"
    assert entry["actor"] == actor(reader)
    assert entry["request_id"] == "req-comment-01"
    assert changed(entry)["body"] == ("Tpyo", "Typo")


def test_a_tag_created_by_a_post_is_recorded(client_for, author, audit):
    response = client_for(author).post(
        f"{API}/posts/",
        {"title": "New tag", "tags": ["Fresh Tag"]},
        HTTP_X_REQUEST_ID="req-newtag-01",
    )

    assert response.status_code == 201
    tag = Tag.objects.get(slug="fresh-tag")
    entry = newest(audit, "posts.tag", tag.pk)
    assert entry["action"] == "created"
    assert entry["actor"] == actor(author)
    assert entry["request_id"] == "req-newtag-01"
    assert changed(entry)["name"] == (None, "Fresh Tag")


def test_a_role_change_is_recorded(client_for, admin_user, reader, audit):
    response = client_for(admin_user).patch(
        f"{API}/users/{reader.pk}/",
        {"role": "author"},
        HTTP_X_REQUEST_ID="req-role-0001",
    )

    assert response.status_code == 200
    entry = newest(audit, "accounts.user", reader.pk)
    assert entry["reason"] == "role changed"
    assert entry["actor"] == actor(admin_user)
    assert entry["request_id"] == "req-role-0001"
    assert changed(entry) == {"role": ("reader", "author")}


def test_a_deactivation_is_one_entry_that_also_revokes_tokens(
    client_for, admin_user, reader, audit
):
    response = client_for(admin_user).patch(
        f"{API}/users/{reader.pk}/",
        {"is_active": False},
        HTTP_X_REQUEST_ID="req-deact-001",
    )

    assert response.status_code == 200
    entry = newest(audit, "accounts.user", reader.pk)
    assert entry["reason"] == "deactivated"
    assert entry["actor"] == actor(admin_user)
    assert entry["request_id"] == "req-deact-001"
    assert changed(entry) == {"is_active": (True, False), "token_version": (0, 1)}


def test_logout_all_records_the_token_revocation(client_for, reader, audit):
    response = client_for(reader).post(
        f"{API}/auth/logout-all/", HTTP_X_REQUEST_ID="req-revoke-01"
    )

    assert response.status_code == 204
    entry = newest(audit, "accounts.user", reader.pk)
    assert entry["reason"] == "tokens revoked"
    assert entry["actor"] == actor(reader)
    assert entry["request_id"] == "req-revoke-01"
    assert changed(entry) == {"token_version": (0, 1)}


def test_a_change_in_the_django_admin_records_the_admin(admin_user, reader, audit):
    client = Client()
    otp_force_login(client, admin_user)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_tokens", "_selected_action": [reader.pk]},
        HTTP_X_REQUEST_ID="req-admin-0001",
    )

    assert response.status_code == 302
    entry = newest(audit, "accounts.user", reader.pk)
    assert entry["reason"] == "tokens revoked"
    assert entry["actor"] == actor(admin_user)
    assert entry["request_id"] == "req-admin-0001"


def test_a_password_change_is_recorded_without_the_hash(client_for, reader, audit):
    response = client_for(reader).post(
        f"{API}/users/me/password/",
        {"current_password": DEFAULT_PASSWORD, "new_password": "a-new-long-passphrase"},
    )

    assert response.status_code == 200
    entry = newest(audit, "accounts.user", reader.pk)
    assert entry["reason"] == "password changed"
    assert changed(entry) == {"token_version": (0, 1)}


def test_the_password_hash_is_never_stored_in_history(reader):
    user_update(user=reader, display_name="Renamed")

    history = User.history.model  # type: ignore[attr-defined]
    columns = {field.name for field in history._meta.fields}
    assert "password" not in columns
    assert "last_login" not in columns
    stored = list(history.objects.filter(id=reader.pk).values())
    assert stored
    assert not any(
        reader.password in str(value) for row in stored for value in row.values()
    )


def test_a_login_is_not_an_audited_change(api_client, reader):
    before = User.history.filter(id=reader.pk).count()  # type: ignore[attr-defined]

    response = api_client.post(
        f"{API}/auth/token/", {"email": reader.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert User.history.filter(id=reader.pk).count() == before  # type: ignore[attr-defined]


def test_a_change_outside_a_request_has_no_actor_and_no_request_id(author, audit):
    post = services.post_create(author=author, title="From a command")

    entry = newest(audit, "posts.post", post.pk)
    assert entry["actor"] is None
    assert entry["request_id"] == ""
    assert entry["api_key_prefix"] == ""


class _ApiKey:
    prefix = "ink_ab12"


class _Request:
    auth = _ApiKey()
    user = None


def test_the_api_key_prefix_of_the_request_is_recorded(author):
    HistoricalRecords.context.request = _Request()
    try:
        post = services.post_create(author=author, title="By key")
    finally:
        del HistoricalRecords.context.request

    record = Post.history.filter(id=post.pk).order_by("history_id").first()  # type: ignore[attr-defined]
    assert record.api_key_prefix == "ink_ab12"


def test_the_admin_history_page_of_a_user_shows_the_change_reason(admin_user, reader):
    user_update(user=reader, role="editor")
    client = Client()
    otp_force_login(client, admin_user)

    response = client.get(reverse("admin:accounts_user_history", args=[reader.pk]))

    assert response.status_code == 200
    assert "role changed" in response.content.decode()
