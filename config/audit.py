"""``GET /api/v1/audit/``: the audit trail of one audited model, for admins.

It spans the apps (users, posts, comments, tags, and whatever else
``AUDITED_MODELS`` lists), so it lives here, above them. Each model's
history is a table of its own; the ``model`` parameter is required and picks
one. One table per request keeps a page one indexed query (``history_date``)
with an exact count, where a merge of every table would need a UNION over
differently shaped rows for each page and its count; a client that wants
every model asks for each.

What changed is computed here, field by field, against the object's previous
historical row (fetched for the whole page in one query). simple-history's
``diff_against`` is not used because, like Django's ``model_to_dict``, it
skips non-editable fields such as ``token_version``, ``published_at`` or the
counters, which are exactly what an audit must show.
"""

from typing import Any

from django.conf import settings
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from simple_history.utils import get_m2m_reverse_field_name

from accounts.permissions import IsAdmin, MfaPassed
from core.audit import (
    HISTORY_TYPE_ACTIONS,
    SECRET_FIELDS,
    audited_models,
    history_model_of,
)
from core.filters import FilterSet, NonEmptyChoiceFilter
from core.pagination import PageNumberPagination
from core.query_parameters import QueryParametersMixin
from posts.filters import IdFilter, UtcIsoDateTimeFilter

ORDERING = ("-history_date", "-history_id")


# Static, so the schema lists them: "accounts.User" is known as "accounts.user".
MODEL_CHOICES = [(label.lower(), label.lower()) for label in settings.AUDITED_MODELS]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class AuditEntrySerializer(serializers.Serializer):
    """One historical row: who changed what, when, in which request, and why."""

    id = serializers.IntegerField(help_text="The history entry's id.")
    model = serializers.CharField(help_text='e.g. "accounts.user", "posts.post".')
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = ChangeSerializer(
        many=True,
        help_text="Created: every field's first value (old is null); changed: "
        "the fields that differ from the previous entry; deleted: the last "
        "values (new is null). Secrets such as the password hash never appear.",
    )
    actor = ActorSerializer(
        allow_null=True,
        help_text="The authenticated user who made the change; null outside a "
        "request (commands, background tasks) or once that user is deleted.",
    )
    api_key_prefix = serializers.CharField(
        help_text="Prefix of the API key the request used; empty otherwise."
    )
    request_id = serializers.CharField(
        help_text="The request's X-Request-ID; empty outside a request."
    )
    reason = serializers.CharField(help_text='e.g. "role changed"; may be empty.')
    at = serializers.DateTimeField()


class AuditFilter(FilterSet):
    """``model`` (required), ``object_id``, ``actor``, ``since``, ``until``."""

    model = NonEmptyChoiceFilter(
        choices=MODEL_CHOICES,
        required=True,
        method="filter_model",
        help_text="The audited model whose history to list (required).",
    )
    object_id = IdFilter(field_name="id", help_text="The changed object's id.")
    actor = IdFilter(field_name="history_user_id", help_text="The actor's user id.")
    since = UtcIsoDateTimeFilter(
        field_name="history_date",
        lookup_expr="gte",
        help_text="ISO 8601; changes at or after this time.",
    )
    until = UtcIsoDateTimeFilter(
        field_name="history_date",
        lookup_expr="lte",
        help_text="ISO 8601; changes at or before this time.",
    )

    def filter_model(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The view already chose the model's history table.
        return queryset


class AuditView(QueryParametersMixin, generics.ListAPIView):
    """The audit trail of one model, newest first."""

    permission_classes = [IsAdmin, MfaPassed]
    pagination_class = PageNumberPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilter
    serializer_class = AuditEntrySerializer

    def _model(self) -> tuple[str, type[Model]]:
        models = audited_models()
        label = self.request.query_params.get("model", "")
        if label not in models:
            # The filter refuses it with a VALIDATION_ERROR; any table will do.
            label = next(iter(models))
        return label, models[label]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return history_model_of(
                next(iter(audited_models().values()))
            ).objects.none()
        _, model = self._model()
        history = history_model_of(model)
        previous = (
            history.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(
                    history_date=OuterRef("history_date"),
                    history_id__lt=OuterRef("history_id"),
                )
            )
            .order_by(*ORDERING)
            .values("history_id")[:1]
        )
        return (
            history.objects.select_related("history_user")
            .annotate(previous_history_id=Subquery(previous))
            .order_by(*ORDERING)
        )

    @extend_schema(
        responses={200: AuditEntrySerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List who changed what and when (admins only), newest first.

        ``model`` is required: each model's history is kept apart. The
        password hash and other secrets are never recorded.
        """
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        label, model = self._model()
        entries = _entries(label, model, list(page or []))
        return self.get_paginated_response(
            AuditEntrySerializer(entries, many=True).data
        )


def _entries(label: str, model: type[Model], records: list[Any]) -> list[dict]:
    """Return the audit entries of a page of historical rows of ``model``."""
    history = history_model_of(model)
    previous_ids = [r.previous_history_id for r in records if r.previous_history_id]
    previous = history.objects.in_bulk(previous_ids)
    fields = [
        field for field in history.tracked_fields if field.name not in SECRET_FIELDS
    ]
    m2m = _m2m_values(history, [*[r.history_id for r in records], *previous_ids])
    pk = model._meta.pk.attname
    entries = []
    for record in records:
        before = previous.get(record.previous_history_id)
        entries.append(
            {
                "id": record.history_id,
                "model": label,
                "object_id": getattr(record, pk),
                "action": HISTORY_TYPE_ACTIONS[record.history_type],
                "changes": _changes(record, before, fields, m2m),
                "actor": (
                    {
                        "id": record.history_user.pk,
                        "display_name": record.history_user.display_name,
                    }
                    if record.history_user
                    else None
                ),
                "api_key_prefix": record.api_key_prefix,
                "request_id": record.request_id,
                "reason": record.history_change_reason or "",
                "at": record.history_date,
            }
        )
    return entries


def _m2m_values(
    history: Any, history_ids: list[int]
) -> dict[str, dict[int, list[int]]]:
    """Return, per many-to-many field, each historical row's related ids (sorted)."""
    values: dict[str, dict[int, list[int]]] = {}
    for field in history._history_m2m_fields:
        rows = getattr(history, field.name).model.objects.filter(
            history_id__in=history_ids
        )
        target = f"{get_m2m_reverse_field_name(field)}_id"
        by_row: dict[int, list[int]] = {history_id: [] for history_id in history_ids}
        for history_id, related_id in rows.values_list("history_id", target):
            by_row[history_id].append(related_id)
        values[field.name] = {key: sorted(ids) for key, ids in by_row.items()}
    return values


def _changes(
    record: Any,
    before: Any,
    fields: list[Any],
    m2m: dict[str, dict[int, list[int]]],
) -> list[dict[str, Any]]:
    """Return ``[{field, old, new}]`` of one historical row."""
    new = {field.name: getattr(record, field.attname) for field in fields}
    new.update({name: rows[record.history_id] for name, rows in m2m.items()})
    if record.history_type == "-":
        return [
            {"field": name, "old": value, "new": None}
            for name, value in sorted(new.items())
        ]
    old: dict[str, Any] = {}
    if record.history_type == "~" and before is not None:
        old = {field.name: getattr(before, field.attname) for field in fields}
        old.update({name: rows[before.history_id] for name, rows in m2m.items()})
    return [
        {"field": name, "old": old.get(name), "new": value}
        for name, value in sorted(new.items())
        if not old or old[name] != value
    ]
