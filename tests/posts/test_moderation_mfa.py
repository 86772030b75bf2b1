"""Editors moderate others' posts and comments only after a second factor."""

import pytest

from posts import services
from tests.accounts.helpers import assert_error
from tests.posts.conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(published, reader):
    return services.comment_create(post=published, author=reader, body="First!")


def test_an_editor_without_a_second_factor_cannot_edit_anothers_post(
    client_for, editor, published
):
    response = client_for(editor, mfa=False).patch(
        f"{API}/posts/{published.pk}/", {"title": "Moderated"}
    )

    assert_error(response, 403, "MFA_REQUIRED")


def test_an_editor_after_a_second_factor_edits_anothers_post(
    client_for, editor, published
):
    response = client_for(editor, mfa=True).patch(
        f"{API}/posts/{published.pk}/", {"title": "Moderated"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Moderated"


def test_an_editor_without_a_second_factor_edits_their_own_post(client_for, editor):
    post = services.post_create(author=editor, title="Mine", body="Text.", tags=[])

    response = client_for(editor, mfa=False).patch(
        f"{API}/posts/{post.pk}/", {"title": "Still mine"}
    )

    assert response.status_code == 200, response.content


def test_an_editor_without_a_second_factor_cannot_delete_anothers_comment(
    client_for, editor, published, comment
):
    response = client_for(editor, mfa=False).delete(
        f"{API}/posts/{published.pk}/comments/{comment.pk}/"
    )

    assert_error(response, 403, "MFA_REQUIRED")


def test_an_editor_after_a_second_factor_deletes_anothers_comment(
    client_for, editor, published, comment
):
    response = client_for(editor, mfa=True).delete(
        f"{API}/posts/{published.pk}/comments/{comment.pk}/"
    )

    assert response.status_code == 204


def test_an_author_still_gets_permission_denied_for_anothers_post(
    client_for, other_author, published
):
    response = client_for(other_author).patch(
        f"{API}/posts/{published.pk}/", {"title": "Not mine"}
    )

    assert_error(response, 403, "PERMISSION_DENIED")
