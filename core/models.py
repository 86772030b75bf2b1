"""What background work leaves behind: failures, worker heartbeats, schedule runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Registers the audited models for history as their classes are made.
from core import audit  # noqa: F401


class FailedTask(models.Model):
    """A task that failed for good (every retry used, or a permanent error).

    Kept until staff retry or delete it, whatever the task backend; task
    arguments hold ids and addresses only, never a secret (tasks make their
    tokens when they run).
    """

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    task_path = models.CharField(_("task"), max_length=255)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    error_class = models.CharField(_("error"), max_length=255)
    error_message = models.TextField(_("error message"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)

    class Meta:
        ordering = ["-failed_at"]
        indexes = [models.Index(fields=["retried_at", "-failed_at"])]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self) -> str:
        return f"{self.task_name} ({self.error_class})"

    @property
    def task_name(self) -> str:
        return self.task_path.rpartition(".")[2]


class WorkerHeartbeat(models.Model):
    """The last sign of life of one worker process."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class ScheduledRun(models.Model):
    """One due run of a periodic job; unique, so N schedulers enqueue it once."""

    job = models.CharField(_("job"), max_length=100)
    due_at = models.DateTimeField(_("due at"))
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="one_run_per_slot")
        ]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at:%Y-%m-%d %H:%M}"
