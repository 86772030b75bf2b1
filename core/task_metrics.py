"""Prometheus metrics that each worker process counts for the tasks it runs.

They are exported from the worker's own port (WORKER_METRICS_PORT); the
queue's state is read at scrape time by core.queue_metrics instead.
"""

import time
from typing import Any

from django.dispatch import receiver
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from prometheus_client import Counter, Gauge, Histogram

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
