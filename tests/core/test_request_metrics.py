"""The request metrics the dashboard and alerts read (core.request_metrics)."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from core.request_metrics import CACHE_HIT_VIEW, UNRESOLVED_VIEW

pytestmark = pytest.mark.django_db


def responses(method: str, view: str, status: str) -> float:
    labels = {"method": method, "view": view, "status": status}
    return REGISTRY.get_sample_value("inkwell_http_responses_total", labels) or 0.0


def durations(method: str, view: str) -> float:
    labels = {"method": method, "view": view}
    value = REGISTRY.get_sample_value(
        "inkwell_http_request_duration_seconds_count", labels
    )
    return value or 0.0


def test_a_response_is_counted_by_method_view_and_status():
    before = responses("GET", "healthz", "200")

    Client().get("/healthz")

    assert responses("GET", "healthz", "200") == before + 1


def test_a_response_is_timed_by_method_and_view():
    before = durations("GET", "healthz")

    Client().get("/healthz")

    assert durations("GET", "healthz") == before + 1


def test_an_error_is_counted_with_its_status():
    before = responses("POST", "healthz", "405")

    Client().post("/healthz")

    assert responses("POST", "healthz", "405") == before + 1


def test_a_path_that_matches_no_url_is_counted_as_unresolved():
    before = responses("GET", UNRESOLVED_VIEW, "404")

    Client().get("/no-such-page/")

    assert responses("GET", UNRESOLVED_VIEW, "404") == before + 1


def test_a_response_cache_hit_is_counted_as_such(settings):
    settings.RESPONSE_CACHE_ENABLED = True
    client = Client()
    client.get("/api/v1/tags/")  # a miss: stored
    before = responses("GET", CACHE_HIT_VIEW, "200")

    client.get("/api/v1/tags/")

    assert responses("GET", CACHE_HIT_VIEW, "200") == before + 1


def test_an_unknown_method_is_one_label_value():
    before = responses("other", "healthz", "405")

    Client().generic("BREW", "/healthz")

    assert responses("other", "healthz", "405") == before + 1
    assert responses("BREW", "healthz", "405") == 0.0
