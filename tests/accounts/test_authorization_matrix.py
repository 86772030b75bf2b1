"""Who may call what: every accounts endpoint x caller role x method.

The order of checks in docs/security.md holds: 401 without valid
credentials, then 403 when the role forbids the action; 405 only for
callers who may use the path.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_challenge_issue
from accounts.models import Role, User
from accounts.services import api_key_create
from accounts.tokens import TokenPair, token_pair_issue
from accounts.user_cache import auth_state_refresh
from accounts.verification import verification_token_make
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    totp_code,
    totp_device_for,
)
from tests.accounts.helpers import API, assert_error

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", Role.READER, Role.AUTHOR, Role.EDITOR, Role.ADMIN)
ERROR_CODES = {
    401: "NOT_AUTHENTICATED",
    403: "PERMISSION_DENIED",
    405: "METHOD_NOT_ALLOWED",
}
NEW_PASSWORD = "a-brand-new-passphrase"


@dataclass
class Context:
    caller: User | None
    caller_pair: TokenPair | None
    target: User
    target_pair: TokenPair


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    statuses: tuple[int, int, int, int, int]  # in CALLERS order
    body: Callable[[Context], dict[str, Any]] | None = None


def new_account(ctx: Context) -> dict[str, Any]:
    return {
        "email": "newcomer@example.com",
        "password": NEW_PASSWORD,
        "display_name": "Newcomer",
        "role": "author",
    }


def reset_link(ctx: Context) -> dict[str, Any]:
    target = User.objects.get(pk=ctx.target.pk)
    return {
        "uid": urlsafe_base64_encode(force_bytes(target.pk)),
        "token": default_token_generator.make_token(target),
        "new_password": NEW_PASSWORD,
    }


def unverify(user: User) -> None:
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    auth_state_refresh(user_id=user.pk)


def verification_link(ctx: Context) -> dict[str, Any]:
    unverify(ctx.target)
    return {"token": verification_token_make(user=ctx.target)}


def unverified_caller(ctx: Context) -> dict[str, Any]:
    if ctx.caller is not None:
        unverify(ctx.caller)
    return {}


def second_step(ctx: Context) -> dict[str, Any]:
    device = totp_device_for(ctx.target)
    ctx.target.refresh_from_db()  # logged in: the challenge names its last login
    challenge = mfa_challenge_issue(user=ctx.target)["challenge"]
    return {"challenge": challenge, "code": totp_code(device)}


def pending_device_code(ctx: Context) -> dict[str, Any]:
    if ctx.caller is None:
        return {"code": "000000"}
    device = TOTPDevice.objects.create(user=ctx.caller, confirmed=False)
    return {"code": totp_code(device)}


def password_and_code(ctx: Context) -> dict[str, Any]:
    if ctx.caller is None:
        return {"password": DEFAULT_PASSWORD, "code": "000000"}
    device = totp_device_for(ctx.caller)
    return {"password": DEFAULT_PASSWORD, "code": totp_code(device)}


def own_refresh(ctx: Context) -> dict[str, Any]:
    pair = ctx.caller_pair or ctx.target_pair
    return {"refresh": pair["refresh"]}


PUBLIC_OK = 200, 200, 200, 200, 200
SELF = 401, 200, 200, 200, 200
ADMIN = 401, 403, 403, 403, 200

ENDPOINTS = [
    Endpoint("post", "auth/register/", (201,) * 5, new_account),
    Endpoint("get", "auth/register/", (405,) * 5),
    Endpoint("post", "auth/token/", PUBLIC_OK, lambda ctx: {
        "email": ctx.target.email, "password": DEFAULT_PASSWORD,
    }),
    Endpoint("get", "auth/token/", (405,) * 5),
    Endpoint("post", "auth/token/mfa/", PUBLIC_OK, second_step),
    Endpoint("post", "auth/token/refresh/", PUBLIC_OK, lambda ctx: {
        "refresh": ctx.target_pair["refresh"],
    }),
    Endpoint("post", "auth/logout/", (401, 204, 204, 204, 204), own_refresh),
    Endpoint("post", "auth/logout-all/", (401, 204, 204, 204, 204)),
    Endpoint("post", "auth/password/reset/", (202,) * 5, lambda ctx: {
        "email": ctx.target.email,
    }),
    Endpoint("post", "auth/password/reset/confirm/", (204,) * 5, reset_link),
    Endpoint("post", "auth/email/verify/", (204,) * 5, verification_link),
    Endpoint("post", "auth/email/verify/resend/", (401, 202, 202, 202, 202),
             unverified_caller),
    Endpoint("get", "users/me/", SELF),
    Endpoint("patch", "users/me/", SELF, lambda ctx: {"display_name": "Renamed"}),
    Endpoint("put", "users/me/", (401, 405, 405, 405, 405), lambda ctx: {}),
    Endpoint("delete", "users/me/", (401, 405, 405, 405, 405)),
    Endpoint("post", "users/me/password/", SELF, lambda ctx: {
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
    }),
    Endpoint("get", "users/me/mfa/", SELF),
    Endpoint("post", "users/me/mfa/totp/", (401, 201, 201, 201, 201)),
    Endpoint("post", "users/me/mfa/totp/confirm/", SELF, pending_device_code),
    Endpoint("delete", "users/me/mfa/totp/", (401, 204, 204, 204, 204),
             password_and_code),
    Endpoint("get", "users/", ADMIN),
    Endpoint("post", "users/", (401, 403, 403, 403, 201), new_account),
    Endpoint("get", "users/{target}/", ADMIN),
    Endpoint("patch", "users/{target}/", ADMIN, lambda ctx: {"role": "author"}),
    Endpoint("put", "users/{target}/", (401, 403, 403, 403, 405), lambda ctx: {}),
    Endpoint("delete", "users/{target}/", (401, 403, 403, 403, 204)),
    Endpoint("get", "users/{target}/api-keys/", ADMIN),
    Endpoint("post", "users/{target}/api-keys/", (401, 403, 403, 403, 201),
             lambda ctx: {"name": "Exporter", "scope": "read"}),
    Endpoint("get", "users/{target}/api-keys/{key}/", (401, 403, 403, 403, 405)),
    Endpoint("delete", "users/{target}/api-keys/{key}/", (401, 403, 403, 403, 204)),
]  # fmt: skip

CASES = [
    pytest.param(
        endpoint, caller, status, id=f"{endpoint.method} {endpoint.path} {caller}"
    )
    for endpoint in ENDPOINTS
    for caller, status in zip(CALLERS, endpoint.statuses, strict=True)
]


def test_the_matrix_covers_every_accounts_route():
    from accounts.urls import urlpatterns

    routes = {str(pattern.pattern) for pattern in urlpatterns}
    covered = {
        endpoint.path.replace("{target}", "1").replace("{key}", "1")
        for endpoint in ENDPOINTS
    }

    assert len(routes) == 19
    for route in routes:
        assert any(_matches(route, path) for path in covered), route


def _matches(route: str, path: str) -> bool:
    return re.fullmatch(route, path) is not None


@pytest.mark.parametrize(("endpoint", "caller", "status"), CASES)
def test_endpoint_answers_each_caller_as_designed(
    api_client, login, endpoint, caller, status
):
    target = UserFactory.create(role=Role.READER, email="target@example.com")
    ctx = Context(
        caller=None, caller_pair=None, target=target, target_pair=login(target)
    )
    if caller != "anonymous":
        ctx.caller = UserFactory.create(role=caller)
        # Staff as after a second factor (their operations need one), without
        # a device, so that every caller can enrol.
        ctx.caller_pair = (
            token_pair_issue(user=ctx.caller, mfa=True)
            if ctx.caller.is_staff
            else login(ctx.caller)
        )
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {ctx.caller_pair['access']}")
    key_id = None
    if "{key}" in endpoint.path:
        key_id = api_key_create(user=target, name="Exporter").api_key.pk
    path = f"{API}/{endpoint.path.format(target=target.pk, key=key_id)}"
    body = endpoint.body(ctx) if endpoint.body else None

    response = getattr(api_client, endpoint.method)(path, body)

    if status in ERROR_CODES:
        assert_error(response, status, ERROR_CODES[status])
    else:
        assert response.status_code == status, response.content
        if status == 204:
            assert response.content == b""
        else:
            assert "error" not in response.json()


def test_the_matrix_calls_as_every_role_and_anonymous():
    assert set(CALLERS) - {"anonymous"} == set(Role)
