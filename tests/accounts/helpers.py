"""Assertions and request helpers shared by the accounts tests."""

from typing import Any

from django.test import Client
from rest_framework.test import APIClient

API = "/api/v1"


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the status and the error envelope's code; return the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["request_id"] == response["X-Request-ID"]
    return error


def assert_refusal(
    response: Any, code: str, reason: str, *, field: str | None = None
) -> dict[str, Any]:
    """Assert a 401 with the code and one detail naming the reason; return it."""
    error = assert_error(response, 401, code)
    expected = [{"field": field, "code": reason, "message": error["message"]}]
    assert error["details"] == expected, error
    return error


def error_fields(response: Any) -> set[str]:
    """Return the fields named in a VALIDATION_ERROR envelope."""
    error = assert_error(response, 400, "VALIDATION_ERROR")
    return {detail["field"] for detail in error["details"]}


def bearer(client: APIClient, access: str | None) -> APIClient:
    """Send the access token on every following request of this client."""
    if access is None:
        client.credentials()
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def otp_force_login(client: Client, user: Any) -> Client:
    """Log the test client in to the admin as a session that passed a TOTP code.

    ``force_login`` skips the login form, so this also gives the user a
    confirmed device (if it has none) and marks the session verified by it,
    as django-otp's login does.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.mfa import confirmed_totp_device
    from tests.accounts.factories import totp_device_for

    device = confirmed_totp_device(user) or totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
