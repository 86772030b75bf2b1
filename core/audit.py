"""The audit trail: django-simple-history for the models in ``AUDITED_MODELS``.

One entry in that setting (``"app_label.ModelName": {options}``) puts a model
under audit: its history table gets this module's ``AuditedHistoricalModel``
as a base, so every historical row records, besides simple-history's who
(``history_user``), when (``history_date``), what (a copy of the row) and
why (``history_change_reason``), the request id and the prefix of the API key
the request authenticated with. The options are those of
``simple_history.register`` (``excluded_fields``, ``m2m_fields``, ``app`` for a
third-party model whose history table should live in one of our apps).

Core imports no app: the models are named by label and registered as their
classes are created (``class_prepared``). This module is imported by
``core.models``, which Django loads before any app listed after ``core`` in
INSTALLED_APPS; ``audit_check_registered`` (run from ``CoreConfig.ready``)
fails start-up when a listed model was loaded too early to be registered.

Changes made outside a request (management commands, the worker's tasks,
a shell) have no request: no user, no request id, no key prefix.
"""

from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from simple_history import register
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from core.request_id import get_request_id

# Never in a historical row, whatever a model's options say: they are also
# dropped from the audit API's "changes" (OWASP ASVS V8: no secrets at rest
# beyond where they must be).
SECRET_FIELDS = frozenset({"password"})

HISTORY_TYPE_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


class AuditedHistoricalModel(models.Model):
    """Fields every audited model's history row has besides simple-history's own."""

    request_id = models.CharField(max_length=64, blank=True, default="")
    # The API key's public prefix when the request used one (never the key).
    api_key_prefix = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        abstract = True


def _options(label: str) -> dict[str, Any]:
    options = dict(settings.AUDITED_MODELS[label])
    excluded = set(options.pop("excluded_fields", ()))
    options["excluded_fields"] = sorted(excluded)
    return options


@receiver(class_prepared, dispatch_uid="core_audit_register")
def _register_audited(sender: type[models.Model], **_: Any) -> None:
    """Put a model listed in AUDITED_MODELS under history as its class is made."""
    if sender._meta.abstract or sender._meta.label not in settings.AUDITED_MODELS:
        return
    if sender._meta.apps is not global_apps:
        return  # A migration's historical state of the model, not the model.
    if hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    options = _options(sender._meta.label)
    secret = {f.name for f in sender._meta.concrete_fields} & SECRET_FIELDS
    options["excluded_fields"] = sorted({*options["excluded_fields"], *secret})
    register(sender, bases=[AuditedHistoricalModel], **options)


def audit_check_registered() -> None:
    """Fail start-up if a model in AUDITED_MODELS was not put under history."""
    for label in settings.AUDITED_MODELS:
        model = global_apps.get_model(label)
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            raise ImproperlyConfigured(
                f"{label} is in AUDITED_MODELS but was imported before core.models"
                " registered it: list its app after core in INSTALLED_APPS."
            )


def audited_models() -> dict[str, type[models.Model]]:
    """Return the audited models by lower-case label ("posts.post")."""
    found = {}
    for label in settings.AUDITED_MODELS:
        model = global_apps.get_model(label)
        found[model._meta.label_lower] = model
    return found


def history_model_of(model: type[models.Model]) -> Any:
    """Return the historical model that records ``model``."""
    manager = getattr(model, model._meta.simple_history_manager_attribute)  # type: ignore[attr-defined]
    return manager.model


@receiver(pre_create_historical_record, dispatch_uid="core_audit_context")
def _record_request_context(*, history_instance: models.Model, **_: Any) -> None:
    """Stamp the request id and API key prefix on every audited historical row."""
    if not isinstance(history_instance, AuditedHistoricalModel):
        return
    history_instance.request_id = get_request_id()
    request = getattr(HistoricalRecords.context, "request", None)
    prefix = getattr(getattr(request, "auth", None), "prefix", "")
    history_instance.api_key_prefix = prefix if isinstance(prefix, str) else ""


def audit_reason(instance: models.Model, reason: str) -> None:
    """Give the next historical record of ``instance`` this change reason.

    simple-history reads ``_change_reason`` when the row is saved (and keeps
    it on the instance: a later save of the same instance reuses it unless
    given another).
    """
    instance._change_reason = reason  # type: ignore[attr-defined]


def save_without_history(instance: models.Model, **kwargs: Any) -> None:
    """Save ``instance`` without a historical record (a change that is no edit)."""
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        instance.save(**kwargs)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
