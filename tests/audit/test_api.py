"""GET /api/v1/audit/: admins only, one model's trail a page at a time, filtered."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accounts.services import user_update
from posts import services
from tests.accounts.helpers import assert_error, error_fields
from tests.audit.conftest import API
from tests.posts.conftest import api_client_as

pytestmark = pytest.mark.django_db

ENTRY_KEYS = {
    "id",
    "model",
    "object_id",
    "action",
    "changes",
    "actor",
    "api_key_prefix",
    "request_id",
    "reason",
    "at",
}


def test_anonymous_callers_get_401(api_client):
    response = api_client.get(f"{API}/audit/", {"model": "posts.post"})

    assert_error(response, 401, "NOT_AUTHENTICATED")


def test_non_admins_get_403(author):
    response = api_client_as(author).get(f"{API}/audit/", {"model": "posts.post"})

    assert_error(response, 403, "PERMISSION_DENIED")


def test_the_model_parameter_is_required(admin_user):
    response = api_client_as(admin_user).get(f"{API}/audit/")

    assert error_fields(response) == {"model"}


@pytest.mark.parametrize("model", ["", "posts.like", "accounts.User", "auth.group"])
def test_an_unknown_model_is_a_validation_error(admin_user, model):
    response = api_client_as(admin_user).get(f"{API}/audit/", {"model": model})

    assert error_fields(response) == {"model"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("object_id", "abc"),
        ("object_id", "99999999999999999999999"),
        ("actor", "0"),
        ("since", "yesterday"),
        ("until", "2026-01-01"),
    ],
)
def test_an_unusable_filter_value_is_a_validation_error(admin_user, name, value):
    response = api_client_as(admin_user).get(
        f"{API}/audit/", {"model": "posts.post", name: value}
    )

    assert error_fields(response) == {name}


def test_an_entry_has_the_documented_shape(author, audit):
    post = services.post_create(author=author, title="Shape")

    body = audit(model="posts.post")

    assert set(body) == {"count", "next", "previous", "results"}
    (entry,) = body["results"]
    assert set(entry) == ENTRY_KEYS
    assert entry["model"] == "posts.post"
    assert entry["object_id"] == post.pk
    assert entry["action"] == "created"
    assert {"field", "old", "new"} == set(entry["changes"][0])


def test_entries_come_newest_first(author, audit):
    post = services.post_create(author=author, title="First")
    services.post_update(post=post, title="Second")

    titles = [
        {c["field"]: c["new"] for c in e["changes"]}.get("title")
        for e in audit(model="posts.post", object_id=post.pk)["results"]
    ]

    assert titles == ["Second", "First"]


def test_pages_follow_the_page_size(author, audit):
    post = services.post_create(author=author, title="Paged")
    for n in range(4):
        services.post_update(post=post, title=f"Edit {n}")

    body = audit(model="posts.post", page_size=2)

    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert body["previous"] is None


def test_object_id_selects_one_objects_trail(author, audit):
    kept = services.post_create(author=author, title="Kept")
    services.post_create(author=author, title="Other")

    results = audit(model="posts.post", object_id=kept.pk)["results"]

    assert [e["object_id"] for e in results] == [kept.pk]


def test_actor_selects_one_users_changes(client_for, author, reader, admin_user, audit):
    client_for(admin_user).patch(f"{API}/users/{reader.pk}/", {"role": "author"})
    user_update(user=author, bio="Changed outside a request")

    results = audit(model="accounts.user", actor=admin_user.pk)["results"]

    assert [(e["object_id"], e["reason"]) for e in results] == [
        (reader.pk, "role changed")
    ]


def test_since_and_until_bound_the_time(author, audit):
    start = timezone.now()
    with freeze_time(start - timedelta(days=2)):
        services.post_create(author=author, title="Old")
    with freeze_time(start):
        recent = services.post_create(author=author, title="Recent")
    with freeze_time(start + timedelta(days=2)):
        services.post_create(author=author, title="Future")

    results = audit(
        model="posts.post",
        since=(start - timedelta(days=1)).isoformat(),
        until=(start + timedelta(days=1)).isoformat(),
    )["results"]

    assert [e["object_id"] for e in results] == [recent.pk]


def test_user_entries_never_show_the_password(client_for, reader, audit):
    client_for(reader).post(
        f"{API}/users/me/password/",
        {"current_password": "correct-horse-battery", "new_password": "x-long-pass-1"},
    )
    reader.refresh_from_db()

    body = audit(model="accounts.user", object_id=reader.pk)

    fields = {c["field"] for e in body["results"] for c in e["changes"]}
    assert "password" not in fields
    assert "last_login" not in fields
    assert reader.password not in str(body)


def test_an_admin_without_a_second_factor_cannot_read_the_audit(admin_user):
    response = api_client_as(admin_user, mfa=False).get(
        f"{API}/audit/", {"model": "posts.post"}
    )

    assert_error(response, 403, "MFA_REQUIRED")
