"""The worker process: runs tasks, beats, runs the scheduler, stops gracefully.

The task loop is the backend's own (django-tasks-db's Worker, or RQ's).
Beside it a daemon thread beats every WORKER_HEARTBEAT_SECONDS, requeues the
tasks of dead workers (database backend) and enqueues due periodic jobs.
SIGTERM or SIGINT lets the running task finish, then the process exits; a
second signal aborts the task, which is then recorded as failed (SystemExit)
for staff to retry. A worker killed outright is handled by core.liveness.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from prometheus_client import start_http_server

from core.liveness import lost_tasks_requeue, worker_heartbeat, worker_stopped
from core.schedule import Scheduler
from core.task_metrics import WORKER_HEARTBEAT

logger = logging.getLogger(__name__)


class Housekeeper(threading.Thread):
    """Beat, recover lost tasks and enqueue periodic jobs until stopped."""

    def __init__(
        self, *, worker_id: str, scheduler: Scheduler | None, recover: bool
    ) -> None:
        super().__init__(name="inkwell-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.scheduler = scheduler
        self.recover = recover
        self.started_at: datetime = timezone.now()
        self.stopping = threading.Event()

    def beat_once(self) -> None:
        """Do one round: heartbeat, lost tasks, due jobs."""
        worker_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
        WORKER_HEARTBEAT.set_to_current_time()
        if self.recover:
            counts = lost_tasks_requeue()
            if any(counts.values()):
                logger.warning("lost tasks of dead workers: %s", counts)
        if self.scheduler is not None:
            for name in self.scheduler.enqueue_due():
                logger.info("periodic job %s enqueued", name)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.beat_once()
                except DatabaseError as exc:
                    # The next round tries again; a worker silent for long is
                    # presumed dead by the others, which is what it then is.
                    logger.warning("worker housekeeping failed: %s", exc)
                self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 5)
        try:
            worker_stopped(worker_id=self.worker_id)
        except DatabaseError as exc:
            logger.warning("could not remove the worker's heartbeat: %s", exc)


def run_worker(
    *, worker_id: str, run_loop: Callable[[], None], scheduler: bool, recover: bool
) -> None:
    """Run ``run_loop`` (the backend's task loop) with housekeeping beside it."""
    if settings.WORKER_METRICS_PORT:
        start_http_server(settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_ADDR)
    housekeeper = Housekeeper(
        worker_id=worker_id,
        scheduler=Scheduler() if scheduler else None,
        recover=recover,
    )
    # The first beat comes before the first claim (core.liveness relies on it).
    housekeeper.beat_once()
    housekeeper.start()
    try:
        run_loop()
    finally:
        housekeeper.stop()
        logger.info("worker %s stopped", worker_id)


def database_worker(
    *, worker_id: str, queues: list[str], interval: float, batch: bool
) -> DatabaseWorker:
    """Return django-tasks-db's worker for the default backend."""
    return DatabaseWorker(
        queue_names=queues,
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
