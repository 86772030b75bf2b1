"""Record every task that fails for good, whichever backend ran it."""

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
    error_class, message, traceback = _error_of(task_result)
    FailedTask.objects.update_or_create(
        task_id=str(task_result.id),
        defaults={
            "task_path": task_result.task.module_path,
            "args": list(task_result.args),
            "kwargs": {name: _masked(name, value) for name, value in kwargs.items()},
            "attempts": retries_before + max(1, len(task_result.worker_ids)),
            "error_class": error_class,
            "error_message": message,
            "traceback": traceback,
        },
    )


def _error_of(task_result: TaskResult) -> tuple[str, str, str]:
    if not task_result.errors:
        return "unknown", "", ""
    error = task_result.errors[-1]
    lines = error.traceback.strip().splitlines()
    return error.exception_class_path, lines[-1] if lines else "", error.traceback


def _masked(name: str, value: Any) -> Any:
    lowered = name.lower()
    return "********" if any(m in lowered for m in SECRET_MARKERS) else value
