"""The periodic jobs: every one registered, each due run enqueued once."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from core.models import ScheduledRun
from core.schedule import PeriodicJob, Scheduler, periodic_jobs

# The housekeeping that operators used to run from cron, one job each.
EXPECTED_JOBS = {
    "flush-denied-tokens": "accounts.tasks.flush_denied_tokens",
    "flush-expired-refresh-tokens": "accounts.tasks.flush_expired_refresh_tokens",
    "flush-login-failures": "accounts.tasks.flush_login_failures",
    "prune-task-results": "core.tasks.prune_task_results",
    "prune-audit-history": "core.tasks.prune_audit_history",
}


def test_the_schedule_registers_every_periodic_job():
    jobs = {job.name: job for job in periodic_jobs()}

    assert {name: job.task_path for name, job in jobs.items()} == EXPECTED_JOBS
    for job in jobs.values():
        assert isinstance(job.task, Task)
        job.last_due(datetime(2026, 1, 1, tzinfo=UTC))  # the cron expression parses


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-01-01T10:16:59", "2026-01-01T09:17:00"),
        ("2026-01-01T10:17:00", "2026-01-01T10:17:00"),
        ("2026-01-01T10:17:40", "2026-01-01T10:17:00"),
    ],
)
def test_the_latest_slot_at_or_before_now_is_due(now, due):
    job = PeriodicJob(
        name="x", task_path="accounts.tasks.flush_denied_tokens", cron="17 * * * *"
    )

    slot = job.last_due(datetime.fromisoformat(now).replace(tzinfo=UTC))

    assert slot == datetime.fromisoformat(due).replace(tzinfo=UTC)


@pytest.mark.django_db
def test_each_due_run_is_enqueued_once_by_any_number_of_schedulers():
    now = datetime(2026, 1, 1, 10, 30, tzinfo=UTC)
    first, second = Scheduler(), Scheduler()

    started = first.enqueue_due(now)
    again = second.enqueue_due(now)
    repeat = first.enqueue_due(now)

    assert sorted(started) == sorted(EXPECTED_JOBS)
    assert again == repeat == []
    assert ScheduledRun.objects.count() == len(EXPECTED_JOBS)
    assert DBTaskResult.objects.count() == len(EXPECTED_JOBS)


@pytest.mark.django_db
def test_the_next_slot_is_enqueued_when_it_comes():
    scheduler = Scheduler()
    scheduler.enqueue_due(datetime(2026, 1, 1, 10, 30, tzinfo=UTC))

    # Since 10:30 the hourly jobs at :37 (10:37) and :17 (11:17) came due.
    started = scheduler.enqueue_due(datetime(2026, 1, 1, 11, 17, 5, tzinfo=UTC))

    assert sorted(started) == ["flush-denied-tokens", "flush-login-failures"]


@pytest.mark.django_db
def test_the_scheduled_jobs_run_on_the_worker(run_tasks):
    Scheduler().enqueue_due(datetime(2026, 1, 1, 10, 30, tzinfo=UTC))

    run_tasks()

    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_enqueues_due_jobs_and_runs_them():
    call_command("worker", "--batch")

    assert ScheduledRun.objects.count() == len(EXPECTED_JOBS)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
