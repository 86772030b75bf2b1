"""Every posts, comments, likes and tags endpoint x caller x method, as documented.

The order of checks is 401 (no credentials) → 404 (not visible to the
caller) → 403 (visible, but the role forbids the action).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.models import Role
from posts import services
from posts.models import Comment, Like, Post, PostStatus
from tests.accounts.factories import UserFactory

from .conftest import API

ACTORS = ("anonymous", "reader", "owner", "other_author", "editor", "admin")
ERROR_CODES = {
    401: "NOT_AUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
}


@dataclass
class World:
    users: dict[str, Any]
    published: Any
    draft: Any
    unpublished: Any
    readers_comment: Any
    hidden_comment: Any
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    """The owner's published post and draft; comments by the reader.

    ``unpublished`` was published and commented on, then returned to draft:
    its comment still exists but is invisible to everyone.
    """
    users = {
        "anonymous": None,
        "reader": UserFactory.create(role=Role.READER),
        "owner": UserFactory.create(role=Role.AUTHOR),
        "other_author": UserFactory.create(role=Role.AUTHOR),
        "editor": UserFactory.create(role=Role.EDITOR),
        "admin": UserFactory.create(role=Role.ADMIN),
    }
    owner, reader = users["owner"], users["reader"]
    published = services.post_publish(
        post=services.post_create(author=owner, title="Published", tags=["x"])
    )
    draft = services.post_create(author=owner, title="Draft")
    unpublished = services.post_publish(
        post=services.post_create(author=owner, title="Unpublished")
    )
    readers_comment = services.comment_create(post=published, author=reader, body="A")
    hidden_comment = services.comment_create(post=unpublished, author=reader, body="B")
    services.post_unpublish(post=unpublished)
    return World(users, published, draft, unpublished, readers_comment, hidden_comment)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def members(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": 401}


# Who may change a post: the owner, editors and admins.
CHANGE_PUBLISHED = {
    "anonymous": 401,
    "reader": 403,
    "owner": 200,
    "other_author": 403,
    "editor": 200,
    "admin": 200,
}
CHANGE_DRAFT = {**CHANGE_PUBLISHED, "reader": 404, "other_author": 404}
# Who may change the reader's comment: the reader, editors and admins.
CHANGE_COMMENT = {
    "anonymous": 401,
    "reader": 200,
    "owner": 403,
    "other_author": 403,
    "editor": 200,
    "admin": 200,
}


def no_content(expected: dict[str, int]) -> dict[str, int]:
    return {
        actor: 204 if status == 200 else status for actor, status in expected.items()
    }


def created(expected: dict[str, int]) -> dict[str, int]:
    return {
        actor: 201 if status == 200 else status for actor, status in expected.items()
    }


# --- What a successful request must have done --------------------------------

Effect = Callable[["World", Any, Any], None]


def snapshot() -> tuple:
    """Return every row a request in the matrix could change."""
    return (
        sorted(Post.objects.values_list("id", "title", "body", "status")),
        sorted(Comment.objects.values_list("id", "body")),
        sorted(Like.objects.values_list("user_id", "post_id")),
    )


def lists_posts(world: World, user: Any, response: Any) -> None:
    # The list shows published posts only, whoever asks.
    assert [post["id"] for post in response.json()["results"]] == [world.published.pk]


def created_post(world: World, user: Any, response: Any) -> None:
    body = response.json()
    assert (body["title"], body["status"], body["author"]["id"]) == (
        "New",
        PostStatus.DRAFT,
        user.pk,
    )
    assert Post.objects.get(pk=body["id"]).author == user


def shows(name: str) -> Effect:
    def check(world: World, user: Any, response: Any) -> None:
        assert response.json()["id"] == getattr(world, name).pk

    return check


def retitled(name: str, title: str) -> Effect:
    def check(world: World, user: Any, response: Any) -> None:
        post = getattr(world, name)
        assert response.json()["title"] == title
        assert Post.objects.get(pk=post.pk).title == title

    return check


def deleted_post(name: str) -> Effect:
    def check(world: World, user: Any, response: Any) -> None:
        assert response.content == b""
        assert not Post.objects.filter(pk=getattr(world, name).pk).exists()

    return check


def in_status(name: str, status: str) -> Effect:
    def check(world: World, user: Any, response: Any) -> None:
        post = getattr(world, name)
        assert response.json()["status"] == status
        assert Post.objects.get(pk=post.pk).status == status

    return check


def liked(state: bool) -> Effect:
    def check(world: World, user: Any, response: Any) -> None:
        assert response.json() == {"liked": state, "like_count": int(state)}
        likes = Like.objects.filter(post=world.published, user=user)
        assert likes.exists() is state

    return check


def lists_comments(world: World, user: Any, response: Any) -> None:
    assert [comment["id"] for comment in response.json()["results"]] == [
        world.readers_comment.pk
    ]


def commented(world: World, user: Any, response: Any) -> None:
    body = response.json()
    assert (body["body"], body["post"], body["author"]["id"]) == (
        "Hi",
        world.published.pk,
        user.pk,
    )
    assert Comment.objects.filter(post=world.published).count() == 2


def edited_comment(world: World, user: Any, response: Any) -> None:
    assert response.json()["body"] == "Edited"
    assert Comment.objects.get(pk=world.readers_comment.pk).body == "Edited"


def deleted_comment(world: World, user: Any, response: Any) -> None:
    assert response.content == b""
    assert not Comment.objects.filter(pk=world.readers_comment.pk).exists()


def lists_tags(world: World, user: Any, response: Any) -> None:
    assert [tag["slug"] for tag in response.json()["results"]] == ["x"]


def refused(world: World, user: Any, response: Any) -> None:
    raise AssertionError("every caller is refused here")


# (method, path template, request body, expected status per actor, effect)
CASES: list[tuple[str, str, dict | None, dict[str, int], Effect]] = [
    ("get", "posts/", None, everyone(200), lists_posts),
    (
        "post",
        "posts/",
        {"title": "New"},
        created({**members(200), "reader": 403}),
        created_post,
    ),
    ("get", "posts/{published}/", None, everyone(200), shows("published")),
    (
        "get",
        "posts/{draft}/",
        None,
        {**CHANGE_DRAFT, "anonymous": 404, "reader": 404},
        shows("draft"),
    ),
    (
        "patch",
        "posts/{published}/",
        {"title": "Changed"},
        CHANGE_PUBLISHED,
        retitled("published", "Changed"),
    ),
    (
        "patch",
        "posts/{draft}/",
        {"title": "Changed"},
        CHANGE_DRAFT,
        retitled("draft", "Changed"),
    ),
    (
        "put",
        "posts/{published}/",
        {"title": "Replaced"},
        CHANGE_PUBLISHED,
        retitled("published", "Replaced"),
    ),
    (
        "put",
        "posts/{draft}/",
        {"title": "Replaced"},
        CHANGE_DRAFT,
        retitled("draft", "Replaced"),
    ),
    (
        "delete",
        "posts/{published}/",
        None,
        no_content(CHANGE_PUBLISHED),
        deleted_post("published"),
    ),
    (
        "delete",
        "posts/{draft}/",
        None,
        no_content(CHANGE_DRAFT),
        deleted_post("draft"),
    ),
    (
        "post",
        "posts/{published}/publish/",
        None,
        CHANGE_PUBLISHED,
        in_status("published", PostStatus.PUBLISHED),
    ),
    (
        "post",
        "posts/{draft}/publish/",
        None,
        CHANGE_DRAFT,
        in_status("draft", PostStatus.PUBLISHED),
    ),
    (
        "post",
        "posts/{published}/unpublish/",
        None,
        CHANGE_PUBLISHED,
        in_status("published", PostStatus.DRAFT),
    ),
    (
        "post",
        "posts/{draft}/unpublish/",
        None,
        CHANGE_DRAFT,
        in_status("draft", PostStatus.DRAFT),
    ),
    ("post", "posts/{published}/like/", None, members(200), liked(True)),
    ("delete", "posts/{published}/like/", None, members(200), liked(False)),
    # Likes and comments exist only on published posts: 404 even for the owner.
    ("post", "posts/{draft}/like/", None, members(404), refused),
    ("delete", "posts/{draft}/like/", None, members(404), refused),
    ("get", "posts/{published}/comments/", None, everyone(200), lists_comments),
    (
        "post",
        "posts/{published}/comments/",
        {"body": "Hi"},
        created(members(200)),
        commented,
    ),
    ("get", "posts/{unpublished}/comments/", None, everyone(404), refused),
    (
        "post",
        "posts/{unpublished}/comments/",
        {"body": "Hi"},
        members(404),
        refused,
    ),
    (
        "get",
        "posts/{published}/comments/{readers_comment}/",
        None,
        everyone(200),
        shows("readers_comment"),
    ),
    (
        "patch",
        "posts/{published}/comments/{readers_comment}/",
        {"body": "Edited"},
        CHANGE_COMMENT,
        edited_comment,
    ),
    (
        "delete",
        "posts/{published}/comments/{readers_comment}/",
        None,
        no_content(CHANGE_COMMENT),
        deleted_comment,
    ),
    (
        "put",
        "posts/{published}/comments/{readers_comment}/",
        {"body": "Edited"},
        members(405),
        refused,
    ),
    (
        "get",
        "posts/{unpublished}/comments/{hidden_comment}/",
        None,
        everyone(404),
        refused,
    ),
    (
        "patch",
        "posts/{unpublished}/comments/{hidden_comment}/",
        {"body": "Edited"},
        members(404),
        refused,
    ),
    (
        "delete",
        "posts/{unpublished}/comments/{hidden_comment}/",
        None,
        members(404),
        refused,
    ),
    # A comment looked up under another post does not exist there.
    (
        "get",
        "posts/{draft}/comments/{readers_comment}/",
        None,
        everyone(404),
        refused,
    ),
    ("get", "tags/", None, everyone(200), lists_tags),
    ("post", "tags/", {"name": "x"}, everyone(405), refused),
]


def _case_id(case: tuple) -> str:
    method, path, _, _, _ = case
    return f"{method.upper()} {path}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_endpoint_answers_each_caller_as_the_matrix_says(
    world, client_for, case, actor
):
    method, template, body, expected, effect = case
    path = template.format(
        published=world.published.pk,
        draft=world.draft.pk,
        unpublished=world.unpublished.pk,
        readers_comment=world.readers_comment.pk,
        hidden_comment=world.hidden_comment.pk,
    )
    user = world.users[actor]
    client = client_for(user)
    before = snapshot()

    response = getattr(client, method)(f"{API}/{path}", body, format="json")

    status = expected[actor]
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["error"]["code"] == ERROR_CODES[status]
        assert snapshot() == before, "a refused request changed something"
    else:
        effect(world, user, response)
