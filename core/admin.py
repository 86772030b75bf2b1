"""The admin of background work (failed tasks, workers); the site is core.admin_site."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from core.admin_site import short_datetime
from core.background import task_retry
from core.models import FailedTask, ScheduledRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system: staff look and may delete, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: object | None = None
    ) -> bool:
        return False


class RetriedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple]:
        return [("open", "Not retried"), ("retried", "Retried")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(retried_at__isnull=True)
        if self.value() == "retried":
            return queryset.filter(retried_at__isnull=False)
        return queryset


@admin.register(FailedTask)
class FailedTaskAdmin(ReadOnlyAdmin):
    list_display = (
        "task_name",
        "error_class",
        "attempts",
        short_datetime("failed_at", "failed at"),
        short_datetime("retried_at", "retried at"),
    )
    list_filter = (RetriedFilter, "task_path")
    search_fields = ("task_path", "error_class", "error_message", "task_id")
    date_hierarchy = "failed_at"
    fields = (
        "task_path",
        "task_id",
        "args",
        "kwargs",
        "attempts",
        "error_class",
        "error_message",
        "formatted_traceback",
        "failed_at",
        "retried_at",
    )
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description="traceback")
    def formatted_traceback(self, obj: FailedTask) -> str:
        return format_html("<pre>{}</pre>", obj.traceback or "-")

    @admin.action(description="Retry the selected tasks (enqueue them again)")
    def retry(self, request: HttpRequest, queryset: QuerySet[FailedTask]) -> None:
        retried = 0
        with transaction.atomic():
            for failed in queryset.select_for_update().filter(retried_at__isnull=True):
                task_retry(failed)
                failed.retried_at = timezone.now()
                failed.save(update_fields=["retried_at"])
                retried += 1
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} task(s) enqueued again.")
        if skipped:
            self.message_user(
                request, f"{skipped} had been retried already.", messages.WARNING
            )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = (
        "worker_id",
        "hostname",
        "pid",
        short_datetime("started_at", "started at"),
        short_datetime("last_seen", "last seen"),
    )


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = (
        "job",
        short_datetime("due_at", "due at"),
        short_datetime("enqueued_at", "enqueued at"),
    )
    list_filter = ("job",)
    date_hierarchy = "due_at"
