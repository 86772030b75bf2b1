"""Heartbeats, and the tasks of workers that stopped beating."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from core.background import enqueue
from core.liveness import lost_tasks_requeue, worker_heartbeat, workers_alive
from core.models import FailedTask
from tests.core import sample_tasks

pytestmark = pytest.mark.django_db


def running_task(*, claims: list[str], started_ago: timedelta) -> DBTaskResult:
    enqueue(sample_tasks.record, marker="unused", text="x")
    row = DBTaskResult.objects.get()
    row.status = "RUNNING"
    row.worker_ids = claims
    row.started_at = timezone.now() - started_ago
    row.save(update_fields=["status", "worker_ids", "started_at"])
    return row


def test_a_worker_that_beat_recently_is_alive_and_one_silent_too_long_is_not(settings):
    settings.WORKER_LOST_AFTER_SECONDS = 60
    with freeze_time("2026-01-01 12:00:00") as clock:
        worker_heartbeat(worker_id="old", started_at=timezone.now())
        clock.tick(45)
        worker_heartbeat(worker_id="new", started_at=timezone.now())
        clock.tick(30)

        assert list(workers_alive().values_list("worker_id", flat=True)) == ["new"]


def test_the_task_of_a_live_worker_is_left_alone():
    worker_heartbeat(worker_id="w1", started_at=timezone.now())
    row = running_task(claims=["w1"], started_ago=timedelta(minutes=10))

    assert lost_tasks_requeue() == {"requeued": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_the_task_of_a_dead_worker_is_made_ready_again():
    row = running_task(claims=["dead"], started_ago=timedelta(minutes=10))

    assert lost_tasks_requeue() == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == "READY"


def test_a_task_claimed_just_now_is_not_taken_for_lost():
    row = running_task(claims=["starting"], started_ago=timedelta(seconds=1))

    assert lost_tasks_requeue() == {"requeued": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_task_lost_max_claims_times_fails_and_is_recorded(settings):
    settings.TASK_MAX_CLAIMS = 3
    row = running_task(claims=["a", "b", "c"], started_ago=timedelta(minutes=10))

    assert lost_tasks_requeue() == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == "FAILED"
    failure = FailedTask.objects.get()
    assert failure.attempts == 3
    assert failure.error_class == "core.liveness.WorkerLost"
    assert failure.error_message == (
        "core.liveness.WorkerLost: worker c stopped while running the task "
        "(run 3 of at most 3)"
    )
