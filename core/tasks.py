"""Background tasks of core: housekeeping of the task queue itself."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from core.models import ScheduledRun, WorkerHeartbeat


@task
def prune_task_results() -> dict[str, int]:
    """Delete finished queue rows, schedule runs and stale heartbeats past retention.

    Failures are kept in FailedTask until staff retry or delete them.
    """
    cutoff = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    runs, _ = ScheduledRun.objects.filter(due_at__lt=cutoff).delete()
    heartbeats, _ = WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return {"task_results": results, "scheduled_runs": runs, "heartbeats": heartbeats}
