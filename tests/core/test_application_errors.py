"""Domain errors raised below a DRF view render as the envelope of their kind."""

import pytest

from tests.accounts.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


def raised(client, name):
    return client.get(f"/api/v1/_test/application-error/{name}/")


def test_invalid_input_is_a_validation_error_on_its_field(client):
    error = assert_error(raised(client, "invalid"), 400, "VALIDATION_ERROR")

    assert error["details"] == [
        {"field": "tags.1", "code": "invalid_tag", "message": "Not a tag name."}
    ]


def test_a_missing_object_is_not_found_with_its_message(client):
    error = assert_error(raised(client, "missing"), 404, "NOT_FOUND")

    assert error["message"] == "No such post."


def test_a_state_conflict_is_a_conflict(client):
    error = assert_error(raised(client, "conflict"), 409, "CONFLICT")

    assert error["message"] == "Already taken."


def test_a_rate_limit_is_throttled_with_retry_after(client):
    response = raised(client, "limited")

    assert_error(response, 429, "THROTTLED")
    assert response["Retry-After"] == "13"


def test_a_django_validation_error_is_a_validation_error_per_field(client):
    error = assert_error(raised(client, "django-invalid"), 400, "VALIDATION_ERROR")

    assert [(d["field"], d["message"]) for d in error["details"]] == [
        ("email", "Enter a valid e-mail.")
    ]
