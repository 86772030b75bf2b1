"""The Prometheus endpoint and its bearer token."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_metrics_are_open_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert 'le="0.2"' in text


def test_metrics_refuse_a_missing_or_wrong_token(client, settings):
    settings.METRICS_TOKEN = "a-very-long-metrics-token-for-tests-0123"

    missing = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_metrics_accept_the_right_token(client, settings):
    settings.METRICS_TOKEN = "a-very-long-metrics-token-for-tests-0123"

    response = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer a-very-long-metrics-token-for-tests-0123"
    )

    assert response.status_code == 200
    assert b"django_http_requests_total_by_method" in response.content
