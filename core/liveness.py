"""Worker liveness: heartbeats, and what becomes of the task of a worker that died.

A worker killed mid-task (SIGKILL, a lost machine) leaves its queue row
RUNNING for ever. Every worker beats; a RUNNING task whose worker has been
silent for WORKER_LOST_AFTER_SECONDS is run again, or recorded as failed once
it has been claimed TASK_MAX_CLAIMS times. Tasks are therefore run at least
once, never silently lost, and should be safe to run twice.
"""

import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from core.models import WorkerHeartbeat


class WorkerLost(Exception):
    """The worker running the task stopped beating before the task finished."""


def worker_heartbeat(*, worker_id: str, started_at: datetime) -> None:
    """Record that the worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def worker_stopped(*, worker_id: str) -> None:
    """Forget a worker that stopped cleanly."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def workers_alive() -> QuerySet[WorkerHeartbeat]:
    """Return the workers that beat within WORKER_LOST_AFTER_SECONDS."""
    return WorkerHeartbeat.objects.filter(last_seen__gte=_lost_cutoff())


def lost_tasks_requeue() -> dict[str, int]:
    """Run again, or fail, every RUNNING task whose worker is no longer alive.

    Return how many were requeued and how many failed.
    """
    counts = {"requeued": 0, "failed": 0}
    alive = set(workers_alive().values_list("worker_id", flat=True))
    with exclusive_transaction(DBTaskResult.objects.db):
        # Claimed before the cut-off: a worker claims a task only after its
        # first beat, so a task claimed since may belong to a worker we missed.
        running = DBTaskResult.objects.running().filter(started_at__lt=_lost_cutoff())
        for row in running.select_for_update(skip_locked=True):
            if row.worker_ids and row.worker_ids[-1] in alive:
                continue
            if len(row.worker_ids) < settings.TASK_MAX_CLAIMS:
                row.status = TaskResultStatus.READY
                row.save(update_fields=["status"])
                counts["requeued"] += 1
            else:
                _fail_lost(row)
                counts["failed"] += 1
    return counts


def _fail_lost(row: DBTaskResult) -> None:
    owner = row.worker_ids[-1] if row.worker_ids else "unknown"
    row.set_failed(
        WorkerLost(
            f"worker {owner} stopped while running the task "
            f"(run {len(row.worker_ids)} of at most {settings.TASK_MAX_CLAIMS})"
        )
    )
    task_finished.send(sender=DatabaseBackend, task_result=row.task_result)


def _lost_cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
