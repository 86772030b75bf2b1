"""Background tasks of core: housekeeping of the task queue and the audit trail."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from core.audit import audited_models, history_model_of
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


@task
def prune_audit_history() -> int:
    """Delete audit history older than AUDIT_KEEP_DAYS; 0 (the default) keeps all.

    Not simple-history's ``clean_duplicate_history``: it compares rows with
    ``diff_against``, which ignores non-editable fields, so it would delete
    the rows that record a token revocation (only ``token_version`` changes).
    """
    if settings.AUDIT_KEEP_DAYS <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_KEEP_DAYS)
    deleted = 0
    for model in audited_models().values():
        history = history_model_of(model)
        old = history.objects.filter(history_date__lt=cutoff)
        # Tag snapshots point at their row without a foreign-key constraint
        # (nor a cascade): delete them first.
        for field in history._history_m2m_fields:
            getattr(history, field.name).model.objects.filter(
                history__in=old.values("pk")
            ).delete()
        deleted += old.delete()[0]
    return deleted
