"""Every posts, comments, likes and tags endpoint x caller x method, as documented.

The order of checks is 401 (no credentials) → 404 (not visible to the
caller) → 403 (visible, but the role forbids the action).
"""

from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.models import Role
from posts import services
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


# (method, path template, request body, expected status per actor)
CASES: list[tuple[str, str, dict | None, dict[str, int]]] = [
    ("get", "posts/", None, everyone(200)),
    ("post", "posts/", {"title": "New"}, created({**members(200), "reader": 403})),
    ("get", "posts/{published}/", None, everyone(200)),
    (
        "get",
        "posts/{draft}/",
        None,
        {**CHANGE_DRAFT, "anonymous": 404, "reader": 404},
    ),
    ("patch", "posts/{published}/", {"title": "Changed"}, CHANGE_PUBLISHED),
    ("patch", "posts/{draft}/", {"title": "Changed"}, CHANGE_DRAFT),
    ("put", "posts/{published}/", {"title": "Replaced"}, CHANGE_PUBLISHED),
    ("put", "posts/{draft}/", {"title": "Replaced"}, CHANGE_DRAFT),
    ("delete", "posts/{published}/", None, no_content(CHANGE_PUBLISHED)),
    ("delete", "posts/{draft}/", None, no_content(CHANGE_DRAFT)),
    ("post", "posts/{published}/publish/", None, CHANGE_PUBLISHED),
    ("post", "posts/{draft}/publish/", None, CHANGE_DRAFT),
    ("post", "posts/{published}/unpublish/", None, CHANGE_PUBLISHED),
    ("post", "posts/{draft}/unpublish/", None, CHANGE_DRAFT),
    ("post", "posts/{published}/like/", None, members(200)),
    ("delete", "posts/{published}/like/", None, members(200)),
    # Likes and comments exist only on published posts: 404 even for the owner.
    ("post", "posts/{draft}/like/", None, members(404)),
    ("delete", "posts/{draft}/like/", None, members(404)),
    ("get", "posts/{published}/comments/", None, everyone(200)),
    ("post", "posts/{published}/comments/", {"body": "Hi"}, created(members(200))),
    ("get", "posts/{unpublished}/comments/", None, everyone(404)),
    ("post", "posts/{unpublished}/comments/", {"body": "Hi"}, members(404)),
    ("get", "posts/{published}/comments/{readers_comment}/", None, everyone(200)),
    (
        "patch",
        "posts/{published}/comments/{readers_comment}/",
        {"body": "Edited"},
        CHANGE_COMMENT,
    ),
    (
        "delete",
        "posts/{published}/comments/{readers_comment}/",
        None,
        no_content(CHANGE_COMMENT),
    ),
    (
        "put",
        "posts/{published}/comments/{readers_comment}/",
        {"body": "Edited"},
        members(405),
    ),
    ("get", "posts/{unpublished}/comments/{hidden_comment}/", None, everyone(404)),
    (
        "patch",
        "posts/{unpublished}/comments/{hidden_comment}/",
        {"body": "Edited"},
        members(404),
    ),
    (
        "delete",
        "posts/{unpublished}/comments/{hidden_comment}/",
        None,
        members(404),
    ),
    # A comment looked up under another post does not exist there.
    ("get", "posts/{draft}/comments/{readers_comment}/", None, everyone(404)),
    ("get", "tags/", None, everyone(200)),
    ("post", "tags/", {"name": "x"}, everyone(405)),
]


def _case_id(case: tuple) -> str:
    method, path, _, _ = case
    return f"{method.upper()} {path}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_endpoint_answers_each_caller_as_the_matrix_says(
    world, client_for, case, actor
):
    method, template, body, expected = case
    path = template.format(
        published=world.published.pk,
        draft=world.draft.pk,
        unpublished=world.unpublished.pk,
        readers_comment=world.readers_comment.pk,
        hidden_comment=world.hidden_comment.pk,
    )
    client = client_for(world.users[actor])

    response = getattr(client, method)(f"{API}/{path}", body, format="json")

    status = expected[actor]
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["error"]["code"] == ERROR_CODES[status]
    elif status == 204:
        assert response.content == b""
    else:
        payload = response.json()
        assert "results" in payload or "id" in payload or "liked" in payload
