"""Periodic jobs: enqueue each due run of TASK_SCHEDULE once, however many workers run.

Each worker's scheduler looks every few seconds; a run is enqueued in the
same transaction as its unique ScheduledRun row, so of several schedulers one
wins and the others see the row. A run missed while no worker was up is
enqueued once when one starts (the latest missed slot only, no backlog).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from core.background import enqueue
from core.models import ScheduledRun


@dataclass(frozen=True)
class PeriodicJob:
    """One entry of TASK_SCHEDULE: a task run on a cron expression (UTC)."""

    name: str
    task_path: str
    cron: str

    @property
    def task(self) -> Task[..., Any]:
        found = import_string(self.task_path)
        if not isinstance(found, Task):
            raise TypeError(f"{self.task_path} is not a task")
        return found

    def last_due(self, now: datetime) -> datetime:
        """Return the latest slot at or before ``now`` (slots are whole minutes)."""
        next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        slot: datetime = croniter(self.cron, next_minute).get_prev(datetime)
        return slot


def periodic_jobs() -> list[PeriodicJob]:
    """Return the configured periodic jobs."""
    return [
        PeriodicJob(name=name, task_path=entry["task"], cron=entry["cron"])
        for name, entry in settings.TASK_SCHEDULE.items()
    ]


class Scheduler:
    """Enqueue due runs; remembers what it enqueued to spare the database."""

    def __init__(self) -> None:
        self.jobs = periodic_jobs()
        self._enqueued: dict[str, datetime] = {}

    def enqueue_due(self, now: datetime | None = None) -> list[str]:
        """Enqueue every job whose latest slot has no run yet; return their names."""
        now = now or timezone.now()
        started = []
        for job in self.jobs:
            due = job.last_due(now)
            if self._enqueued.get(job.name) == due:
                continue
            if _run_once(job, due):
                started.append(job.name)
            self._enqueued[job.name] = due
        return started


def _run_once(job: PeriodicJob, due: datetime) -> bool:
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job.name, due_at=due)
            enqueue(job.task)
    except IntegrityError:
        return False  # another scheduler enqueued this slot
    return True
