"""The response cache of anonymous public reads and the HTTP cache headers."""

import pytest
from django.db import transaction
from django.test import Client

from core.response_cache import invalidate_public_reads
from tests.core.urls import PUBLIC_PATH as PATH
from tests.core.urls import PublicCounterView

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.core.urls"),
    pytest.mark.usefixtures("cache_the_test_path"),
]


@pytest.fixture
def client():
    return Client()


def test_second_anonymous_read_is_served_from_the_cache(client):
    first = client.get(PATH)
    second = client.get(PATH)

    assert first.json() == second.json()
    assert first.json()["calls"] == 1
    assert PublicCounterView.calls == 1
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_cache_hit_runs_no_sql(client, django_assert_num_queries):
    client.get(PATH)

    with django_assert_num_queries(0):
        response = client.get(PATH)

    assert response.status_code == 200


def test_invalidation_after_commit_makes_the_next_read_fresh(
    client, django_capture_on_commit_callbacks
):
    client.get(PATH)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidate_public_reads()

    response = client.get(PATH)

    assert response.json()["calls"] == 2


def test_invalidation_inside_a_rolled_back_transaction_changes_nothing(client):
    client.get(PATH)

    def write_then_fail():
        with transaction.atomic():
            invalidate_public_reads()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()

    assert client.get(PATH).json()["calls"] == 1


def test_query_parameter_order_does_not_split_the_cache(client):
    client.get(PATH + "?a=1&b=2")

    response = client.get(PATH + "?b=2&a=1")

    assert response.json()["calls"] == 1
    assert response.json()["q"] == {"a": "1", "b": "2"}


def test_different_queries_are_cached_separately(client):
    client.get(PATH + "?page_size=5")

    assert client.get(PATH + "?page_size=6").json()["calls"] == 2


def test_anonymous_public_reads_carry_etag_and_revalidation_headers(client):
    response = client.get(PATH)

    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"].startswith('"')
    vary = {value.strip().lower() for value in response["Vary"].split(",")}
    assert {"authorization", "accept"} <= vary


def test_matching_if_none_match_gets_304_on_miss_and_on_hit(client):
    etag = client.get(PATH)["ETag"]

    hit = client.get(PATH, HTTP_IF_NONE_MATCH=etag)
    client.get(PATH)

    assert hit.status_code == 304
    assert hit.content == b""
    assert hit["ETag"] == etag
    assert client.get(PATH, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_authenticated_requests_bypass_the_cache_and_are_private(client):
    client.get(PATH)

    response = client.get(PATH, HTTP_AUTHORIZATION="Bearer whatever")

    # The token is invalid, so DRF answers 401; what matters is that no
    # shared entry was served and the answer is marked private.
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_error_responses_are_never_stored(client, settings):
    settings.RESPONSE_CACHE_PATHS = {r"/api/v1/_test/boom/?": ()}

    first = client.get("/api/v1/_test/boom/")
    second = client.get("/api/v1/_test/boom/")

    assert first.status_code == second.status_code == 500
    assert first.json()["error"]["request_id"] != second.json()["error"]["request_id"]


def test_cache_can_be_switched_off(client, settings):
    settings.RESPONSE_CACHE_ENABLED = False

    client.get(PATH)

    assert client.get(PATH).json()["calls"] == 2


def test_a_response_to_a_signed_in_user_is_never_shared(client):
    from accounts.tokens import token_pair_issue
    from tests.accounts.factories import UserFactory

    access = token_pair_issue(user=UserFactory.create())["access"]

    private = client.get(PATH, HTTP_AUTHORIZATION=f"Bearer {access}")
    anonymous = client.get(PATH)

    assert private.status_code == 200
    assert private["Cache-Control"] == "private, no-store"
    assert (private.json()["calls"], anonymous.json()["calls"]) == (1, 2)
