"""Enqueueing on commit, retries with backoff, and failures recorded for staff."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from core.background import backoff_seconds, enqueue
from core.models import FailedTask
from tests.core import sample_tasks


def queued(task_name: str) -> list[DBTaskResult]:
    return [r for r in DBTaskResult.objects.all() if r.task_path.endswith(task_name)]


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_committed_transaction_is_queued_once(tmp_path):
    with transaction.atomic():
        enqueue(sample_tasks.record, marker=str(tmp_path / "m"), text="hi")

    rows = queued(".record")
    assert len(rows) == 1
    assert rows[0].status == "READY"
    assert rows[0].args_kwargs == {
        "args": [],
        "kwargs": {"marker": str(tmp_path / "m"), "text": "hi"},
    }


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_never_exists(tmp_path):
    def failing_request() -> None:
        with transaction.atomic():
            enqueue(sample_tasks.record, marker=str(tmp_path / "m"), text="hi")
            raise RuntimeError("the request failed after enqueueing")

    with pytest.raises(RuntimeError):
        failing_request()

    assert queued(".record") == []


@pytest.mark.django_db
def test_a_queued_task_runs_on_the_worker(tmp_path, run_tasks):
    marker = tmp_path / "m"
    enqueue(sample_tasks.record, marker=str(marker), text="ran")

    assert not marker.exists()
    run_tasks()

    assert marker.read_text() == "ran"
    assert queued(".record")[0].status == "SUCCESSFUL"


@pytest.mark.parametrize("attempt", [1, 2, 3, 6, 12])
def test_backoff_grows_exponentially_within_the_cap_with_jitter(attempt):
    ceiling = min(600.0, 30.0 * 2 ** (attempt - 1))

    delays = {backoff_seconds(attempt, base=30.0, cap=600.0) for _ in range(50)}

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(delays) > 1  # jittered, not in step


@pytest.mark.django_db
@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port, nothing listens: connection refused
    EMAIL_TIMEOUT=2,
)
def test_a_transient_error_retries_later_with_backoff_then_fails(run_tasks):
    with freeze_time("2026-01-01 12:00:00") as clock:
        enqueue(sample_tasks.mail_once, to="ada@example.com")
        run_tasks()

        first, retry = sorted(
            queued(".mail_once"),
            key=lambda r: r.args_kwargs["kwargs"].get("attempt", 1),
        )
        assert first.status == "SUCCESSFUL"
        assert first.return_value["retry"] == 2
        assert retry.status == "READY"
        assert retry.args_kwargs["kwargs"] == {"to": "ada@example.com", "attempt": 2}
        wait = (retry.run_after - timezone.now()).total_seconds()
        assert 5 <= wait <= 10  # base 10 s, full jitter over its upper half

        run_tasks()  # not due yet: nothing runs
        assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

        clock.tick(10)
        run_tasks()  # attempt 2 fails and schedules attempt 3
        clock.tick(20)
        run_tasks()  # attempt 3 is the last

    statuses = sorted(r.status for r in queued(".mail_once"))
    assert statuses == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]
    failure = FailedTask.objects.get()
    assert failure.task_path == "tests.core.sample_tasks.mail_once"
    assert failure.kwargs == {"to": "ada@example.com"}
    assert failure.attempts == 3
    assert failure.error_class == "core.mail.TransientMailError"
    assert "Connection refused" in failure.error_message


@pytest.mark.django_db
def test_a_permanent_error_fails_at_once_and_is_recorded(run_tasks):
    enqueue(sample_tasks.crash, reason="bad data")

    run_tasks()

    assert queued(".crash")[0].status == "FAILED"
    failure = FailedTask.objects.get()
    assert failure.task_name == "crash"
    assert failure.attempts == 1
    assert failure.error_class == "builtins.ValueError"
    assert failure.error_message == "ValueError: bad data"
    assert "raise ValueError(reason)" in failure.traceback
    assert failure.retried_at is None


@pytest.mark.django_db
def test_secret_looking_arguments_are_masked_in_the_failure_record(run_tasks):
    enqueue(sample_tasks.crash, reason="x")
    run_tasks()
    row = queued(".crash")[0]
    row.args_kwargs = {"args": [], "kwargs": {"reason": "x", "reset_token": "abc"}}
    row.save(update_fields=["args_kwargs"])
    from django_tasks.signals import task_finished
    from django_tasks_db import DatabaseBackend

    task_finished.send(DatabaseBackend, task_result=row.task_result)

    assert FailedTask.objects.get().kwargs == {"reason": "x", "reset_token": "********"}


@pytest.mark.django_db
def test_the_retried_attempts_are_counted_in_the_failure(run_tasks):
    with freeze_time("2026-01-01 12:00:00") as clock:
        enqueue(sample_tasks.always_transient)
        run_tasks()
        clock.tick(60)
        run_tasks()

    failure = FailedTask.objects.get()
    assert failure.attempts == 2
    assert failure.kwargs == {}
