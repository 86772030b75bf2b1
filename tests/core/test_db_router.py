"""Which database the router names for a query, request by request.

The router decides from the request alone and names an alias without
connecting, so these cases need no replica: a replica's health is set as
its checks would have left it. Real standbys answer in
tests/core/test_replica_health.py and tests/e2e/test_read_replicas.py.
"""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from core import db_router
from core.db_router import ReadRoutingMiddleware, ReplicaRouter
from core.read_your_writes import COOKIE, HEADER, mark_user, user_wrote_recently
from core.replica_health import OK, ReplicaHealth
from core.response_cache import PublicReadCacheMiddleware
from posts.models import Post, Tag
from tests.accounts.factories import UserFactory

REPLICA = "replica_1"


@pytest.fixture
def health(monkeypatch, settings) -> ReplicaHealth:
    """Install the router with one replica, found usable by its last check."""
    settings.DATABASE_REPLICAS = (REPLICA,)
    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    health = ReplicaHealth(
        {REPLICA: {}},
        check_seconds=3600,
        max_lag_seconds=2,
        primary_position=lambda: 0,
        on_outage_change=lambda alias: None,
    )
    health.states()[0].status = OK
    health._checked_at = time.monotonic()  # checked just now: no check is due
    monkeypatch.setattr(db_router, "replica_health", lambda: health)
    return health


def routed(
    request: HttpRequest,
    reads: Callable[[], Any],
    middleware: Callable[[Callable], Callable] | None = None,
) -> Any:
    """Return what reads() gave inside the request, as the routing middleware saw it."""
    seen: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(reads())
        return HttpResponse(b"{}", content_type="application/json")

    inner = middleware(view) if middleware else view
    ReadRoutingMiddleware(inner)(request)
    return seen[0] if seen else None


def get(
    path: str = "/api/v1/posts/",
    user: Any = None,
    headers: dict[str, str] | None = None,
) -> HttpRequest:
    request = RequestFactory().get(path, headers=headers)
    request.user = user if user is not None else AnonymousUser()
    return request


def read_db() -> str:
    return Post.objects.all().db


def test_reads_outside_a_request_use_the_primary(health):
    assert Post.objects.all().db == "default"


def test_a_safe_request_of_an_authenticated_user_reads_the_replica(health):
    assert routed(get(user=UserFactory.build(pk=7)), read_db) == REPLICA


def test_an_anonymous_safe_request_reads_the_replica(health):
    assert routed(get(), read_db) == REPLICA


def test_reads_that_authenticate_the_request_use_the_primary(health):
    request = RequestFactory().get("/api/v1/posts/")
    # Django's lazy session user, as AuthenticationMiddleware leaves it.
    request.user = SimpleLazyObject(AnonymousUser)  # type: ignore[assignment]

    def reads() -> tuple[str, str]:
        before = read_db()
        str(request.user)  # authentication runs
        return before, read_db()

    assert routed(request, reads) == ("default", REPLICA)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unsafe_request_reads_the_primary(health, method):
    request = getattr(RequestFactory(), method)("/api/v1/posts/")
    request.user = AnonymousUser()

    assert routed(request, read_db) == "default"


def test_select_for_update_asks_for_the_primary_in_a_replica_request(health):
    assert routed(get(), lambda: (read_db(), Post.objects.select_for_update().db)) == (
        REPLICA,
        "default",
    )


@pytest.mark.django_db(transaction=True)
def test_get_or_create_runs_on_the_primary_in_a_replica_request(health):
    def reads() -> int:
        with CaptureQueriesContext(connections["default"]) as queries:
            Tag.objects.get_or_create(name="Routing", defaults={"slug": "routing"})
        return len(queries)

    assert routed(get(), reads) >= 2  # the lookup and the insert, both here
    assert Tag.objects.filter(slug="routing").exists()


@pytest.mark.django_db(transaction=True)
def test_reads_inside_an_atomic_block_use_the_primary(health):
    def reads() -> tuple[str, str, str]:
        before = read_db()
        with transaction.atomic():
            inside = read_db()
        return before, inside, read_db()

    assert routed(get(), reads) == (REPLICA, "default", REPLICA)


def test_a_write_sends_the_rest_of_the_request_to_the_primary(health):
    def reads() -> tuple[str, str, str]:
        before = read_db()
        written = ReplicaRouter().db_for_write(Post)
        return before, written, read_db()

    assert routed(get(), reads) == (REPLICA, "default", "default")


def test_a_client_sending_its_window_cookie_reads_the_primary(health):
    request = get()
    request.COOKIES[COOKIE] = f"{time.time() + 3:.3f}"

    assert routed(request, read_db) == "default"


def test_a_client_sending_its_window_header_reads_the_primary(health):
    request = get(headers={HEADER: f"{time.time() + 3:.3f}"})

    assert routed(request, read_db) == "default"


@pytest.mark.parametrize("offset", [-1.0, 3600.0])
def test_a_past_or_too_distant_window_is_ignored(health, offset):
    request = get(headers={HEADER: f"{time.time() + offset:.3f}"})

    assert routed(request, read_db) == REPLICA


def test_a_user_who_just_wrote_reads_the_primary(health):
    mark_user(7)

    assert routed(get(user=UserFactory.build(pk=7)), read_db) == "default"
    assert routed(get(user=UserFactory.build(pk=8)), read_db) == REPLICA


def test_without_a_usable_replica_reads_use_the_primary(health):
    health.mark_down(REPLICA)

    assert routed(get(), read_db) == "default"


def test_one_replica_answers_all_of_a_requests_reads(health, monkeypatch):
    two = ReplicaHealth(
        {REPLICA: {}, "replica_2": {}},
        check_seconds=3600,
        max_lag_seconds=2,
        primary_position=lambda: 0,
        on_outage_change=lambda alias: None,
    )
    for state in two.states():
        state.status = OK
    two._checked_at = time.monotonic()
    monkeypatch.setattr(db_router, "replica_health", lambda: two)

    chosen = [routed(get(), lambda: {read_db() for _ in range(20)}) for _ in range(40)]

    assert all(len(aliases) == 1 for aliases in chosen)
    assert set().union(*chosen) == {REPLICA, "replica_2"}


def test_a_response_cache_fill_reads_the_primary(health):
    fill = routed(get("/api/v1/tags/"), read_db, PublicReadCacheMiddleware)
    hit = routed(get("/api/v1/tags/"), read_db, PublicReadCacheMiddleware)
    uncached = routed(get("/api/v1/users/me/"), read_db, PublicReadCacheMiddleware)

    assert fill == "default"
    assert hit is None  # served from the cache: no view, no read
    assert uncached == REPLICA


def test_a_successful_write_opens_its_clients_window(health, settings):
    settings.READ_YOUR_WRITES_SECONDS = 4.0
    user = UserFactory.build(pk=9)
    request = RequestFactory().post("/api/v1/posts/")
    request.user = user

    before = time.time()
    response = ReadRoutingMiddleware(lambda request: HttpResponse(status=201))(request)

    assert before + 3.999 <= float(response[HEADER]) <= time.time() + 4.001
    cookie = response.cookies[COOKIE]
    assert cookie.value == response[HEADER]
    assert cookie["max-age"] == 4
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert user_wrote_recently(9)


@pytest.mark.parametrize(("method", "status"), [("post", 400), ("get", 200)])
def test_a_refused_write_or_a_read_opens_no_window(health, method, status):
    request = getattr(RequestFactory(), method)("/api/v1/posts/")
    request.user = UserFactory.build(pk=10)

    response = ReadRoutingMiddleware(lambda request: HttpResponse(status=status))(
        request
    )

    assert HEADER not in response
    assert COOKIE not in response.cookies
    assert not user_wrote_recently(10)


def test_a_request_whose_replica_failed_is_answered_again_from_the_primary(health):
    answers: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        answers.append(read_db())
        if len(answers) == 1:
            # What core.db_backends.postgresql reports when a replica's
            # connection breaks under a query.
            db_router.replica_failed(REPLICA, broken=True)
            return HttpResponse(status=503)
        return HttpResponse(status=200)

    response = ReadRoutingMiddleware(view)(get())

    assert response.status_code == 200
    assert answers == [REPLICA, "default"]
    assert not health.states()[0].usable


def test_a_replica_query_error_that_keeps_the_connection_skips_no_replica(health):
    def view(request: HttpRequest) -> HttpResponse:
        read_db()
        db_router.replica_failed(REPLICA, broken=False)
        return HttpResponse(status=200)

    ReadRoutingMiddleware(view)(get())

    assert health.states()[0].usable


def test_relations_between_the_primary_and_a_replica_are_allowed(health):
    on_primary, on_replica = Post(), Post()
    on_primary._state.db, on_replica._state.db = "default", REPLICA

    assert ReplicaRouter().allow_relation(on_primary, on_replica) is True


def test_only_the_primary_is_migrated(health):
    router = ReplicaRouter()

    assert router.allow_migrate("default", "posts") is True
    assert router.allow_migrate(REPLICA, "posts") is False


@pytest.mark.redis
def test_while_the_cache_is_unreachable_a_user_reads_the_primary(health, private_redis):
    private_redis.stop()

    assert routed(get(user=UserFactory.build(pk=11)), read_db) == "default"
    assert routed(get(), read_db) == REPLICA  # anonymous: no window to look up
