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
    assert (
        'inkwell_http_request_duration_seconds_bucket{le="0.2",method="GET",'
        'view="healthz"}' in text
    )


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
    assert b"inkwell_http_responses_total" in response.content


def test_metrics_report_the_task_queue_read_from_the_database(client, settings):
    from django.utils import timezone

    from core.background import enqueue
    from core.liveness import worker_heartbeat
    from core.models import FailedTask
    from tests.core import sample_tasks

    settings.METRICS_TOKEN = ""
    enqueue(sample_tasks.record, marker="unused", text="a")
    enqueue(sample_tasks.record, marker="unused", text="b")
    worker_heartbeat(worker_id="w1", started_at=timezone.now())
    FailedTask.objects.create(task_id="t1", task_path="x.y", error_class="E")

    text = client.get("/metrics").content.decode()

    assert "inkwell_task_queue_depth 2.0" in text
    assert "inkwell_task_workers_alive 1.0" in text
    assert "inkwell_task_failures_unresolved 1.0" in text
    assert "inkwell_task_queue_oldest_age_seconds " in text
