"""The custom user model and its manager."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import identify_hasher
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import DeniedAccessToken, Role, User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_create_user_lowercases_email_and_makes_a_reader():
    user = User.objects.create_user(
        "Ada.Lovelace@Example.COM", "pw-unused-1", display_name="Ada"
    )

    assert user.email == "ada.lovelace@example.com"
    assert user.role == Role.READER
    assert user.token_version == 0
    assert user.check_password("pw-unused-1")


def test_email_is_unique_across_letter_case():
    User.objects.create_user("ada@example.com", "x", display_name="Ada")

    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass the manager: the database itself must refuse the duplicate.
        User.objects.bulk_create(
            [User(email="ADA@example.com".lower(), display_name="Twin")]
        )


def test_database_refuses_an_email_that_is_not_lowercase():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create(
            [User(email="Mixed@Example.com", display_name="Mixed")]
        )


def test_database_refuses_an_unknown_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create(
            [User(email="x@example.com", display_name="X", role="root")]
        )


def test_lookup_by_email_ignores_letter_case():
    user = UserFactory.create(email="grace@example.com")

    assert User.objects.get_by_natural_key("GRACE@Example.com") == user


def test_login_backend_ignores_email_letter_case():
    user = UserFactory.create(email="grace@example.com")

    assert authenticate(username="Grace@EXAMPLE.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(username="grace@example.com", password="wrong-password") is None
    assert (
        authenticate(username="nobody@example.com", password=DEFAULT_PASSWORD) is None
    )


def test_inactive_user_cannot_log_in():
    UserFactory.create(email="gone@example.com", is_active=False)

    assert authenticate(username="gone@example.com", password=DEFAULT_PASSWORD) is None


def test_superuser_is_an_admin():
    user = User.objects.create_superuser("root@example.com", "pw-unused-2")

    assert user.role == Role.ADMIN
    assert user.is_superuser
    assert user.is_staff
    assert user.has_perm("accounts.change_user")


@pytest.mark.parametrize(
    ("role", "is_staff", "can_edit_posts", "can_edit_users"),
    [
        (Role.READER, False, False, False),
        (Role.AUTHOR, False, False, False),
        (Role.EDITOR, True, True, False),
        (Role.ADMIN, True, True, True),
    ],
)
def test_staff_status_and_permissions_follow_the_role(
    role, is_staff, can_edit_posts, can_edit_users
):
    user = UserFactory.build(role=role)

    assert user.is_staff is is_staff
    assert user.is_superuser is (role == Role.ADMIN)
    assert user.has_perm("posts.change_post") is can_edit_posts
    assert user.has_perm("accounts.change_user") is can_edit_users
    assert user.has_module_perms("accounts") is can_edit_users


def test_deactivated_admin_loses_staff_and_permissions():
    user = UserFactory.build(role=Role.ADMIN, is_active=False)

    assert not user.is_staff
    assert not user.has_perm("posts.change_post")


def test_role_ranks_in_order():
    assert [role.rank for role in Role] == [0, 1, 2, 3]
    assert UserFactory.build(role=Role.EDITOR).has_role(Role.AUTHOR)
    assert not UserFactory.build(role=Role.AUTHOR).has_role(Role.EDITOR)


def test_passwords_are_hashed_with_argon2id_and_owasp_parameters(settings):
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2idPasswordHasher"]
    user = User(email="hash@example.com", display_name="Hash")

    user.set_password("a-long-passphrase")

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a-long-passphrase")


def test_admin_sessions_end_when_the_token_version_changes():
    user = UserFactory.build(token_version=0)
    before = user.get_session_auth_hash()

    user.token_version = 1

    assert user.get_session_auth_hash() != before


def test_admin_sessions_end_when_the_password_changes():
    user = UserFactory.build()
    before = user.get_session_auth_hash()

    user.set_password("another-passphrase")

    assert user.get_session_auth_hash() != before


def test_a_denied_access_token_is_unique_by_jti():
    user = UserFactory.create()
    expires_at = timezone.now()
    DeniedAccessToken.objects.create(jti="abc", user=user, expires_at=expires_at)

    with pytest.raises(IntegrityError), transaction.atomic():
        DeniedAccessToken.objects.create(jti="abc", user=user, expires_at=expires_at)
