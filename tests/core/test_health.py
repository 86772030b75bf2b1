"""Liveness and readiness probes."""

import time

import pytest
from django.db import OperationalError
from django.test import Client

from core import health
from core.replica_health import DOWN, LAGGING, OK, ReplicaHealth

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_healthz_answers_ok_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_checks_database_and_cache(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_503_envelope_when_the_database_fails(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["error"]["details"][0]["field"] == "database"
    assert body["error"]["request_id"] == response["X-Request-ID"]
    assert int(response["Retry-After"]) > 0


def test_readyz_is_503_while_draining(client, monkeypatch):
    monkeypatch.setattr(health, "_draining", False)
    health.start_draining()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["error"]["message"] == "Shutting down."


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_probes_are_exempt_from_the_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/anything/").status_code == 301


@pytest.fixture
def one_replica(settings, monkeypatch) -> ReplicaHealth:
    """One configured replica whose health the test sets (checked just now)."""
    settings.DATABASE_REPLICAS = ("replica_1",)
    replicas = ReplicaHealth(
        {"replica_1": {}},
        check_seconds=3600,
        max_lag_seconds=2,
        on_outage_change=lambda alias: None,
    )
    replicas._checked_at = time.monotonic()  # no check is due
    monkeypatch.setattr(health, "replica_health", lambda: replicas)
    return replicas


def test_readyz_reports_a_usable_replica(client, one_replica):
    one_replica.states()[0].status = OK

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "replicas": "ok"},
        "replicas": {"replica_1": {"status": "ok", "lag_seconds": 0.0}},
    }


@pytest.mark.parametrize("status", [DOWN, LAGGING])
def test_readyz_is_200_degraded_while_a_replica_is_skipped(client, one_replica, status):
    one_replica.states()[0].status = status
    one_replica.states()[0].lag_seconds = 4.25

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "replicas": "degraded"},
        "replicas": {"replica_1": {"status": status, "lag_seconds": 4.25}},
    }
