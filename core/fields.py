"""Serializer fields that take strings only, and a ModelSerializer that uses them.

DRF's CharField turns a JSON number into its string (``{"bio": 0}`` is stored
as ``"0"``). An API whose schema says "string" should refuse a number, so
every text input of Inkwell goes through these.
"""

from typing import Any

from django.db import models
from rest_framework import serializers


class StrictStringMixin:
    """Refuse anything but a JSON string, and measure it as it was sent.

    DRF checks ``max_length`` after trimming whitespace, so 81 characters
    with a leading newline pass a limit of 80; the schema's ``maxLength``
    counts what the client sent, and so does this.
    """

    max_length: int | None

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")  # type: ignore[attr-defined]
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(StrictStringMixin, serializers.CharField):
    """A CharField that refuses numbers and booleans."""


class EmailField(StrictStringMixin, serializers.EmailField):
    """An EmailField that refuses numbers and booleans and over-long local parts."""

    # RFC 5321: at most 64 characters before the "@" (Django does not check).
    max_local_part_length = 64

    # Documented (core.openapi) as the common ASCII subset of what Django's
    # EmailValidator accepts, so every address matching it is accepted.
    schema_pattern = (
        r"^(?=[^@]{1,64}@)"
        r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
    )

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if len(value.partition("@")[0]) > self.max_local_part_length:
            self.fail("invalid")
        return value


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated text fields refuse non-strings."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
        models.EmailField: EmailField,
    }
