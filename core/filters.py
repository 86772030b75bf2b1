"""Filter fields that refuse a query value they cannot use instead of ignoring it.

django-filter takes an empty value (``?status=``) and, for booleans, any
unrecognised word (``?is_active=maybe``) as "not given" and silently returns
the unfiltered list. The schema documents an enum or a boolean, so these
answer a VALIDATION_ERROR naming the parameter instead.
"""

from typing import Any, ClassVar

import django_filters
from django import forms

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class NonEmptyChoiceField(django_filters.fields.ChoiceField):
    """A choice that, when the parameter is given, must be one of the choices."""

    def clean(self, value: Any) -> Any:
        if value == "":
            raise forms.ValidationError("Select a valid choice.", code="invalid_choice")
        return super().clean(value)


class NonEmptyChoiceFilter(django_filters.ChoiceFilter):
    field_class = NonEmptyChoiceField


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (or ``1`` / ``0``) when given; anything else is refused."""

    widget = forms.TextInput  # the raw value: absent is None, empty is ""

    def to_python(self, value: Any) -> bool | None:
        if value is None:
            return None
        try:
            return _BOOLEANS[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(
                "Enter true or false.", code="invalid"
            ) from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is built once per filter set, not per request.

    django-filter makes a new form class with ``type()`` on every request
    (``FilterSet.get_form_class``), about a fifth of the Python time of a
    filtered list. Its fields come from the class's filters, so one class
    serves every request, as a hand-written Django form would; each form
    still deep-copies its fields when it is made. Not for filters whose
    field depends on the request (a ModelChoiceFilter with a callable
    queryset): none of Inkwell's has one.
    """

    _form_classes: ClassVar[dict[type, type[forms.Form]]] = {}

    def get_form_class(self) -> type[forms.Form]:
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes[type(self)] = super().get_form_class()
        return form_class
