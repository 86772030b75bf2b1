"""The strict text fields every serializer uses."""

import pytest
from rest_framework.exceptions import ValidationError

from core.fields import CharField, EmailField


@pytest.mark.parametrize("value", [0, 1.5, True, None, ["a"], {"a": 1}])
def test_text_fields_refuse_anything_but_strings(value):
    with pytest.raises(ValidationError) as raised:
        CharField(allow_null=False).run_validation(value)

    assert raised.value.get_codes() in (["invalid"], ["null"])


def test_max_length_counts_what_was_sent_before_trimming():
    field = CharField(max_length=5)

    with pytest.raises(ValidationError) as raised:
        field.run_validation("\nabcde")

    assert raised.value.get_codes() == ["max_length"]
    assert field.run_validation(" abc ") == "abc"


def test_email_local_part_is_at_most_64_characters():
    field = EmailField()

    assert field.run_validation("a" * 64 + "@example.com") == "a" * 64 + "@example.com"
    with pytest.raises(ValidationError):
        field.run_validation("a" * 65 + "@example.com")
