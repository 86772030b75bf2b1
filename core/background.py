"""Hand work to the task queue: after commit, and again later when it fails for a while.

Everything that runs in the background is a Django Tasks API task (the
django-tasks backport; ``django.tasks`` from Django 6.0 on). Code that
enqueues calls :func:`enqueue`, never ``Task.enqueue`` directly, so a task
exists exactly when the transaction that asked for it commits.
"""

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from core.task_metrics import TASK_RETRIES

if TYPE_CHECKING:
    from core.models import FailedTask

P = ParamSpec("P")
T = TypeVar("T")

logger = logging.getLogger(__name__)


def enqueue(queued: Task[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Enqueue a task so that it exists if and only if the current transaction commits.

    The database backend writes the queue row inside the caller's transaction
    (rolled back with it, never lost after a commit); any other backend is
    handed the task once the transaction has committed.
    """
    if _queues_in_default_database(queued):
        queued.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(functools.partial(queued.enqueue, *args, **kwargs))


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Return the wait before retry number ``attempt`` (1-based), with jitter.

    Exponential growth bounded by ``cap``; the wait is drawn uniformly between
    half of that ceiling and all of it ("equal jitter"), so many tasks failing
    at once (an SMTP outage) do not retry in step, yet none retries at once.
    """
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (not for secrets)


def retrying_task(
    *,
    retry_on: tuple[type[BaseException], ...],
    attempts: int = 5,
    base_delay: float = 30.0,
    max_delay: float = 30 * 60.0,
    **task_options: Any,
) -> Callable[[Callable[P, T]], Task[P, T | dict[str, Any]]]:
    """Make a task that, on a ``retry_on`` error, runs again later with backoff.

    The task takes one extra keyword argument, ``attempt`` (1 when enqueued).
    A retried attempt ends successfully and enqueues the next one with
    ``run_after``; the last attempt, or any other error, fails the task, which
    records it for staff (core.receivers).
    """

    def decorate(func: Callable[P, T]) -> Task[P, T | dict[str, Any]]:
        @functools.wraps(func)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except retry_on as error:
                if attempt >= attempts:
                    raise
                delay = backoff_seconds(attempt, base=base_delay, cap=max_delay)
                retry = queued.using(
                    run_after=timezone.now() + timedelta(seconds=delay)
                )
                retry.enqueue(*args, attempt=attempt + 1, **kwargs)
                TASK_RETRIES.labels(queued.name).inc()
                logger.warning(
                    "task %s attempt %d of %d failed (%s); retrying in %.0f s",
                    queued.name,
                    attempt,
                    attempts,
                    error,
                    delay,
                )
                # The attempt's own result says what happened and what comes next.
                return {
                    "retry": attempt + 1,
                    "in_seconds": round(delay, 1),
                    "error": f"{type(error).__name__}: {error}",
                }

        queued: Task[..., Any] = task(**task_options)(run)
        # Callers see the function's own signature; ``attempt`` is internal.
        return cast(Task[P, T | dict[str, Any]], queued)

    return decorate


def task_retry(failed: "FailedTask") -> None:
    """Enqueue a recorded failure again, from its first attempt."""
    found = import_string(failed.task_path)
    if not isinstance(found, Task):
        raise TypeError(f"{failed.task_path} is no longer a task")
    enqueue(found, *failed.args, **failed.kwargs)


def uses_database_queue() -> bool:
    """Return whether the default task backend is the database queue."""
    return isinstance(task_backends["default"], DatabaseBackend)


def _queues_in_default_database(queued: Task[..., Any]) -> bool:
    # django-tasks-db writes its rows through the default database connection.
    return isinstance(queued.get_backend(), DatabaseBackend)
