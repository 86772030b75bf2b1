"""A member's read of a cached page is answered before DRF, as DRF answers it."""

import pytest
import structlog
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.connection import AbstractConnection
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from structlog.testing import capture_logs

from accounts import services as account_services
from accounts.authentication import ApiKeyAuthentication, CachedUserJWTAuthentication
from accounts.throttles import AnonRateThrottle, UserRateThrottle, member_window
from posts import services
from posts.views import PostViewSet
from tests.posts.conftest import API, api_client_as

pytestmark = pytest.mark.django_db

# Headers that belong to one exchange, not to the answer.
_PER_EXCHANGE = {"x-request-id", "date"}


@pytest.fixture
def posts(author, other_author, reader):
    made = [
        services.post_publish(
            post=services.post_create(
                author=author if index % 2 else other_author,
                title=f"Member {index} \u2028 ünï",
                body=f"Body {index} with <b>markup</b> and \u2029 a separator.",
                tags=["Django", "Python"] if index % 2 else [],
            )
        )
        for index in range(5)
    ]
    services.post_like(post=made[1], user=reader)
    services.post_like(post=made[4], user=reader)
    return made


@pytest.fixture
def through_drf(settings):
    """Answer members' reads of cached pages through DRF, as before the fast path."""

    def answer(client, path):
        previous = settings.RESPONSE_CACHE_MEMBER_HIT
        settings.RESPONSE_CACHE_MEMBER_HIT = ""
        try:
            return client.get(path)
        finally:
            settings.RESPONSE_CACHE_MEMBER_HIT = previous

    return answer


@pytest.fixture
def refuse_views(monkeypatch):
    """Return what makes any later run of the posts' read views fail the request."""

    def refuse(*args, **kwargs):
        raise AssertionError("the view ran")

    def apply():
        for name in ("list", "retrieve", "by_slug"):
            monkeypatch.setattr(PostViewSet, name, refuse)

    return apply


def exchange(response) -> tuple[int, dict[str, str], bytes]:
    headers = {
        name.lower(): value
        for name, value in response.items()
        if name.lower() not in _PER_EXCHANGE
    }
    return response.status_code, headers, response.content


def paths(posts) -> list[str]:
    return [
        f"{API}/posts/",
        f"{API}/posts/?page_size=2",
        f"{API}/posts/?tag=django&ordering=published_at",
        f"{API}/posts/{posts[1].pk}/",
        f"{API}/posts/{posts[2].pk}/",
        f"{API}/posts/slug/{posts[4].slug}/",
    ]


def test_the_fast_answer_is_drfs_answer_byte_for_byte(posts, reader, through_drf):
    client = api_client_as(reader)
    for path in paths(posts):
        APIClient().get(path)  # an anonymous reader stores the page

        fast = client.get(path)
        slow = through_drf(client, path)

        assert fast.status_code == 200, path
        assert exchange(fast) == exchange(slow), path


@pytest.mark.parametrize("kind", ["list", "detail", "slug"])
def test_a_member_hit_runs_no_view(posts, reader, refuse_views, kind):
    path = {
        "list": f"{API}/posts/",
        "detail": f"{API}/posts/{posts[1].pk}/",
        "slug": f"{API}/posts/slug/{posts[1].slug}/",
    }[kind]
    APIClient().get(path)  # stored by an anonymous reader
    client = api_client_as(reader)
    refuse_views()

    response = client.get(path)

    assert response.status_code == 200
    body = response.json()
    flags = [post["liked_by_me"] for post in body.get("results", [body])]
    assert True in flags


def test_a_member_hit_is_logged_with_the_member(posts, reader):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        client.get(f"{API}/posts/")

    [line] = [log for log in logs if log["event"] == "request"]
    assert line["user_id"] == reader.pk
    assert line["status"] == 200


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("Bearer not-a-token", "TOKEN_INVALID"),
        ("Bearer", "TOKEN_INVALID"),
        ("Basic dXNlcjpwYXNz", "TOKEN_INVALID"),
        ("Api-Key ink_nope_nope", "AUTHENTICATION_FAILED"),
    ],
)
def test_a_refused_credential_on_a_cached_page_gets_drfs_refusal(
    posts, through_drf, authorization, code
):
    APIClient().get(f"{API}/posts/")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)

    fast = client.get(f"{API}/posts/")
    slow = through_drf(client, f"{API}/posts/")

    assert fast.status_code == 401
    assert fast.json()["error"]["code"] == code
    assert fast["WWW-Authenticate"] == slow["WWW-Authenticate"]
    assert fast.json()["error"]["message"] == slow.json()["error"]["message"]


def test_a_deactivated_members_token_is_refused_on_a_cached_page(
    posts, reader, django_capture_on_commit_callbacks
):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)
    assert client.get(f"{API}/posts/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # refreshes the cache
        account_services.user_update(user=reader, is_active=False)

    refused = client.get(f"{API}/posts/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "TOKEN_INVALID"


def test_a_member_over_the_rate_is_throttled_on_a_cached_page(settings, posts, reader):
    rest_framework = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest_framework,
        "DEFAULT_THROTTLE_RATES": {
            **rest_framework["DEFAULT_THROTTLE_RATES"],
            "user": "3/hour",
        },
    }
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)

    statuses = [client.get(f"{API}/posts/").status_code for _ in range(3)]
    refused = client.get(f"{API}/posts/")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "THROTTLED"
    assert int(refused["Retry-After"]) > 0


def test_the_fast_path_counts_the_throttles_the_posts_views_apply():
    # member_page counts a member as UserRateThrottle does; if the views
    # took another throttle, the fast path would have to count it too.
    view = PostViewSet()

    throttles = {type(throttle) for throttle in view.get_throttles()}

    assert throttles == {AnonRateThrottle, UserRateThrottle}


@pytest.mark.parametrize("action", ["list", "retrieve", "by_slug"])
def test_the_fast_path_checks_what_the_posts_views_check_on_a_read(action):
    # member_page authenticates a bearer token as CachedUserJWTAuthentication
    # does and checks no permission: right only while reads allow anyone.
    view = PostViewSet(action=action, request=Request(APIRequestFactory().get("/")))

    permissions = [type(permission) for permission in view.get_permissions()]
    authenticators = [type(each) for each in view.get_authenticators()]

    assert permissions == [AllowAny]
    assert authenticators == [CachedUserJWTAuthentication, ApiKeyAuthentication]


def test_an_api_key_read_of_a_cached_page_goes_through_drf(posts, reader):
    APIClient().get(f"{API}/posts/")
    issued = account_services.api_key_create(user=reader, name="feed", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.key}")

    response = client.get(f"{API}/posts/")

    assert response.status_code == 200
    liked = {post["id"] for post in response.json()["results"] if post["liked_by_me"]}
    assert liked == {posts[1].pk, posts[4].pk}


def test_a_member_hit_reads_no_more_than_the_likes(posts, reader):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)
    client.get(f"{API}/posts/")  # caches the member's auth state (and liked set)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/posts/")

    assert response.status_code == 200
    assert all("posts_like" in query["sql"] for query in queries)
    assert len(queries) <= 1


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Return a list that gets one item per request sent to Redis (a round trip)."""
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.mark.redis
def test_a_member_hit_is_one_redis_round_trip(posts, reader, redis_round_trips):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)
    client.get(f"{API}/posts/")  # this process now knows the page's posts
    redis_round_trips.clear()

    response = client.get(f"{API}/posts/")

    assert response.status_code == 200
    assert len(redis_round_trips) == 1


def test_a_member_miss_is_counted_once_by_the_throttle(posts, reader):
    client = api_client_as(reader)
    window = member_window(reader.pk)

    assert client.get(f"{API}/posts/").status_code == 200  # a miss: DRF answers
    assert client.get(f"{API}/posts/").status_code == 200  # a hit

    assert cache.get(window.key) == 2


def test_a_member_hit_after_the_page_changed_shows_the_new_pages_likes(
    posts, reader, author, django_capture_on_commit_callbacks
):
    client = api_client_as(reader)
    APIClient().get(f"{API}/posts/")
    client.get(f"{API}/posts/")  # this process learns the page's posts
    with django_capture_on_commit_callbacks(execute=True):
        new = services.post_publish(
            post=services.post_create(
                author=author, title="Newer", body="Body.", tags=[]
            )
        )
        services.post_like(post=new, user=reader)
        services.post_unlike(post=posts[4], user=reader)
    APIClient().get(f"{API}/posts/")  # the changed page is stored

    response = client.get(f"{API}/posts/")

    liked = {post["id"] for post in response.json()["results"] if post["liked_by_me"]}
    assert liked == {new.pk, posts[1].pk}
