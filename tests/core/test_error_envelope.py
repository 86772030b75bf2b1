"""The error envelope and request ids on errors raised inside and outside DRF."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


def assert_envelope(response, status, code):
    """Assert the status, the envelope's shape and code, and the request id match."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)
    assert error["request_id"] == response["X-Request-ID"]
    return error


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def client():
    # Errors must come back as responses, not be re-raised into the test.
    return Client(raise_request_exception=False)


def test_unknown_api_path_answers_404_envelope(client, debug):
    response = client.get("/api/v1/no-such-thing/")

    assert_envelope(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_path_answers_404_to_every_method(method, debug):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = getattr(client, method)("/api/v1/no-such-thing/")

    assert_envelope(response, 404, "NOT_FOUND")


def test_unknown_api_version_answers_404_envelope(client, debug):
    response = client.post("/api/v9/posts/", data={}, content_type="application/json")

    assert_envelope(response, 404, "NOT_FOUND")


def test_unhandled_exception_in_drf_view_is_500_without_traceback(
    client, debug, caplog
):
    response = client.get("/api/v1/_test/boom/")

    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # Logged exactly once, with the traceback, for operators.
    logged = [r for r in caplog.records if r.exc_info and r.levelname == "ERROR"]
    assert len(logged) == 1
    assert error["request_id"]


def test_unhandled_exception_in_plain_view_is_500_envelope(client, debug, caplog):
    response = client.get("/api/v1/_test/plain-boom/")

    assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.content.decode()
    assert len([r for r in caplog.records if r.exc_info]) == 1


def test_unhandled_exception_outside_api_keeps_django_html_page(client, caplog):
    response = client.get("/_test/plain-boom/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert len([r for r in caplog.records if r.exc_info]) == 1


def failing_response_cache(monkeypatch, exception):
    """Make the response cache middleware raise, as if its lookup failed."""

    def fail(request):
        raise exception

    monkeypatch.setattr("core.response_cache._cacheable_query", fail)


def test_a_database_outage_met_in_a_middleware_is_503_with_retry_after(
    client, monkeypatch, caplog
):
    failing_response_cache(monkeypatch, OperationalError("connection refused"))

    response = client.get("/api/v1/no-such-thing/")

    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response["Retry-After"]) > 0
    assert [r.levelname for r in caplog.records if r.name == "core.exceptions"] == [
        "WARNING"
    ]


def test_an_exception_in_a_middleware_is_500_envelope_logged_once(
    client, monkeypatch, caplog
):
    failing_response_cache(monkeypatch, RuntimeError("secret internals"))

    response = client.get("/api/v1/no-such-thing/")

    assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.content.decode()
    logged = [r for r in caplog.records if r.exc_info and r.levelname == "ERROR"]
    assert len(logged) == 1


def test_unknown_path_outside_api_keeps_django_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_database_unreachable_is_503_with_retry_after(client):
    response = client.get("/api/v1/_test/db-down/")

    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response["Retry-After"]) > 0


def test_method_not_allowed_is_405_envelope(client):
    response = client.delete("/api/v1/_test/boom/")

    error = assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert error["message"] == (
        'Method "DELETE" is not allowed here: use GET, POST, HEAD.'
    )


def test_validation_errors_use_dotted_paths_for_nested_and_list_fields(client):
    payload = {
        "title": "x" * 11,
        "tags": [{"name": "ok"}, {"name": "toolong"}],
        "labels": ["a", "long"],
    }

    response = client.post(
        "/api/v1/_test/boom/", data=payload, content_type="application/json"
    )

    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    fields = {detail["field"]: detail for detail in error["details"]}
    assert set(fields) == {"title", "tags.1.name", "labels.1"}
    assert fields["title"]["code"] == "max_length"
    assert fields["tags.1.name"]["code"] == "max_length"
    assert "5 characters" in fields["tags.1.name"]["message"]


def test_malformed_json_is_parse_error(client):
    response = client.post(
        "/api/v1/_test/boom/", data="{not json", content_type="application/json"
    )

    assert_envelope(response, 400, "PARSE_ERROR")


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain"]
)
def test_non_json_body_is_unsupported_media_type(client, content_type):
    response = client.post(
        "/api/v1/_test/boom/", data="title=x", content_type=content_type
    )

    error = assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert error["message"] == (
        f'Unsupported media type "{content_type}": send the body as application/json.'
    )


def test_a_multipart_form_is_told_to_send_json(client):
    response = client.post("/api/v1/_test/boom/", data={"title": "x"})

    error = assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert error["message"] == (
        'Unsupported media type "multipart/form-data": '
        "send the body as application/json."
    )


def test_a_body_without_content_type_is_told_to_name_json(client):
    response = client.generic(
        "POST", "/api/v1/_test/boom/", data='{"title": "x"}', content_type=""
    )

    error = assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert error["message"] == (
        "The request has a body but no Content-Type: send it as application/json."
    )


def test_body_over_the_limit_is_413_envelope(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = client.post(
        "/api/v1/_test/boom/",
        data='{"title": "' + "x" * 200 + '"}',
        content_type="application/json",
    )

    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


def test_well_formed_request_id_is_honoured(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="trace-abc_123.x")

    assert response["X-Request-ID"] == "trace-abc_123.x"
    assert response.json()["error"]["request_id"] == "trace-abc_123.x"


@pytest.mark.parametrize(
    "bad_id", ["short", "has spaces in it", "x" * 65, "evil\\nline", "<script>"]
)
def test_malformed_request_id_is_replaced(client, bad_id):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID=bad_id)

    assert response["X-Request-ID"] != bad_id
    assert len(response["X-Request-ID"]) == 32
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_every_response_carries_a_request_id(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32


def test_simplejwt_user_lookup_failures_are_token_invalid():
    from rest_framework import exceptions

    from core.exceptions import api_exception_handler

    # SimpleJWT's JWTAuthentication raises exactly this for a deleted user.
    exc = exceptions.AuthenticationFailed(
        {"detail": "User not found", "code": "user_not_found"}, code="user_not_found"
    )

    response = api_exception_handler(exc, {})

    assert response.status_code == 401
    assert response.data["error"]["code"] == "TOKEN_INVALID"
    assert response.data["error"]["message"] == "User not found"
    assert response.data["error"]["details"] == [
        {"field": None, "code": "user_not_found", "message": "User not found"}
    ]


def test_an_expired_token_has_a_code_of_its_own():
    from core.exceptions import TokenExpired, api_exception_handler

    response = api_exception_handler(TokenExpired(), {})

    assert response.status_code == 401
    assert response.data["error"]["code"] == "TOKEN_EXPIRED"
    assert response.data["error"]["details"] == [
        {
            "field": None,
            "code": "expired",
            "message": "The access token has expired.",
        }
    ]


def test_wrong_credentials_are_authentication_failed():
    from rest_framework import exceptions

    from core.exceptions import api_exception_handler

    response = api_exception_handler(exceptions.AuthenticationFailed(), {})

    assert response.data["error"]["code"] == "AUTHENTICATION_FAILED"
    assert response.data["error"]["details"][0]["code"] == "authentication_failed"


def test_options_is_not_allowed_on_api_views(client):
    response = client.options("/api/v1/auth/token/")

    error = assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert error["message"] == 'Method "OPTIONS" is not allowed here: use POST.'


def test_an_accept_header_without_json_is_406_envelope(client):
    response = client.get("/api/v1/tags/", HTTP_ACCEPT="text/html")

    error = assert_envelope(response, 406, "NOT_ACCEPTABLE")
    assert error["message"] == (
        'The Accept header "text/html" allows nothing this endpoint answers with: '
        "accept application/json."
    )
