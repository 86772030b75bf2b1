"""The task queue's state, read from the database when /metrics is scraped.

Served by the web processes, so it is right even when every worker is down:
depth, age of the oldest waiting task, live workers, failures waiting for
staff. (What each worker ran is counted by core.task_metrics.)
"""

from collections.abc import Iterator
from datetime import UTC

from django.db import DatabaseError
from django.db.models import Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from core.background import uses_database_queue
from core.liveness import workers_alive
from core.models import FailedTask


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
    if not uses_database_queue():
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
