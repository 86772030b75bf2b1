"""Prometheus metrics of background work.

Two sources: each worker process counts what it ran (exported from its own
port, WORKER_METRICS_PORT), and /metrics on the web processes reads the
queue's state from the database at scrape time (depth, age, live workers,
failures waiting for staff) so it is right even when every worker is down.
"""

import time
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Min
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

TASKS_FINISHED = Counter(
    "inkwell_tasks_finished_total",
    "Task runs finished, by task and outcome (successful, failed).",
    ["task", "outcome"],
)
TASK_RETRIES = Counter(
    "inkwell_task_retries_total",
    "Attempts that failed transiently and scheduled a retry.",
    ["task"],
)
TASK_DURATION = Histogram(
    "inkwell_task_duration_seconds",
    "Run time of one task attempt.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
WORKER_HEARTBEAT = Gauge(
    "inkwell_worker_last_heartbeat_timestamp_seconds",
    "Unix time of this worker's last heartbeat.",
)

_started: dict[str, float] = {}


@receiver(task_started)
def _time_task(*, task_result: TaskResult, **_: Any) -> None:
    _started[str(task_result.id)] = time.monotonic()


@receiver(task_finished)
def _count_task(*, task_result: TaskResult, **_: Any) -> None:
    name = task_result.task.name
    outcome = (
        "failed" if task_result.status == TaskResultStatus.FAILED else "successful"
    )
    TASKS_FINISHED.labels(name, outcome).inc()
    began = _started.pop(str(task_result.id), None)
    if began is not None:
        TASK_DURATION.labels(name).observe(time.monotonic() - began)


class QueueCollector(Collector):
    """Read the queue's state when /metrics is scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            state = _queue_state()
        except DatabaseError:
            return  # no database, no queue figures; the scrape itself still answers
        for name, documentation, value in state:
            yield GaugeMetricFamily(name, documentation, value=value)


def _queue_state() -> list[tuple[str, str, float]]:
    from django_tasks_db.models import DBTaskResult

    from core.liveness import workers_alive
    from core.models import FailedTask

    if settings.TASKS_BACKEND == "rq":
        depth, oldest_age = _rq_queue_state()
    else:
        ready = DBTaskResult.objects.ready()
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        depth = ready.count()
        oldest_age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return [
        ("inkwell_task_queue_depth", "Tasks due and waiting for a worker.", depth),
        (
            "inkwell_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting for a worker (0 when none waits).",
            oldest_age,
        ),
        (
            "inkwell_task_workers_alive",
            "Workers that beat within WORKER_LOST_AFTER_SECONDS.",
            workers_alive().count(),
        ),
        (
            "inkwell_task_failures_unresolved",
            "Failed tasks that staff have not retried or deleted yet.",
            FailedTask.objects.filter(retried_at__isnull=True).count(),
        ),
    ]


def _rq_queue_state() -> tuple[int, float]:
    import django_rq

    queue = django_rq.get_queue("default")
    job = queue.get_jobs(0, 1)
    oldest = job[0].enqueued_at if job else None
    if oldest is not None and timezone.is_naive(oldest):
        oldest = oldest.replace(tzinfo=UTC)  # RQ stores UTC
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return queue.count, max(age, 0.0)


queue_registry = CollectorRegistry(auto_describe=False)
queue_registry.register(QueueCollector())
