"""The app under a real gunicorn master with several workers."""

import subprocess
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.deployment import fresh_database
from tests.gunicorn.server import GUNICORN, PROJECT_DIR, GunicornServer, production_env

pytestmark = pytest.mark.gunicorn


@pytest.fixture
def server(tmp_path):
    # A database of its own, never the one DATABASE_URL names.
    with fresh_database(tmp_path) as database_url:
        env = production_env(
            tmp_path, DATABASE_URL=database_url, GUNICORN_DRAIN_SECONDS="1"
        )
        gunicorn = GunicornServer(env)
        gunicorn.migrate()
        gunicorn.start()
        yield gunicorn
        gunicorn.stop()


def test_gunicorn_accepts_the_configuration(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own gunicorn
        [GUNICORN, "--check-config", "config.wsgi:application"],
        cwd=PROJECT_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def healthz_count(metrics_text: str) -> float:
    wanted = {"method": "GET", "view": "healthz", "status": "200"}
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "inkwell_http_responses_total"
        and wanted.items() <= sample.labels.items()
    )


def test_metrics_count_every_request_across_workers(server):
    token = server.env["METRICS_TOKEN"]
    burst = 40

    for _ in range(burst):
        assert server.get("/healthz").status == 200
    scrape = server.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert scrape.status == 200
    assert healthz_count(scrape.body.decode()) >= burst


def test_metrics_are_refused_without_the_token_in_production(server):
    response = server.get("/metrics")

    assert response.status == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_api_errors_carry_the_envelope_under_gunicorn(server):
    response = server.get("/api/v1/nothing-here/")

    assert response.status == 404
    assert response.json()["error"]["request_id"] == response.headers["X-Request-ID"]


def test_sigterm_fails_readiness_first_and_loses_no_request(server):
    results: list[int] = []

    def keep_requesting() -> None:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            try:
                results.append(server.get("/healthz").status)
            except OSError:
                # The listening socket is gone: the instance has stopped.
                break

    assert server.get("/readyz").status == 200
    worker = threading.Thread(target=keep_requesting)
    worker.start()
    time.sleep(0.2)
    server.process.send_signal(15)
    time.sleep(0.3)
    readiness = server.get("/readyz")
    worker.join()

    assert readiness.status == 503
    assert readiness.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert results
    assert set(results) == {200}
    assert server.process.wait(timeout=40) == 0
