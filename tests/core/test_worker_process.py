"""The worker as a process on PostgreSQL: SIGTERM finishes the task, SIGKILL loses none.

Each test commits its rows (transaction=True) so that `manage.py worker`,
started as a subprocess on the same test database, sees them.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from core.background import enqueue
from core.models import FailedTask, WorkerHeartbeat
from tests.core import sample_tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(tmp_path: Path, name: str, **env: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-scheduler", "--interval", "0.1"],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WORKER_LOST_AFTER_SECONDS": "3",
            "LOG_LEVEL": "INFO",
            **env,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def manage(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a manage.py command on the test database."""
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *command],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def the_task() -> DBTaskResult:
    return DBTaskResult.objects.get()


def kill_mid_task(tmp_path: Path, marker: Path, **env: str) -> None:
    """Run a long task on a worker and SIGKILL the worker once the task started."""
    enqueue(sample_tasks.long_run, marker=str(marker), seconds=60)
    doomed = start_worker(tmp_path, "doomed", **env)
    try:
        wait_until(lambda: marker.exists(), "the task to start")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=WAIT_SECONDS)
    finally:
        doomed.kill()


def test_sigterm_lets_the_running_task_finish_then_the_worker_exits(tmp_path):
    marker = tmp_path / "marker"
    enqueue(sample_tasks.long_run, marker=str(marker), seconds=2)
    worker = start_worker(tmp_path, "worker")
    try:
        wait_until(lambda: marker.exists(), "the task to start")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=WAIT_SECONDS) == 0
    finally:
        worker.kill()

    assert marker.read_text() == "finished"
    assert the_task().status == "SUCCESSFUL"
    assert not WorkerHeartbeat.objects.exists()  # it said goodbye


def test_an_idle_worker_stops_at_once_on_sigterm(tmp_path):
    worker = start_worker(tmp_path, "worker")
    try:
        wait_until(WorkerHeartbeat.objects.exists, "the first heartbeat")
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=WAIT_SECONDS) == 0
    finally:
        worker.kill()
    assert time.monotonic() - started < 5


def test_a_task_whose_worker_is_killed_runs_again_on_another_worker(tmp_path):
    marker = tmp_path / "marker"
    kill_mid_task(tmp_path, marker)
    assert the_task().status == "RUNNING"  # what the dead worker left behind

    rescuer = start_worker(tmp_path, "rescuer")
    try:
        wait_until(lambda: the_task().status == "SUCCESSFUL", "the task to rerun")
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(timeout=WAIT_SECONDS)

    task = the_task()
    assert len(task.worker_ids) == 2
    assert task.worker_ids[0] != task.worker_ids[1]
    assert task.return_value == "rerun"
    assert marker.read_text() == "finished on a later run"
    assert not FailedTask.objects.exists()


def test_a_task_killed_on_its_last_allowed_run_is_recorded_as_failed(tmp_path):
    marker = tmp_path / "marker"
    kill_mid_task(tmp_path, marker, TASK_MAX_CLAIMS="1")

    rescuer = start_worker(tmp_path, "rescuer", TASK_MAX_CLAIMS="1")
    try:
        wait_until(lambda: the_task().status == "FAILED", "the task to be failed")
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(timeout=WAIT_SECONDS)

    failure = FailedTask.objects.get()
    assert failure.task_name == "long_run"
    assert failure.error_class == "core.liveness.WorkerLost"
    assert "stopped while running the task (run 1 of at most 1)" in (
        failure.error_message
    )
    assert marker.read_text() == "started"  # it never ran to the end


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_worker_exports_its_metrics_and_passes_its_health_check(tmp_path):
    port = _free_port()
    marker = tmp_path / "marker"
    enqueue(sample_tasks.record, marker=str(marker), text="done")
    worker = start_worker(tmp_path, "worker", WORKER_METRICS_PORT=str(port))
    try:
        wait_until(lambda: marker.exists(), "the task to run")
        wait_until(lambda: the_task().status == "SUCCESSFUL", "the task to finish")
        url = f"http://127.0.0.1:{port}/metrics"
        text = urllib.request.urlopen(url, timeout=5).read().decode()
        alive = manage("worker_alive")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=WAIT_SECONDS)

    assert (
        'inkwell_tasks_finished_total{outcome="successful",task="record"} 1.0' in text
    )
    assert 'inkwell_task_duration_seconds_count{task="record"} 1.0' in text
    assert "inkwell_worker_last_heartbeat_timestamp_seconds " in text
    assert alive.returncode == 0, alive.stderr
    assert "1 live worker(s)" in alive.stdout


def test_the_health_check_fails_without_a_live_worker():
    result = manage("worker_alive")

    assert result.returncode == 1
    assert "no live worker on" in result.stderr


def test_a_second_sigterm_aborts_the_task_and_records_it_as_failed(tmp_path):
    marker = tmp_path / "marker"
    enqueue(sample_tasks.long_run, marker=str(marker), seconds=60)
    worker = start_worker(tmp_path, "worker")
    try:
        wait_until(lambda: marker.exists(), "the task to start")
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=WAIT_SECONDS)
    finally:
        worker.kill()

    assert the_task().status == "FAILED"
    failure = FailedTask.objects.get()
    assert failure.error_class == "builtins.SystemExit"
    assert marker.read_text() == "started"
