"""Users in the Django admin: who gets in, and every change through the services."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.models import Role, User
from accounts.services import user_revoke_tokens
from accounts.tokens import token_pair_issue
from accounts.user_cache import auth_state_get
from core.admin_site import SHORT_DATETIME_FORMAT
from posts.services import post_create
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    totp_code,
    totp_device_for,
)
from tests.accounts.helpers import API, assert_error, bearer, otp_force_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


def admin_client(user: User) -> Client:
    client = Client()
    otp_force_login(client, user)
    return client


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def boss(admin_user) -> Client:
    return admin_client(admin_user)


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run each admin request's on-commit callbacks, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Who gets in ----------------------------------------------------------------


def test_admin_sees_the_user_change_list(boss):
    UserFactory.create(email="listed@example.com", display_name="Listed Person")

    response = boss.get(reverse(CHANGELIST))

    assert response.status_code == 200
    content = response.content.decode()
    assert "listed@example.com" in content
    assert "Listed Person" in content


def test_user_change_list_shows_short_dates(boss, admin_user):
    response = boss.get(reverse(CHANGELIST))

    joined = timezone.localtime(admin_user.date_joined).strftime(SHORT_DATETIME_FORMAT)
    assert response.status_code == 200
    assert (
        f'<td class="field-date_joined"><span class="nowrap">{joined}</span></td>'
        in (response.content.decode())
    )


def test_change_list_searches_and_filters(boss):
    UserFactory.create(email="turing@example.com", role=Role.AUTHOR)
    UserFactory.create(email="hopper@example.com", role=Role.EDITOR)

    by_search = boss.get(reverse(CHANGELIST), {"q": "turing"})
    by_role = boss.get(reverse(CHANGELIST), {"role__exact": "editor"})

    assert list(
        by_search.context["cl"].result_list.values_list("email", flat=True)
    ) == ["turing@example.com"]
    assert list(by_role.context["cl"].result_list.values_list("email", flat=True)) == [
        "hopper@example.com"
    ]


def test_admin_sees_the_change_form_with_read_only_audit_fields(boss):
    user = UserFactory.create(email="someone@example.com")

    response = boss.get(change_url(user))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"display_name", "bio", "role", "is_active"}
    content = response.content.decode()
    assert "Token version" in content
    assert "the password itself is never stored" in content
    assert user.password not in content


def test_editor_is_refused_users_on_a_page_of_the_admin(admin_user):
    editor = admin_client(UserFactory.create(role=Role.EDITOR))

    response = editor.get(change_url(admin_user))

    assert response.status_code == 403
    assert response.context["site_header"] == "Inkwell administration"
    assert response.context["has_permission"] is True
    assert "Back to the admin index" in response.content.decode()


def test_editor_gets_403_on_the_users_admin(admin_user):
    editor = admin_client(UserFactory.create(role=Role.EDITOR))

    changelist = editor.get(reverse(CHANGELIST))
    change = editor.get(change_url(admin_user))
    index = editor.get(reverse("admin:index"))

    assert changelist.status_code == 403
    assert change.status_code == 403
    assert index.status_code == 200
    assert "accounts" not in {app["app_label"] for app in index.context["app_list"]}


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.READER])
def test_authors_and_readers_cannot_log_in_to_the_admin(role):
    user = UserFactory.create(role=role, email="writer@example.com")
    client = Client()

    response = client.post(
        reverse("admin:login"),
        {"username": "writer@example.com", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get(reverse(CHANGELIST)).status_code == 302
    assert User.objects.get(pk=user.pk).last_login is None


def test_an_admin_logs_in_to_the_admin_with_email_password_and_code(admin_user):
    device = totp_device_for(admin_user)
    client = Client()

    response = client.post(
        reverse("admin:login"),
        {
            "username": admin_user.email.upper(),
            "password": DEFAULT_PASSWORD,
            "otp_token": totp_code(device),
        },
    )

    assert response.status_code == 302
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert User.objects.get(pk=admin_user.pk).last_login is not None


def test_revoking_tokens_also_ends_admin_sessions(admin_user, boss):
    assert boss.get(reverse(CHANGELIST)).status_code == 200

    user_revoke_tokens(user=admin_user)

    assert boss.get(reverse(CHANGELIST)).status_code == 302


# --- Adding and changing ----------------------------------------------------------


def test_add_form_creates_a_user_with_a_validated_password(boss):
    response = boss.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.com",
            "display_name": "New Person",
            "role": "author",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.role == Role.AUTHOR
    assert user.check_password("a-long-passphrase")
    assert response.url == reverse(CHANGELIST)


@pytest.mark.parametrize(
    ("password1", "password2"),
    [("123", "123"), ("a-long-passphrase", "another-passphrase")],
)
def test_add_form_refuses_weak_or_mismatched_passwords(boss, password1, password2):
    response = boss.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "display_name": "New",
            "role": "reader",
            "password1": password1,
            "password2": password2,
        },
    )

    assert response.status_code == 200
    assert "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_change_form_updates_the_role_and_authentication_sees_it_at_once(
    boss, committing
):
    user = UserFactory.create(role=Role.READER)
    auth_state_get(user_id=user.pk)  # cached as a reader

    with committing():
        response = boss.post(
            change_url(user),
            {
                "display_name": user.display_name,
                "bio": "",
                "role": "editor",
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).role == Role.EDITOR
    state = auth_state_get(user_id=user.pk)
    assert state is not None
    assert state.user.role == Role.EDITOR


def test_deactivating_in_the_change_form_revokes_tokens(boss, committing):
    user = UserFactory.create()
    token_pair_issue(user=user)
    auth_state_get(user_id=user.pk)

    with committing():
        boss.post(
            change_url(user),
            {"display_name": user.display_name, "bio": "", "role": "reader"},
        )

    user.refresh_from_db()
    assert (user.is_active, user.token_version) == (False, 1)
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    state = auth_state_get(user_id=user.pk)
    assert state is not None
    assert (state.user.is_active, state.user.token_version) == (False, 1)


def test_demoting_the_last_admin_in_the_form_is_refused_with_a_message(
    boss, admin_user
):
    response = boss.post(
        change_url(admin_user),
        {
            "display_name": admin_user.display_name,
            "bio": "",
            "role": "reader",
            "is_active": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert any("last active admin" in m for m in messages_of(response))
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_deleting_a_user_goes_through_the_service(boss):
    user = UserFactory.create()

    response = boss.post(
        reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_deleting_a_user_with_posts_is_refused(boss):
    author = UserFactory.create(role=Role.AUTHOR)
    post_create(author=author, title="Kept")

    response = boss.post(
        reverse("admin:accounts_user_delete", args=[author.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert response.context["protected"]
    assert User.objects.filter(pk=author.pk).exists()


def test_deleting_the_last_admin_is_refused_with_a_message(boss, admin_user):
    response = boss.post(
        reverse("admin:accounts_user_delete", args=[admin_user.pk]),
        {"post": "yes"},
        follow=True,
    )

    assert any("last active admin" in m for m in messages_of(response))
    assert User.objects.filter(pk=admin_user.pk).exists()


# Django's button on the delete page (with a typographic apostrophe).
CONFIRM = "Yes, I\u2019m sure"


def test_the_last_admin_delete_page_offers_no_confirmation(boss, admin_user):
    response = boss.get(reverse("admin:accounts_user_delete", args=[admin_user.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "The last active admin cannot be demoted" in content
    assert CONFIRM not in content
    assert 'name="post"' not in content
    assert f'href="{change_url(admin_user)}" class="button">Back to the user' in (
        content
    )


def test_another_admin_delete_page_still_offers_the_confirmation(boss, admin_user):
    other = UserFactory.create(role=Role.ADMIN)

    response = boss.get(reverse("admin:accounts_user_delete", args=[other.pk]))

    assert response.status_code == 200
    assert CONFIRM in response.content.decode()
    assert "last active admin" not in response.content.decode()


def test_the_bulk_delete_action_cannot_delete_the_last_admin(boss, admin_user):
    response = run_action(boss, "delete_selected", admin_user)

    assert response.status_code == 200
    assert "No action selected." in messages_of(response)
    assert CONFIRM not in response.content.decode()
    assert User.objects.filter(pk=admin_user.pk).exists()


# --- The token blacklist --------------------------------------------------------

TOKEN_MODELS = ["outstandingtoken", "blacklistedtoken"]


@pytest.fixture
def blacklisted(admin_user):
    """An outstanding refresh token of the admin, blacklisted."""
    token = OutstandingToken.objects.create(
        user=admin_user,
        jti="0123456789abcdef",
        token="refresh",
        expires_at=timezone.now(),
    )
    BlacklistedToken.objects.create(token=token)
    return token


def token_url(model: str, view: str, *args: object) -> str:
    return reverse(f"admin:token_blacklist_{model}_{view}", args=args)


@pytest.mark.parametrize("model", TOKEN_MODELS)
def test_admins_list_the_token_blacklist_without_add_or_actions(
    boss, blacklisted, model
):
    response = boss.get(token_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    assert response.context["action_form"] is None
    assert "0123456789abcdef" in response.content.decode()


@pytest.mark.parametrize("model", TOKEN_MODELS)
def test_the_token_blacklist_cannot_be_added_to(boss, blacklisted, model):
    response = boss.get(token_url(model, "add"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", TOKEN_MODELS)
def test_a_token_blacklist_entry_is_shown_read_only(boss, blacklisted, model):
    pk = (
        blacklisted.pk
        if model == "outstandingtoken"
        else blacklisted.blacklistedtoken.pk
    )
    url = token_url(model, "change", pk)

    page = boss.get(url)
    changed = boss.post(url, {"jti": "changed"})
    deleted = boss.post(token_url(model, "delete", pk), {"post": "yes"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert OutstandingToken.objects.filter(jti="0123456789abcdef").exists()
    assert BlacklistedToken.objects.filter(token=blacklisted).exists()


def test_editors_cannot_see_the_token_blacklist(blacklisted):
    editor = admin_client(UserFactory.create(role=Role.EDITOR))

    index = editor.get(reverse("admin:index"))
    changelist = editor.get(token_url("outstandingtoken", "changelist"))

    assert "token_blacklist" not in {
        app["app_label"] for app in index.context["app_list"]
    }
    assert changelist.status_code == 403


# --- The password page ------------------------------------------------------------

NEW_PASSWORD = "a-brand-new-passphrase"


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def set_password(client: Client, user: User, password1: str, password2: str):
    return client.post(
        password_url(user), {"password1": password1, "password2": password2}
    )


def test_change_form_links_to_the_password_page(boss):
    user = UserFactory.create()

    response = boss.get(change_url(user))

    assert response.status_code == 200
    assert f'href="{password_url(user)}"' in response.content.decode()


def test_password_page_asks_for_the_password_twice_and_nothing_else(boss):
    user = UserFactory.create()

    response = boss.get(password_url(user))

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"password1", "password2"}


def test_editor_gets_403_on_the_password_page(admin_user):
    editor = admin_client(UserFactory.create(role=Role.EDITOR))

    response = editor.get(password_url(admin_user))

    assert response.status_code == 403


def test_password_set_in_the_admin_revokes_every_token(
    boss, committing, api_client, login
):
    user = UserFactory.create()
    old = login(user)

    with committing():
        response = set_password(boss, user, NEW_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == change_url(user)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.token_version == 1
    refused = bearer(api_client, old["access"]).get(f"{API}/users/me/")
    assert_error(refused, 401, "TOKEN_INVALID")


def test_password_page_refuses_a_weak_password(boss):
    user = UserFactory.create()

    response = set_password(boss, user, "123", "123")

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_an_admin_setting_their_own_password_stays_logged_in(boss, admin_user):
    response = set_password(boss, admin_user, NEW_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert boss.get(reverse(CHANGELIST)).status_code == 200
    assert User.objects.get(pk=admin_user.pk).check_password(NEW_PASSWORD)


# --- Actions ------------------------------------------------------------------------


def run_action(client: Client, action: str, *users: User):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [user.pk for user in users]},
        follow=True,
    )


def test_bulk_delete_is_not_offered(boss):
    response = boss.get(reverse(CHANGELIST))

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in choices
    assert {
        "activate",
        "deactivate",
        "set_role_reader",
        "set_role_author",
        "set_role_editor",
        "set_role_admin",
        "revoke_tokens",
    } <= set(choices)


def test_deactivate_action_deactivates_and_revokes(boss):
    first, second = UserFactory.create(), UserFactory.create()

    response = run_action(boss, "deactivate", first, second)

    assert "Updated 2 user(s)." in messages_of(response)
    for user in (first, second):
        user.refresh_from_db()
        assert (user.is_active, user.token_version) == (False, 1)


def test_activate_action_reactivates(boss):
    user = UserFactory.create(is_active=False)

    run_action(boss, "activate", user)

    assert User.objects.get(pk=user.pk).is_active


def test_set_role_action_changes_the_role(boss):
    user = UserFactory.create(role=Role.READER)

    run_action(boss, "set_role_editor", user)

    assert User.objects.get(pk=user.pk).role == Role.EDITOR


def test_revoke_tokens_action_bumps_the_token_version(boss):
    user = UserFactory.create()

    run_action(boss, "revoke_tokens", user)

    assert User.objects.get(pk=user.pk).token_version == 1


def test_actions_report_a_refused_last_admin_and_apply_the_rest(boss, admin_user):
    reader = UserFactory.create(role=Role.READER)

    response = run_action(boss, "set_role_author", admin_user, reader)

    messages = messages_of(response)
    assert any("last active admin" in m for m in messages)
    assert "Updated 1 user(s)." in messages
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN
    assert User.objects.get(pk=reader.pk).role == Role.AUTHOR
