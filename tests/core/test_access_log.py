"""One structured access line per request, with the request id on every line."""

import pytest
import structlog
from django.test import Client
from structlog.testing import capture_logs

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def access_lines(logs):
    return [entry for entry in logs if entry["event"] == "request"]


def test_one_access_line_per_request_with_the_expected_fields(client):
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = client.get(
            "/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-12345678"
        )

    lines = access_lines(logs)
    assert len(lines) == 1
    line = lines[0]
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/no-such-thing/"
    assert line["status"] == 404
    assert line["user_id"] is None
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "req-12345678" == response["X-Request-ID"]
    assert line["log_level"] == "warning"


def test_server_error_is_logged_at_error_level_once(client):
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = client.get("/api/v1/_test/boom/")

    lines = access_lines(logs)
    assert len(lines) == 1
    assert lines[0]["status"] == 500
    assert lines[0]["log_level"] == "error"
    assert lines[0]["request_id"] == response["X-Request-ID"]


def test_probes_log_at_debug_level(client):
    with capture_logs() as logs:
        client.get("/healthz")

    assert [line["log_level"] for line in access_lines(logs)] == ["debug"]
