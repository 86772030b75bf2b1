"""The posts list: drafts visibility, filters, search, ordering and cursors."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from posts import services
from posts.excerpts import EXCERPT_LENGTH, HEAD_LENGTH
from posts.models import Post, PostStatus

from .conftest import API

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_post(author, title, *, tags=(), body="", published_day=None, created_day=0):
    """Create a post through the service, with fixed, distinct timestamps."""
    post = services.post_create(author=author, title=title, body=body, tags=tags)
    changes = {"created_at": T0 + timedelta(days=created_day)}
    if published_day is not None:
        services.post_publish(post=post)
        changes["published_at"] = T0 + timedelta(days=published_day)
    Post.objects.filter(pk=post.pk).update(**changes)
    return post


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [post["title"] for post in response.json()["results"]]


@pytest.fixture
def catalogue(author, other_author):
    """Published posts at noon on 2 to 5 March 2025 and drafts by two authors."""
    return {
        "p1": make_post(author, "p1", tags=["django"], published_day=1),
        "p2": make_post(other_author, "p2", tags=["python"], published_day=2),
        "p3": make_post(
            author,
            "p3",
            tags=["django", "python"],
            body="Indexing strategies",
            published_day=3,
        ),
        "p4": make_post(other_author, "p4", body="Caching layers", published_day=4),
        "d1": make_post(author, "d1", tags=["django"], created_day=5),
        "d2": make_post(other_author, "d2", created_day=6),
    }


def test_list_shows_published_posts_newest_first(client_for, catalogue):
    response = client_for().get(f"{API}/posts/")

    assert titles(response) == ["p4", "p3", "p2", "p1"]
    assert response.json()["previous"] is None
    assert response.json()["next"] is None


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (None, []),
        ("reader", []),
        ("author", ["d1"]),
        ("other_author", ["d2"]),
        ("editor", ["d2", "d1"]),
        ("admin_user", ["d2", "d1"]),
    ],
)
def test_status_draft_lists_only_the_drafts_the_caller_may_see(
    request, client_for, catalogue, actor, expected
):
    user = request.getfixturevalue(actor) if actor else None

    response = client_for(user).get(f"{API}/posts/", {"status": "draft"})

    assert titles(response) == expected


@pytest.mark.parametrize("actor", ["author", "editor"])
def test_drafts_never_appear_in_the_default_list(request, client_for, catalogue, actor):
    user = request.getfixturevalue(actor)

    assert titles(client_for(user).get(f"{API}/posts/")) == ["p4", "p3", "p2", "p1"]
    published = client_for(user).get(f"{API}/posts/", {"status": "published"})
    assert titles(published) == ["p4", "p3", "p2", "p1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "django"}, ["p3", "p1"]),
        ({"tag": "python"}, ["p3", "p2"]),
        ({"tag": "nope"}, []),
        ({"author": "AUTHOR"}, ["p3", "p1"]),
        ({"author": "OTHER"}, ["p4", "p2"]),
        ({"author": "999999"}, []),
        ({"published_after": "2025-03-04T12:00:00Z"}, ["p4", "p3"]),
        ({"published_before": "2025-03-04T12:00:00+00:00"}, ["p3", "p2", "p1"]),
        (
            {
                "published_after": "2025-03-03T00:00:00Z",
                "published_before": "2025-03-05T00:00:00Z",
            },
            ["p3", "p2"],
        ),
        (
            {
                "tag": "django",
                "author": "AUTHOR",
                "published_after": "2025-03-03T00:00:00+00:00",
            },
            ["p3"],
        ),
        ({"tag": "django", "status": "draft"}, []),
    ],
)
def test_filters_return_exactly_the_matching_posts(
    client_for, catalogue, author, other_author, params, expected
):
    ids = {"AUTHOR": str(author.pk), "OTHER": str(other_author.pk)}
    params = {key: ids.get(value, value) for key, value in params.items()}

    assert titles(client_for().get(f"{API}/posts/", params)) == expected


def test_filters_apply_to_the_callers_drafts_too(client_for, catalogue, editor):
    response = client_for(editor).get(
        f"{API}/posts/", {"status": "draft", "tag": "django"}
    )

    assert titles(response) == ["d1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"published_after": "yesterday"}, "published_after"),
        ({"author": "me"}, "author"),
        ({"author": "1.5"}, "author"),
        ({"status": "archived"}, "status"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_malformed_filters_are_validation_errors(client_for, params, field):
    response = client_for().get(f"{API}/posts/", params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == [field]


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ("indexing", ["p3"]),
        ("caching", ["p4"]),
        ("p2", ["p2"]),
        ("nothing-matches-this", []),
        ("", ["p4", "p3", "p2", "p1"]),
    ],
)
def test_search_matches_title_and_body(client_for, catalogue, terms, expected):
    assert titles(client_for().get(f"{API}/posts/", {"search": terms})) == expected


def test_search_never_finds_drafts_of_others(client_for, catalogue, other_author):
    anonymous = client_for().get(f"{API}/posts/", {"search": "d1"})
    other = client_for(other_author).get(
        f"{API}/posts/", {"search": "d1", "status": "draft"}
    )

    assert titles(anonymous) == []
    assert titles(other) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ordering": "published_at"}, ["p1", "p2", "p3", "p4"]),
        ({"ordering": "-published_at"}, ["p4", "p3", "p2", "p1"]),
        ({"ordering": "created_at"}, ["p1", "p2", "p3", "p4"]),
        ({"status": "draft", "ordering": "created_at"}, ["d1", "d2"]),
        ({"status": "draft", "ordering": "-updated_at"}, ["d2", "d1"]),
    ],
)
def test_ordering_comes_from_an_allow_list(
    client_for, catalogue, editor, params, expected
):
    assert titles(client_for(editor).get(f"{API}/posts/", params)) == expected


@pytest.mark.parametrize(
    ("params", "allowed"),
    [
        (
            {"ordering": "title"},
            "published posts by one of: -published_at, published_at, "
            "-created_at, created_at.",
        ),
        (
            {"status": "draft", "ordering": "-published_at"},
            "drafts by one of: -created_at, created_at, -updated_at, updated_at.",
        ),
    ],
)
def test_an_ordering_outside_the_allow_list_is_refused(
    client_for, catalogue, editor, params, allowed
):
    response = client_for(editor).get(f"{API}/posts/", params)

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "ordering", "code": "invalid_choice", "message": f"Order {allowed}"}
    ]


def _cursor_from(link: str) -> str:
    return parse_qs(urlparse(link).query)["cursor"][0]


def test_cursor_pages_walk_every_post_exactly_once(client_for, author):
    # Ten posts share each publication time: the id breaks the ties.
    for n in range(25):
        make_post(author, f"t{n:02d}", published_day=n // 10)
    client = client_for()
    seen: list[str] = []
    params: dict[str, object] = {"page_size": 4}
    while True:
        body = client.get(f"{API}/posts/", params).json()
        seen += [post["title"] for post in body["results"]]
        if body["next"] is None:
            break
        params = {"page_size": 4, "cursor": _cursor_from(body["next"])}

    expected = sorted(
        Post.objects.filter(status=PostStatus.PUBLISHED),
        key=lambda post: (post.published_at, post.pk),
        reverse=True,
    )
    assert seen == [post.title for post in expected]
    assert len(set(seen)) == 25


def test_previous_cursor_returns_the_page_before(client_for, author):
    for n in range(6):
        make_post(author, f"t{n}", published_day=n)
    client = client_for()
    first = client.get(f"{API}/posts/", {"page_size": 2}).json()
    second = client.get(
        f"{API}/posts/", {"page_size": 2, "cursor": _cursor_from(first["next"])}
    ).json()

    back = client.get(
        f"{API}/posts/", {"page_size": 2, "cursor": _cursor_from(second["previous"])}
    ).json()

    assert [p["title"] for p in first["results"]] == ["t5", "t4"]
    assert [p["title"] for p in second["results"]] == ["t3", "t2"]
    assert back["results"] == first["results"]


def test_page_size_defaults_to_20_and_is_capped_at_100(client_for, author):
    for n in range(105):
        make_post(author, f"t{n}", published_day=n)
    client = client_for()

    default = client.get(f"{API}/posts/").json()
    capped = client.get(f"{API}/posts/", {"page_size": 1000}).json()

    assert len(default["results"]) == 20
    assert len(capped["results"]) == 100
    assert capped["next"] is not None


@pytest.mark.parametrize("cursor", ["not-base64!", "cD1nYXJiYWdl"])
def test_a_tampered_cursor_is_not_found(client_for, catalogue, cursor):
    # "cD1nYXJiYWdl" is base64 for "p=garbage": it decodes, but is no date.
    response = client_for().get(f"{API}/posts/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "Invalid cursor",
        "details": [],
        "request_id": response["X-Request-ID"],
    }


def test_offsets_postgresql_cannot_store_are_converted_to_utc(client_for, published):
    # +17:32 is valid ISO 8601; PostgreSQL allows offsets up to +/-15:59.
    response = client_for().get(
        f"{API}/posts/", {"published_after": "2000-01-01T13:55:09+17:32"}
    )

    assert response.status_code == 200
    assert [post["id"] for post in response.json()["results"]] == [published.pk]


def test_a_timestamp_that_leaves_the_calendar_in_utc_is_a_validation_error(
    client_for,
):
    response = client_for().get(
        f"{API}/posts/", {"published_before": "0001-01-01T00:00:00+05:00"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "published_before"


@pytest.mark.parametrize("value", ["2025-03-03", "2025-03-03T10:00:00", "yesterday"])
def test_timestamps_without_date_time_and_offset_are_refused(client_for, value):
    response = client_for().get(f"{API}/posts/", {"published_after": value})

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "published_after"


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "ten"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_refused(client_for, value):
    response = client_for().get(f"{API}/posts/", {"page_size": value})

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "page_size"


def test_an_empty_status_is_refused_rather_than_ignored(client_for):
    response = client_for().get(f"{API}/posts/?status=")

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "status"


def test_list_items_carry_an_excerpt_and_no_body(author):
    make_post(author, "Long", body="word " * 1000, published_day=1)

    item = APIClient().get(f"{API}/posts/").json()["results"][0]

    assert "body" not in item
    assert item["excerpt"].endswith("word\u2026")
    assert len(item["excerpt"]) <= EXCERPT_LENGTH


def test_list_and_detail_show_the_same_excerpt(author):
    post = make_post(author, "Mixed", body=" Lines\n\nand  " * 300, published_day=1)

    listed = APIClient().get(f"{API}/posts/").json()["results"][0]
    detail = APIClient().get(f"{API}/posts/{post.pk}/").json()

    assert listed["excerpt"] == detail["excerpt"]
    assert detail["excerpt"].startswith("Lines and Lines and")


def test_the_list_query_reads_only_the_head_of_each_body(author):
    make_post(author, "Long", body="x" * 50_000, published_day=1)

    with CaptureQueriesContext(connection) as context:
        APIClient().get(f"{API}/posts/")

    page_query = next(
        query["sql"] for query in context if '"posts_post"."title"' in query["sql"]
    )
    # SUBSTR on SQLite, SUBSTRING on PostgreSQL.
    head = re.compile(rf'SUBSTR(ING)?\("posts_post"\."body", 1, {HEAD_LENGTH + 1}\)')
    assert head.search(page_query)
    assert '"posts_post"."body"' not in head.sub("", page_query)


def test_tags_are_listed_with_their_names(author):
    make_post(author, "Tagged", tags=["Web Dev", "Django"], published_day=1)

    item = APIClient().get(f"{API}/posts/").json()["results"][0]

    assert item["tags"] == [
        {"slug": "django", "name": "Django"},
        {"slug": "web-dev", "name": "Web Dev"},
    ]
