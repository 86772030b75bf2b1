"""The admin-only user collection: users/ and users/{id}/."""

import pytest

from accounts.models import Role, User
from posts.models import Post
from posts.services import post_create
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, error_fields

pytestmark = pytest.mark.django_db

USERS_URL = f"{API}/users/"


def detail_url(user: User) -> str:
    return f"{USERS_URL}{user.pk}/"


@pytest.fixture
def as_admin(client_for, admin_user):
    return client_for(admin_user)


# --- List ---------------------------------------------------------------------------


def test_admin_lists_users_with_page_numbers(as_admin, admin_user):
    UserFactory.create_batch(3)

    response = as_admin.get(USERS_URL, {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["previous"] is None
    assert "page=2" in body["next"]
    assert [user["id"] for user in body["results"]] == list(
        User.objects.order_by("id").values_list("id", flat=True)[:2]
    )
    assert set(body["results"][0]) == {
        "id",
        "email",
        "display_name",
        "bio",
        "role",
        "is_active",
        "email_verified",
        "date_joined",
        "last_login",
    }


def test_list_filters_by_role_and_active_flag(as_admin):
    editor = UserFactory.create(role=Role.EDITOR)
    UserFactory.create(role=Role.EDITOR, is_active=False)
    UserFactory.create(role=Role.AUTHOR)

    response = as_admin.get(USERS_URL, {"role": "editor", "is_active": "true"})

    assert [user["id"] for user in response.json()["results"]] == [editor.pk]


def test_list_refuses_an_unknown_role_filter(as_admin):
    response = as_admin.get(USERS_URL, {"role": "root"})

    assert error_fields(response) == {"role"}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("is_active=&role=", {"is_active", "role"}),
        ("is_active=", {"is_active"}),
        ("role=", {"role"}),
        ("is_active=maybe", {"is_active"}),
    ],
)
def test_list_refuses_empty_or_unusable_filter_values(as_admin, query, fields):
    response = as_admin.get(f"{USERS_URL}?{query}")

    assert error_fields(response) == fields


def test_list_searches_email_and_display_name(as_admin):
    by_email = UserFactory.create(email="turing@example.com", display_name="Alan")
    by_name = UserFactory.create(
        email="x@example.com", display_name="Joan Turing-Clarke"
    )
    UserFactory.create(email="other@example.com", display_name="Other")

    response = as_admin.get(USERS_URL, {"search": "turing"})

    ids = {user["id"] for user in response.json()["results"]}
    assert ids == {by_email.pk, by_name.pk}


@pytest.mark.parametrize("ordering", ["email", "-email", "display_name"])
def test_list_orders_by_allowed_fields(as_admin, ordering):
    UserFactory.create(email="b@example.com", display_name="Zed")
    UserFactory.create(email="a@example.com", display_name="Amy")

    response = as_admin.get(USERS_URL, {"ordering": ordering})

    expected = list(User.objects.order_by(ordering).values_list("id", flat=True))
    assert [user["id"] for user in response.json()["results"]] == expected


def test_list_orders_by_join_date_newest_first(as_admin, admin_user):
    newer = UserFactory.create()

    response = as_admin.get(USERS_URL, {"ordering": "-date_joined"})

    assert [user["id"] for user in response.json()["results"]] == [
        newer.pk,
        admin_user.pk,
    ]


# --- Create -------------------------------------------------------------------------


def test_admin_creates_a_user_with_a_role(as_admin):
    response = as_admin.post(
        USERS_URL,
        {
            "email": "New.Editor@Example.com",
            "password": "a-long-passphrase",
            "display_name": "Ned",
            "role": "editor",
        },
    )

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(pk=body["id"])
    assert body["email"] == user.email == "new.editor@example.com"
    assert body["role"] == user.role == Role.EDITOR
    assert user.check_password("a-long-passphrase")
    assert "password" not in body


def test_admin_create_applies_the_password_validators(as_admin):
    response = as_admin.post(
        USERS_URL,
        {"email": "n@example.com", "password": "123", "display_name": "N"},
    )

    assert error_fields(response) == {"password"}


def test_admin_create_refuses_a_taken_email(as_admin, admin_user):
    response = as_admin.post(
        USERS_URL,
        {
            "email": admin_user.email.upper(),
            "password": "a-long-passphrase",
            "display_name": "Twin",
        },
    )

    error = assert_error(response, 409, "CONFLICT")
    assert error["message"] == "A user with this e-mail exists."


# --- Read, update, delete ----------------------------------------------------------


def test_admin_reads_any_user_including_the_email(as_admin):
    user = UserFactory.create(email="someone@example.com")

    response = as_admin.get(detail_url(user))

    assert response.status_code == 200
    assert response.json()["email"] == "someone@example.com"


def test_unknown_user_is_not_found(as_admin):
    assert_error(as_admin.get(f"{USERS_URL}999999/"), 404, "NOT_FOUND")


def test_non_numeric_id_is_not_a_route(as_admin):
    assert_error(as_admin.get(f"{USERS_URL}abc/"), 404, "NOT_FOUND")


def test_admin_updates_profile_role_and_active_flag(as_admin):
    user = UserFactory.create(role=Role.READER)

    response = as_admin.patch(
        detail_url(user),
        {"display_name": "Promoted", "bio": "Now writes.", "role": "author"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "author"
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.role) == (
        "Promoted",
        "Now writes.",
        Role.AUTHOR,
    )


def test_admin_patch_ignores_email_and_audit_fields(as_admin):
    user = UserFactory.create(email="keep@example.com")

    response = as_admin.patch(
        detail_url(user),
        {"email": "changed@example.com", "token_version": 9, "date_joined": "2000"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.token_version) == ("keep@example.com", 0)


def test_admin_patch_refuses_an_unknown_role(as_admin):
    user = UserFactory.create()

    response = as_admin.patch(detail_url(user), {"role": "root"})

    assert error_fields(response) == {"role"}


def test_deactivating_a_user_bumps_their_token_version(as_admin):
    user = UserFactory.create()

    response = as_admin.patch(detail_url(user), {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    user.refresh_from_db()
    assert (user.is_active, user.token_version) == (False, 1)


def test_put_is_not_allowed(as_admin):
    user = UserFactory.create()

    assert_error(as_admin.put(detail_url(user), {}), 405, "METHOD_NOT_ALLOWED")


def test_admin_deletes_a_user(as_admin):
    user = UserFactory.create()

    response = as_admin.delete(detail_url(user))

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_user_with_posts_cannot_be_deleted(as_admin):
    author = UserFactory.create(role=Role.AUTHOR)
    post_create(author=author, title="Kept")

    response = as_admin.delete(detail_url(author))

    error = assert_error(response, 409, "CONFLICT")
    assert "deactivate" in error["message"]
    assert User.objects.filter(pk=author.pk).exists()
    assert Post.objects.filter(author=author).count() == 1


def test_a_user_with_posts_can_be_deactivated_instead(as_admin):
    author = UserFactory.create(role=Role.AUTHOR)
    post_create(author=author, title="Kept")

    response = as_admin.patch(detail_url(author), {"is_active": False})

    assert response.status_code == 200
    assert User.objects.get(pk=author.pk).is_active is False


# --- The last active admin ------------------------------------------------------


def test_last_active_admin_cannot_demote_themself(as_admin, admin_user):
    response = as_admin.patch(detail_url(admin_user), {"role": "editor"})

    error = assert_error(response, 409, "CONFLICT")
    assert "last active admin" in error["message"]
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_last_active_admin_cannot_be_deactivated(as_admin, admin_user):
    UserFactory.create(role=Role.ADMIN, is_active=False)

    response = as_admin.patch(detail_url(admin_user), {"is_active": False})

    assert_error(response, 409, "CONFLICT")
    assert User.objects.get(pk=admin_user.pk).is_active


def test_last_active_admin_cannot_be_deleted(as_admin, admin_user):
    response = as_admin.delete(detail_url(admin_user))

    assert_error(response, 409, "CONFLICT")
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_an_admin_can_be_demoted_while_another_remains(as_admin, admin_user):
    other = UserFactory.create(role=Role.ADMIN)

    response = as_admin.patch(detail_url(other), {"role": "reader"})

    assert response.status_code == 200
    assert User.objects.get(pk=other.pk).role == Role.READER


def test_an_admin_may_hand_over_and_step_down(as_admin, admin_user):
    successor = UserFactory.create(role=Role.READER)
    as_admin.patch(detail_url(successor), {"role": "admin"})

    response = as_admin.patch(detail_url(admin_user), {"role": "reader"})

    assert response.status_code == 200
    assert User.objects.get(pk=admin_user.pk).role == Role.READER
