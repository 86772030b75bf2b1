"""Run a background worker for the configured task backend."""

import functools
import os
import socket
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import autoreload
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.crypto import get_random_string

from core.background import uses_database_queue
from core.worker import database_worker, run_worker


class Command(BaseCommand):
    help = (
        "Run tasks from the queue (TASKS_BACKEND: database or rq) with the "
        "periodic-job scheduler beside them. SIGTERM finishes the running task, "
        "then exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues",
            default="default",
            help="Comma-separated queue names (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls of an empty queue (database backend).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run every task that is due, then exit.",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not enqueue periodic jobs from this worker.",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart on code changes (development; a running task is cut short).",
        )
        parser.add_argument(
            "--worker-id",
            default=f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[
                -64:
            ],
            help="Unique id of this worker (default: host, pid and a random part).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = options["queues"].split(",")
        worker_id = options["worker_id"]
        on_database = uses_database_queue()
        if options["reload"] and not on_database:
            raise CommandError("--reload works with the database backend only.")
        if on_database:
            worker = database_worker(
                worker_id=worker_id,
                queues=queues,
                interval=options["interval"],
                batch=options["batch"],
            )
            # Signals can only be set in the main thread: here, and in the
            # reloader's child process (which runs the loop in a thread).
            if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV):
                worker.configure_signals()
            loop = worker.run
        else:
            loop = _rq_loop(worker_id=worker_id, queues=queues, batch=options["batch"])
        backend = "database" if on_database else "rq"
        self.stdout.write(f"Worker {worker_id}: {backend} queue(s) {queues}")
        run = functools.partial(
            run_worker,
            worker_id=worker_id,
            run_loop=loop,
            scheduler=options["scheduler"],
            recover=on_database,
        )
        if options["reload"]:
            autoreload.run_with_reloader(run)
        else:
            run()


def _rq_loop(*, worker_id: str, queues: list[str], batch: bool) -> Any:
    """Return RQ's own work loop (it handles SIGTERM: finish the job, then stop)."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    # SimpleWorker runs jobs in this process, so the worker's metrics see them.
    worker = SimpleWorker(
        [django_rq.get_queue(name, job_class=Job) for name in queues],
        connection=django_rq.get_connection(queues[0]),
        name=worker_id,
        job_class=Job,
    )
    return lambda: worker.work(with_scheduler=True, burst=batch)
