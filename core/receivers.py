"""Record every task that fails for good, whichever backend ran it."""

import sys
import traceback
from typing import Any

from django.dispatch import receiver
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished

from core.models import FailedTask

# Keyword arguments named like this are masked in failure records. Tasks take
# ids and addresses, never secrets; this is the safety net, not the rule.
SECRET_MARKERS = ("password", "secret", "token", "key")


@receiver(task_finished)
def record_failed_task(*, task_result: TaskResult, **_: Any) -> None:
    """Keep a failed task for staff: task, arguments, error, attempts."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    kwargs = dict(task_result.kwargs)
    retries_before = int(kwargs.pop("attempt", 1)) - 1
    error_class, message, text = _error_of(task_result)
    FailedTask.objects.update_or_create(
        task_id=str(task_result.id),
        defaults={
            "task_path": task_result.task.module_path,
            "args": list(task_result.args),
            "kwargs": {name: _masked(name, value) for name, value in kwargs.items()},
            "attempts": retries_before + max(1, len(task_result.worker_ids)),
            "error_class": error_class,
            "error_message": message,
            "traceback": text,
        },
    )


def _error_of(task_result: TaskResult) -> tuple[str, str, str]:
    if task_result.errors:
        error = task_result.errors[-1]
        class_path, text = error.exception_class_path, error.traceback
    else:
        # RQ signals a failure from inside its except block, before it has
        # stored the error on the job: the exception is the one being handled.
        exc = sys.exc_info()[1]
        if exc is None:
            return "unknown", "", ""
        class_path = f"{type(exc).__module__}.{type(exc).__qualname__}"
        text = "".join(traceback.format_exception(exc))
    lines = text.strip().splitlines()
    return class_path, lines[-1] if lines else "", text


def _masked(name: str, value: Any) -> Any:
    lowered = name.lower()
    return "********" if any(m in lowered for m in SECRET_MARKERS) else value
