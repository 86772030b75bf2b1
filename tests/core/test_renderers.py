"""FastJSONRenderer writes DRF's JSONRenderer's bytes, whatever the data."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from core.renderers import FastJSONRenderer

SAMPLES = {
    "plain": {"id": 1, "title": "Hello", "ok": True, "gone": None, "tags": []},
    "unicode": {"text": "Ünïcödé — 日本語 \U0001f600 ﬁ"},
    "escapes": {"text": '"quoted" \\ back\tslash\n\r\b\f\x00\x01\x1f\x7f'},
    "line terminators": {"text": "a\u2028b\u2029c"},
    "nesting": {"results": [{"author": {"id": 2, "tags": [{"slug": "x"}]}}]},
    "top-level list": [1, "two", [3], {"four": 4}],
    "big integer": {"n": 2**63 - 1, "negative": -(2**63)},
    "error detail": {
        "title": [ErrorDetail("This field is required.", code="required")]
    },
    "lazy text": {"message": gettext_lazy("Not found.")},
    "datetime": {
        "at": datetime.datetime(2026, 12, 3, 5, 6, 7, 123456, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 3),
        "time": datetime.time(5, 6, 7, 891011),
    },
    "uuid and decimal": {"id": uuid.UUID(int=7), "price": decimal.Decimal("1.10")},
    "floats": {"ratio": 1e16, "small": 0.1, "whole": 2.0},
    "nested float": {"results": [{"scores": (1, [2, {"tiny": 1e-7}])}]},
    "tuple": {"pair": (1, "a")},
    "integer keys": {1: "one", "2": "two"},
}


@pytest.mark.parametrize("data", SAMPLES.values(), ids=SAMPLES.keys())
def test_it_writes_the_bytes_drf_writes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_it_pretty_prints_as_drf_does_when_asked():
    data = {"a": [1, 2], "b": "c"}
    media_type = "application/json; indent=2"

    rendered = FastJSONRenderer().render(data, media_type)

    assert rendered == JSONRenderer().render(data, media_type)
    assert b"\n  " in rendered


def test_it_renders_none_as_no_body():
    assert FastJSONRenderer().render(None) == b""
