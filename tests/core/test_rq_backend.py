"""TASKS_BACKEND=rq: the same tasks on a real Redis queue, handed over after commit."""

import django_rq
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from core.background import enqueue
from core.models import FailedTask
from tests.core import sample_tasks

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rq_backend():
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
        RQ_QUEUES={"default": {"URL": settings.REDIS_URL}},
    ):
        queue = django_rq.get_queue("default")
        queue.empty()
        yield queue
        queue.empty()


def test_a_task_reaches_redis_only_when_the_transaction_commits(rq_backend, tmp_path):
    with transaction.atomic():
        enqueue(sample_tasks.record, marker=str(tmp_path / "m"), text="hi")
        assert rq_backend.count == 0  # not before the commit

    assert rq_backend.count == 1
    [job] = rq_backend.get_jobs()
    assert job.kwargs == {"marker": str(tmp_path / "m"), "text": "hi"}


def test_a_rolled_back_transaction_sends_nothing_to_redis(rq_backend, tmp_path):
    def failing_request() -> None:
        with transaction.atomic():
            enqueue(sample_tasks.record, marker=str(tmp_path / "m"), text="hi")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing_request()

    assert rq_backend.count == 0


def test_the_worker_command_runs_rq_jobs_and_records_failures(rq_backend, tmp_path):
    marker = tmp_path / "m"
    enqueue(sample_tasks.record, marker=str(marker), text="ran on rq")
    enqueue(sample_tasks.crash, reason="bad data")

    call_command("worker", "--batch", "--no-scheduler")

    assert marker.read_text() == "ran on rq"
    assert rq_backend.count == 0
    failure = FailedTask.objects.get()
    assert failure.task_name == "crash"
    assert failure.error_class == "builtins.ValueError"
    assert failure.kwargs == {"reason": "bad data"}
