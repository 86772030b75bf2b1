"""The caller's own user: users/me/."""

import pytest

from accounts.models import Role, User
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, error_fields

pytestmark = pytest.mark.django_db

ME_URL = f"{API}/users/me/"


def test_me_returns_the_callers_user(client_for):
    user = UserFactory.create(email="ada@example.com", display_name="Ada", bio="Maths.")

    response = client_for(user).get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": user.pk,
        "email": "ada@example.com",
        "display_name": "Ada",
        "bio": "Maths.",
        "role": "reader",
        "is_active": True,
        "email_verified": True,
        "date_joined": body["date_joined"],
        "last_login": body["last_login"],
    }
    assert body["last_login"] is not None


def test_me_works_without_a_trailing_slash(client_for):
    response = client_for(UserFactory.create()).get(ME_URL.rstrip("/"))

    assert response.status_code == 200


def test_me_responses_are_private(client_for):
    response = client_for(UserFactory.create()).get(ME_URL)

    assert response.status_code == 200
    assert "password" not in response.json()
    assert "token_version" not in response.json()


def test_patch_me_changes_display_name_and_bio(client_for):
    user = UserFactory.create(display_name="Old")
    client = client_for(user)

    response = client.patch(ME_URL, {"display_name": "New", "bio": "Hello."})

    assert response.status_code == 200
    assert response.json()["display_name"] == "New"
    assert response.json()["bio"] == "Hello."
    user.refresh_from_db()
    assert (user.display_name, user.bio) == ("New", "Hello.")
    assert client.get(ME_URL).json()["display_name"] == "New"


def test_patch_me_ignores_every_field_it_may_not_set(client_for):
    user = UserFactory.create(email="ada@example.com", role=Role.READER)
    client = client_for(user)
    before = User.objects.get(pk=user.pk)

    response = client.patch(
        ME_URL,
        {
            "display_name": "Ada",
            "role": "admin",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "email_verified": False,
            "email_verified_at": None,
            "email": "mallory@example.com",
            "date_joined": "2000-01-01T00:00:00Z",
            "last_login": "2000-01-01T00:00:00Z",
            "token_version": 99,
            "password": "hunter2-hunter2",
            "id": 12345,
        },
    )

    assert response.status_code == 200
    after = User.objects.get(pk=user.pk)
    assert after.display_name == "Ada"
    assert after.role == Role.READER
    assert after.is_active is True
    assert after.email_verified_at == before.email_verified_at
    assert after.email == "ada@example.com"
    assert after.date_joined == before.date_joined
    assert after.token_version == before.token_version
    assert after.password == before.password
    assert after.last_login == before.last_login
    assert not User.objects.filter(pk=12345).exists()
    assert response.json()["role"] == "reader"


@pytest.mark.parametrize(
    ("field", "value"),
    [("display_name", ""), ("display_name", "x" * 81), ("bio", "x" * 501)],
)
def test_patch_me_validates_lengths(client_for, field, value):
    response = client_for(UserFactory.create()).patch(ME_URL, {field: value})

    assert error_fields(response) == {field}


def test_put_and_delete_on_me_are_not_allowed(client_for):
    client = client_for(UserFactory.create())

    assert_error(client.put(ME_URL, {}), 405, "METHOD_NOT_ALLOWED")
    assert_error(client.delete(ME_URL), 405, "METHOD_NOT_ALLOWED")


def test_authenticated_me_runs_no_query_for_the_user_once_cached(
    client_for, django_assert_num_queries
):
    client = client_for(UserFactory.create())
    client.get(ME_URL)  # fills the cache if logging in did not

    with django_assert_num_queries(0):
        response = client.get(ME_URL)

    assert response.status_code == 200


def test_authenticated_me_reads_the_database_when_the_cache_is_empty(
    client_for, django_assert_num_queries
):
    from django.core.cache import cache

    client = client_for(UserFactory.create())
    cache.clear()

    # The user row, its denied access tokens and its revoked token families:
    # authoritative, uncached.
    with django_assert_num_queries(3):
        response = client.get(ME_URL)

    assert response.status_code == 200
