"""An unverified account reads, likes and deletes its own content, but writes nothing.

The order of checks stays 401 → 404 → 403: the role's PERMISSION_DENIED
comes before EMAIL_NOT_VERIFIED, and an invisible object is 404 first.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Role, User
from accounts.services import user_mark_email_verified
from accounts.verification import verification_token_make
from posts import services
from posts.models import Comment, Post, PostStatus
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import assert_error

from .conftest import API

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """An unverified author (a promoted sign-up) with posts and a comment."""

    unverified: User
    unverified_reader: User
    published: Post
    draft: Post
    unpublished: Post
    others_published: Post
    others_draft: Post
    comment: Comment


@pytest.fixture
def world() -> World:
    unverified = UserFactory.create(role=Role.AUTHOR, email_verified_at=None)
    unverified_reader = UserFactory.create(role=Role.READER, email_verified_at=None)
    other = UserFactory.create(role=Role.AUTHOR)
    published = services.post_publish(
        post=services.post_create(author=unverified, title="Mine")
    )
    unpublished = services.post_publish(
        post=services.post_create(author=unverified, title="Was out")
    )
    services.post_unpublish(post=unpublished)
    others_published = services.post_publish(
        post=services.post_create(author=other, title="Theirs")
    )
    return World(
        unverified=unverified,
        unverified_reader=unverified_reader,
        published=published,
        draft=services.post_create(author=unverified, title="Draft"),
        unpublished=unpublished,
        others_published=others_published,
        others_draft=services.post_create(author=other, title="Their draft"),
        comment=services.comment_create(
            post=others_published, author=unverified, body="Mine"
        ),
    )


def path_in(world: World, template: str) -> str:
    return f"{API}/" + template.format(
        published=world.published.pk,
        draft=world.draft.pk,
        unpublished=world.unpublished.pk,
        others_published=world.others_published.pk,
        others_draft=world.others_draft.pk,
        comment=world.comment.pk,
    )


UNVERIFIED = "EMAIL_NOT_VERIFIED"
ROLE = "PERMISSION_DENIED"

# (method, path, body, status, error code or None) for the unverified author.
AUTHOR_CASES: list[tuple[str, str, dict[str, Any] | None, int, str | None]] = [
    ("post", "posts/", {"title": "New"}, 403, UNVERIFIED),
    # Refused before the body is even looked at.
    ("post", "posts/", {"title": ""}, 403, UNVERIFIED),
    ("patch", "posts/{published}/", {"title": "Changed"}, 403, UNVERIFIED),
    ("put", "posts/{draft}/", {"title": "Replaced"}, 403, UNVERIFIED),
    ("post", "posts/{draft}/publish/", None, 403, UNVERIFIED),
    ("post", "posts/{published}/unpublish/", None, 403, UNVERIFIED),
    ("post", "posts/{others_published}/comments/", {"body": "Hi"}, 403, UNVERIFIED),
    (
        "patch",
        "posts/{others_published}/comments/{comment}/",
        {"body": "Edited"},
        403,
        UNVERIFIED,
    ),
    # Not visible: 404 before anything else.
    ("patch", "posts/{others_draft}/", {"title": "Changed"}, 404, "NOT_FOUND"),
    ("post", "posts/{unpublished}/comments/", {"body": "Hi"}, 404, "NOT_FOUND"),
    ("post", "posts/{draft}/comments/", {"body": "Hi"}, 404, "NOT_FOUND"),
    ("post", "posts/12345/comments/", {"body": "Hi"}, 404, "NOT_FOUND"),
    # Visible, but not theirs: the role's answer comes first.
    ("patch", "posts/{others_published}/", {"title": "Changed"}, 403, ROLE),
    ("post", "posts/{others_published}/publish/", None, 403, ROLE),
    # What an unverified account may do.
    ("get", "posts/{draft}/", None, 200, None),
    ("post", "posts/{others_published}/like/", None, 200, None),
    ("delete", "posts/{others_published}/like/", None, 200, None),
    ("delete", "posts/{others_published}/comments/{comment}/", None, 204, None),
    ("delete", "posts/{published}/", None, 204, None),
    ("get", "users/me/", None, 200, None),
    ("patch", "users/me/", {"bio": "Still here."}, 200, None),
]


@pytest.mark.parametrize(
    ("method", "template", "body", "status", "code"),
    AUTHOR_CASES,
    ids=[f"{case[0].upper()} {case[1]}" for case in AUTHOR_CASES],
)
def test_an_unverified_author_is_answered_as_designed(
    world, client_for, method, template, body, status, code
):
    before = (Post.objects.count(), Comment.objects.count())

    response = getattr(client_for(world.unverified), method)(
        path_in(world, template), body
    )

    if code is None:
        assert response.status_code == status, response.content
    else:
        error = assert_error(response, status, code)
        assert (Post.objects.count(), Comment.objects.count()) == before
        if code == UNVERIFIED:
            assert "Verify your e-mail address first" in error["message"]


def test_refused_changes_leave_the_post_as_it_was(world, client_for):
    client = client_for(world.unverified)

    client.patch(path_in(world, "posts/{published}/"), {"title": "Changed"})
    client.post(path_in(world, "posts/{draft}/publish/"))

    assert Post.objects.get(pk=world.published.pk).title == "Mine"
    assert Post.objects.get(pk=world.draft.pk).status == PostStatus.DRAFT


def test_an_unverified_reader_gets_the_roles_answer_for_a_new_post(world, client_for):
    response = client_for(world.unverified_reader).post(
        f"{API}/posts/", {"title": "New"}
    )

    assert_error(response, 403, ROLE)


def test_an_unverified_reader_cannot_comment(world, client_for):
    response = client_for(world.unverified_reader).post(
        path_in(world, "posts/{others_published}/comments/"), {"body": "Hi"}
    )

    assert_error(response, 403, UNVERIFIED)
    assert Comment.objects.count() == 1


def test_an_anonymous_write_is_still_401(world, client_for):
    response = client_for(None).post(f"{API}/posts/", {"title": "New"})

    assert_error(response, 401, "NOT_AUTHENTICATED")


def test_after_verifying_by_link_the_author_can_write(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.unverified)
    token = verification_token_make(user=world.unverified)
    # As a real request commits: the cached user is rewritten then.
    with django_capture_on_commit_callbacks(execute=True):
        verified = client.post(f"{API}/auth/email/verify/", {"token": token})
    assert verified.status_code == 204

    created = client.post(f"{API}/posts/", {"title": "New"})
    commented = client.post(
        path_in(world, "posts/{others_published}/comments/"), {"body": "Hi"}
    )
    published = client.post(path_in(world, "posts/{draft}/publish/"))

    assert created.status_code == 201, created.content
    assert created.json()["title"] == "New"
    assert commented.status_code == 201, commented.content
    assert commented.json()["body"] == "Hi"
    assert published.status_code == 200, published.content
    assert published.json()["status"] == PostStatus.PUBLISHED


def test_after_an_admin_marks_the_address_verified_the_author_can_write(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.unverified)
    with django_capture_on_commit_callbacks(execute=True):
        user_mark_email_verified(user=world.unverified)

    response = client.post(f"{API}/posts/", {"title": "New"})

    assert response.status_code == 201, response.content
