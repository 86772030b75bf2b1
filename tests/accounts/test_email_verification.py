"""E-mail verification: the mail at registration, the link, resending, the flag."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail, signing
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from accounts import verification
from accounts.demo import DEMO_ACCOUNTS
from accounts.models import Role, User
from accounts.services import user_register
from accounts.tasks import send_verification_email
from accounts.verification import verification_token_make
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, otp_force_login

pytestmark = pytest.mark.django_db

REGISTER_URL = f"{API}/auth/register/"
VERIFY_URL = f"{API}/auth/email/verify/"
RESEND_URL = f"{API}/auth/email/verify/resend/"
SIGN_UP = {
    "email": "Grace.Hopper@Example.com",
    "password": "a-long-passphrase",
    "display_name": "Grace",
}
VERIFICATION_TASK = "accounts.tasks.send_verification_email"
LINK = re.compile(r"http://testserver/verify-email\?token=(\S+)")


@pytest.fixture(autouse=True)
def _verification_url(settings):
    settings.EMAIL_VERIFICATION_URL = "http://testserver/verify-email?token={token}"


@pytest.fixture
def rates(settings):
    """Override some throttle rates for one test."""

    def override(**scopes: str) -> None:
        rest_framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **rest_framework,
            "DEFAULT_THROTTLE_RATES": {
                **rest_framework["DEFAULT_THROTTLE_RATES"],
                **scopes,
            },
        }

    return override


def queued_verifications() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=VERIFICATION_TASK))


def unverified(**fields) -> User:
    return UserFactory.create(email_verified_at=None, **fields)


def token_for(user: User) -> str:
    return verification_token_make(user=User.objects.get(pk=user.pk))


def link_from(message) -> str:
    match = LINK.search(message.body)
    assert match is not None, message.body
    return match.group(1)


def verify(api_client, token: str):
    return api_client.post(VERIFY_URL, {"token": token})


def assert_invalid_link(response) -> None:
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {
            "field": "token",
            "code": "invalid",
            "message": "The e-mail verification link is invalid or has expired.",
        }
    ]


def is_verified(user: User) -> bool:
    return User.objects.get(pk=user.pk).is_email_verified


# --- Who starts verified --------------------------------------------------------


def test_self_registration_creates_an_unverified_account(api_client):
    response = api_client.post(REGISTER_URL, SIGN_UP)

    assert response.status_code == 201
    assert response.json()["email_verified"] is False
    assert User.objects.get().email_verified_at is None


def test_an_account_created_by_an_admin_through_the_api_is_verified(
    api_client, client_for
):
    boss = UserFactory.create(role=Role.ADMIN)

    response = client_for(boss).post(
        f"{API}/users/",
        {**SIGN_UP, "role": "author"},
    )

    assert response.status_code == 201
    assert response.json()["email_verified"] is True
    assert is_verified(User.objects.get(pk=response.json()["id"]))
    assert queued_verifications() == []


def test_an_account_added_in_the_django_admin_is_verified():
    client = Client()
    otp_force_login(client, UserFactory.create(role=Role.ADMIN))

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "added@example.com",
            "display_name": "Added",
            "role": "author",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="added@example.com").is_email_verified


def test_a_superuser_is_verified(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-strong-passphrase")

    call_command("createsuperuser", interactive=False, verbosity=0)

    assert User.objects.get(email="root@example.com").is_email_verified


def test_demo_accounts_are_verified_even_when_repaired():
    call_command("seed_demo", verbosity=0)
    User.objects.filter(email="author@example.com").update(email_verified_at=None)

    call_command("seed_demo", verbosity=0)

    emails = [account.email for account in DEMO_ACCOUNTS]
    assert all(user.is_email_verified for user in User.objects.filter(email__in=emails))


# --- The mail at registration ---------------------------------------------------


def test_registration_queues_one_verification_email_and_the_worker_sends_it(
    api_client, run_tasks
):
    api_client.post(REGISTER_URL, SIGN_UP)

    assert len(queued_verifications()) == 1
    assert mail.outbox == []  # the worker sends it, not the request
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace.hopper@example.com"]
    assert message.subject == "Verify your e-mail address for Inkwell"
    assert "within\n48 hours" in message.body
    assert link_from(message)


def test_the_queued_task_carries_the_user_id_and_no_token(api_client, run_tasks):
    api_client.post(REGISTER_URL, SIGN_UP)
    user = User.objects.get()

    (queued,) = queued_verifications()
    run_tasks()

    assert queued.args_kwargs == {"args": [], "kwargs": {"user_id": user.pk}}
    assert link_from(mail.outbox[0]) not in str(queued.args_kwargs)


def sign_up_then_fail() -> None:
    with transaction.atomic():
        user_register(
            email="ghost@example.com",
            password="a-long-passphrase",
            display_name="Ghost",
        )
        raise RuntimeError("the request failed after the sign-up")


def test_a_rolled_back_registration_queues_nothing():
    with pytest.raises(RuntimeError, match="after the sign-up"):
        sign_up_then_fail()

    assert not User.objects.filter(email="ghost@example.com").exists()
    assert queued_verifications() == []


def test_the_task_sends_nothing_to_an_account_verified_meanwhile():
    user = UserFactory.create()

    result = send_verification_email.call(user_id=user.pk)

    assert result == "already verified"
    assert mail.outbox == []


def test_the_task_sends_nothing_to_an_inactive_account():
    user = unverified(is_active=False)

    result = send_verification_email.call(user_id=user.pk)

    assert result == "no active account"
    assert mail.outbox == []


# --- The link -------------------------------------------------------------------


def test_the_mailed_link_verifies_the_account(api_client, run_tasks):
    api_client.post(REGISTER_URL, SIGN_UP)
    run_tasks()
    user = User.objects.get()

    response = verify(api_client, link_from(mail.outbox[0]))

    assert response.status_code == 204
    assert response.content == b""
    assert is_verified(user)


def test_verification_shows_in_users_me_at_once(api_client, client_for):
    user = unverified()
    client = client_for(user)
    assert client.get(f"{API}/users/me/").json()["email_verified"] is False

    verify(api_client, token_for(user))

    assert client.get(f"{API}/users/me/").json()["email_verified"] is True


def test_a_link_works_only_once(api_client):
    user = unverified()
    token = token_for(user)
    assert verify(api_client, token).status_code == 204
    first_stamp = User.objects.get(pk=user.pk).email_verified_at

    response = verify(api_client, token)

    assert_invalid_link(response)
    assert User.objects.get(pk=user.pk).email_verified_at == first_stamp


def test_an_expired_link_is_refused(api_client, settings):
    user = unverified()
    token = token_for(user)

    later = timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_TIMEOUT + 1)
    with freeze_time(later):
        response = verify(api_client, token)

    assert_invalid_link(response)
    assert not is_verified(user)


def test_a_link_within_its_lifetime_works(api_client, settings):
    user = unverified()
    token = token_for(user)

    later = timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_TIMEOUT - 60)
    with freeze_time(later):
        response = verify(api_client, token)

    assert response.status_code == 204


def test_the_lifetime_defaults_to_two_days(settings):
    assert settings.EMAIL_VERIFICATION_TIMEOUT == 2 * 24 * 3600


def test_a_tampered_link_is_refused(api_client):
    user = unverified()
    token = token_for(user)
    last = "A" if token[-1] != "A" else "B"
    tampered = token[:-1] + last

    response = verify(api_client, tampered)

    assert_invalid_link(response)
    assert not is_verified(user)


def test_a_link_for_another_purpose_is_refused(api_client):
    user = unverified()
    token = signing.dumps({"u": user.pk, "e": "x"})  # the default salt

    assert_invalid_link(verify(api_client, token))


@pytest.mark.parametrize("payload", [["u", 1], {"u": "1", "e": "x"}, {"u": 1}])
def test_a_signed_but_malformed_payload_is_refused(api_client, payload):
    token = signing.dumps(payload, salt=verification.SALT)

    assert_invalid_link(verify(api_client, token))


def test_garbage_is_refused_as_an_invalid_link(api_client):
    assert_invalid_link(verify(api_client, "not-a-token"))


def test_a_missing_token_is_a_validation_error_on_token(api_client):
    response = api_client.post(VERIFY_URL, {})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in error["details"]] == ["token"]


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(api_client):
    user = unverified(email="old@example.com")
    token = token_for(user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")

    response = verify(api_client, token)

    assert_invalid_link(response)
    assert not is_verified(user)


def test_a_link_for_a_deactivated_account_is_refused(api_client):
    user = unverified()
    token = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_invalid_link(verify(api_client, token))


def test_a_link_for_a_deleted_account_is_refused(api_client):
    user = unverified()
    token = token_for(user)
    user.delete()

    assert_invalid_link(verify(api_client, token))


def test_the_link_ignores_a_stale_authorization_header(api_client):
    user = unverified()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    assert verify(api_client, token_for(user)).status_code == 204


# --- Resending ------------------------------------------------------------------


def test_resend_queues_a_new_mail_with_a_working_link(
    api_client, client_for, run_tasks
):
    user = unverified()

    response = client_for(user).post(RESEND_URL)

    assert response.status_code == 202
    assert response.json() == {
        "detail": "A new verification link is on its way to your address."
    }
    assert len(queued_verifications()) == 1
    run_tasks()
    assert mail.outbox[0].to == [user.email]
    assert verify(api_client, link_from(mail.outbox[0])).status_code == 204


def test_resend_when_already_verified_is_a_conflict(client_for):
    response = client_for(UserFactory.create()).post(RESEND_URL)

    error = assert_error(response, 409, "CONFLICT")
    assert error["message"] == "This e-mail address is already verified."
    assert queued_verifications() == []


def test_resend_needs_credentials(api_client):
    assert_error(api_client.post(RESEND_URL), 401, "NOT_AUTHENTICATED")


def test_resend_is_throttled_per_user(client_for, rates):
    rates(email_verification="2/hour")
    user, other = unverified(), unverified()
    client = client_for(user)

    answers = [client.post(RESEND_URL).status_code for _ in range(2)]
    throttled = client.post(RESEND_URL)

    assert answers == [202, 202]
    assert_error(throttled, 429, "THROTTLED")
    assert int(throttled["Retry-After"]) >= 1
    assert client_for(other).post(RESEND_URL).status_code == 202
    assert len(queued_verifications()) == 3


def test_resend_is_throttled_at_three_an_hour_by_default(client_for):
    client = client_for(unverified())

    answers = [client.post(RESEND_URL).status_code for _ in range(4)]

    assert answers == [202, 202, 202, 429]


# --- The admin ------------------------------------------------------------------


@pytest.fixture
def boss() -> Client:
    client = Client()
    otp_force_login(
        client, UserFactory.create(role=Role.ADMIN, email="boss@example.com")
    )
    return client


def test_the_change_list_shows_and_filters_the_verified_flag(boss):
    unverified(email="fresh@example.com")
    UserFactory.create(email="proven@example.com")
    changelist = reverse("admin:accounts_user_changelist")

    shown = boss.get(changelist)
    pending = boss.get(changelist, {"email_verified": "no"})
    done = boss.get(changelist, {"email_verified": "yes"})

    assert "E-mail verified" in shown.content.decode()
    assert list(pending.context["cl"].result_list.values_list("email", flat=True)) == [
        "fresh@example.com"
    ]
    assert set(done.context["cl"].result_list.values_list("email", flat=True)) == {
        "boss@example.com",
        "proven@example.com",
    }


def test_the_change_form_shows_when_the_address_was_verified(boss):
    user = UserFactory.create()

    response = boss.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    assert "email_verified_at" in response.context["adminform"].readonly_fields
    assert "E-mail verified at" in response.content.decode()


def test_the_mark_verified_action_verifies_the_selected_users(boss):
    first, second = unverified(), unverified()
    already = UserFactory.create()
    stamp = already.email_verified_at

    response = boss.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "mark_email_verified",
            "_selected_action": [first.pk, second.pk, already.pk],
        },
    )

    assert response.status_code == 302
    assert is_verified(first)
    assert is_verified(second)
    assert User.objects.get(pk=already.pk).email_verified_at == stamp


# --- Existing accounts ----------------------------------------------------------


def test_the_data_migration_verifies_every_existing_account():
    migration = import_module("accounts.migrations.0006_verify_existing_users")
    user = unverified()

    migration.verify_existing_users(apps, None)

    assert is_verified(user)
