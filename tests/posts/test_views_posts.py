"""posts/ and posts/{id}/: shapes, writes, validation and read-only fields."""

from datetime import UTC, datetime

import pytest

from posts.models import Post, PostStatus, Tag
from posts.services import post_like

from .conftest import API

pytestmark = pytest.mark.django_db

POST_FIELDS = {
    "id",
    "slug",
    "title",
    "excerpt",
    "body",
    "status",
    "author",
    "tags",
    "like_count",
    "liked_by_me",
    "comment_count",
    "created_at",
    "updated_at",
    "published_at",
}


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_post_detail_has_exactly_the_contract_shape(client_for, published, reader):
    post_like(post=published, user=reader)
    published.refresh_from_db()

    response = client_for(reader).get(f"{API}/posts/{published.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": published.pk,
        "slug": "a-published-post",
        "title": "A published post",
        "excerpt": "Finished.",
        "body": "Finished.",
        "status": "published",
        "author": {"id": published.author.pk, "display_name": "Aria Author"},
        "tags": [
            {"slug": "django", "name": "Django"},
            {"slug": "python", "name": "Python"},
        ],
        "like_count": 1,
        "liked_by_me": True,
        "comment_count": 0,
        "created_at": iso(published.created_at),
        "updated_at": iso(published.updated_at),
        "published_at": iso(published.published_at),
    }


def test_liked_by_me_is_false_for_anonymous_callers(client_for, published, reader):
    post_like(post=published, user=reader)

    body = client_for().get(f"{API}/posts/{published.pk}/").json()

    assert body["liked_by_me"] is False
    assert body["like_count"] == 1


def test_author_email_is_never_shown(client_for, published):
    body = client_for().get(f"{API}/posts/{published.pk}/").json()

    assert set(body["author"]) == {"id", "display_name"}
    assert published.author.email not in str(body)


def test_create_makes_a_draft_by_the_caller(client_for, author):
    response = client_for(author).post(
        f"{API}/posts/",
        {"title": "Hello world", "body": "First!", "tags": ["Django", " Web Dev "]},
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == POST_FIELDS
    assert body["status"] == "draft"
    assert body["published_at"] is None
    assert body["slug"] == "hello-world"
    assert body["author"] == {"id": author.pk, "display_name": "Aria Author"}
    assert body["tags"] == [
        {"slug": "django", "name": "Django"},
        {"slug": "web-dev", "name": "Web Dev"},
    ]
    assert body["like_count"] == body["comment_count"] == 0
    assert Tag.objects.get(slug="web-dev").name == "Web Dev"


def test_create_ignores_fields_the_caller_may_not_set(client_for, author, other_author):
    response = client_for(author).post(
        f"{API}/posts/",
        {
            "title": "Sneaky",
            "body": "x",
            "author": other_author.pk,
            "status": "published",
            "published_at": "2020-01-01T00:00:00Z",
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
            "like_count": 99,
            "comment_count": 42,
            "liked_by_me": True,
            "slug": "chosen-slug",
            "id": 12345,
        },
    )

    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    assert post.pk != 12345
    assert post.author == author
    assert post.status == PostStatus.DRAFT
    assert post.published_at is None
    assert post.created_at.year > 2020
    assert (post.like_count, post.comment_count) == (0, 0)
    assert post.slug == "sneaky"
    assert response.json()["liked_by_me"] is False


def test_update_ignores_fields_the_caller_may_not_set(
    client_for, author, other_author, published
):
    before = Post.objects.get(pk=published.pk)

    response = client_for(author).patch(
        f"{API}/posts/{published.pk}/",
        {
            "title": "Renamed",
            "author": other_author.pk,
            "status": "draft",
            "published_at": None,
            "created_at": "2020-01-01T00:00:00Z",
            "like_count": 99,
            "comment_count": 42,
            "slug": "chosen-slug",
        },
    )

    assert response.status_code == 200
    post = Post.objects.get(pk=published.pk)
    assert post.title == "Renamed"
    assert post.author == author
    assert post.status == PostStatus.PUBLISHED
    assert post.published_at == before.published_at
    assert post.created_at == before.created_at
    assert (post.like_count, post.comment_count) == (0, 0)
    assert post.slug == before.slug
    assert post.updated_at > before.updated_at


def test_patch_changes_only_the_given_fields(client_for, author, published):
    response = client_for(author).patch(
        f"{API}/posts/{published.pk}/", {"body": "Revised."}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["body"]) == ("A published post", "Revised.")
    assert [tag["slug"] for tag in body["tags"]] == ["django", "python"]


def test_put_replaces_title_body_and_tags(client_for, author, published):
    response = client_for(author).put(
        f"{API}/posts/{published.pk}/", {"title": "Replaced"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["body"], body["tags"]) == ("Replaced", "", [])
    assert body["status"] == "published"


def test_put_without_a_title_is_refused(client_for, author, published):
    response = client_for(author).put(f"{API}/posts/{published.pk}/", {"body": "x"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == [
        {"field": "title", "code": "required", "message": "This field is required."}
    ]


def test_tags_can_be_replaced_and_cleared_by_patch(client_for, author, published):
    client = client_for(author)

    renamed = client.patch(f"{API}/posts/{published.pk}/", {"tags": ["Go", "django"]})
    cleared = client.patch(f"{API}/posts/{published.pk}/", {"tags": []})

    assert renamed.json()["tags"] == [
        {"slug": "django", "name": "Django"},
        {"slug": "go", "name": "Go"},
    ]
    assert cleared.json()["tags"] == []


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"title": ""}, "title", "blank"),
        ({"title": "   "}, "title", "blank"),
        ({"title": "x" * 201}, "title", "max_length"),
        ({"title": "ok", "body": "x" * 100_001}, "body", "max_length"),
        ({"title": "ok", "tags": [f"t{n}" for n in range(11)]}, "tags", "max_length"),
        ({"title": "ok", "tags": ["x" * 51]}, "tags.0", "max_length"),
        ({"title": "ok", "tags": ["fine", "!!!"]}, "tags.1", "invalid"),
        ({"title": "ok", "tags": ["fine", ""]}, "tags.1", "blank"),
        ({"title": "ok", "tags": "django"}, "tags", "not_a_list"),
        ({"title": "ok", "tags": [{"name": "x"}]}, "tags.0", "invalid"),
    ],
)
def test_invalid_post_input_is_a_validation_error_naming_the_field(
    client_for, author, payload, field, code
):
    response = client_for(author).post(f"{API}/posts/", payload)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [(d["field"], d["code"]) for d in error["details"]] == [(field, code)]
    assert not Post.objects.exists()


def test_limits_are_inclusive(client_for, author):
    response = client_for(author).post(
        f"{API}/posts/",
        {
            "title": "x" * 200,
            "body": "y" * 100_000,
            "tags": [f"{n}" + "z" * 49 for n in range(10)],
        },
    )

    assert response.status_code == 201
    assert len(response.json()["tags"]) == 10


def test_two_posts_with_one_title_get_distinct_slugs(client_for, author):
    client = client_for(author)

    first = client.post(f"{API}/posts/", {"title": "Same title"}).json()
    second = client.post(f"{API}/posts/", {"title": "Same title"}).json()

    assert first["slug"] == "same-title"
    assert second["slug"].startswith("same-title-")
    assert second["slug"] != first["slug"]


def test_publish_sets_published_at_and_is_idempotent(client_for, author, draft):
    client = client_for(author)

    first = client.post(f"{API}/posts/{draft.pk}/publish/")
    second = client.post(f"{API}/posts/{draft.pk}/publish/")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "published"
    assert first.json()["published_at"] is not None
    assert second.json()["published_at"] == first.json()["published_at"]


def test_unpublish_returns_to_draft_and_clears_published_at(
    client_for, author, published
):
    client = client_for(author)

    first = client.post(f"{API}/posts/{published.pk}/unpublish/")
    second = client.post(f"{API}/posts/{published.pk}/unpublish/")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == second.json()["status"] == "draft"
    assert first.json()["published_at"] is None
    assert client_for().get(f"{API}/posts/{published.pk}/").status_code == 404


def test_delete_removes_the_post(client_for, author, published):
    response = client_for(author).delete(f"{API}/posts/{published.pk}/")

    assert response.status_code == 204
    assert not Post.objects.filter(pk=published.pk).exists()
    assert client_for().get(f"{API}/posts/{published.pk}/").status_code == 404


def test_an_author_demoted_to_reader_can_no_longer_edit_their_post(
    client_for, author, published
):
    author.role = "reader"
    author.save(update_fields=["role"])

    response = client_for(author).patch(
        f"{API}/posts/{published.pk}/", {"title": "Mine?"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("path", ["posts/abc/", "posts/0/", "posts/999999/"])
def test_unknown_post_ids_are_not_found(client_for, path):
    response = client_for().get(f"{API}/{path}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_non_json_bodies_are_unsupported(client_for, author):
    response = client_for(author).post(
        f"{API}/posts/", "title=x", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "posts", 200),
        ("get", "posts/{id}", 200),
        ("post", "posts/{id}/like", 200),
        ("get", "posts/{id}/comments", 200),
        ("post", "posts/{id}/comments", 201),
        ("get", "tags", 200),
    ],
)
def test_paths_work_without_the_trailing_slash(
    client_for, reader, published, method, path, status
):
    url = f"{API}/{path.format(id=published.pk)}"

    # A GET's data would be query parameters, which these reads do not take.
    data = {"body": "Hi"} if method == "post" else None
    response = getattr(client_for(reader), method)(url, data)

    assert response.status_code == status, response.content
    assert "error" not in response.json()
