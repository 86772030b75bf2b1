"""Assertions and request helpers shared by the accounts tests."""

from typing import Any

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
