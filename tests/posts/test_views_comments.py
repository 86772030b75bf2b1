"""posts/{id}/comments/: shapes, writes, counters and pagination."""

from urllib.parse import parse_qs, urlparse

import pytest

from posts import services
from posts.models import Comment, Post

from .conftest import API

pytestmark = pytest.mark.django_db


def test_comment_has_exactly_the_contract_shape(client_for, published, reader):
    response = client_for(reader).post(
        f"{API}/posts/{published.pk}/comments/", {"body": "Nice post."}
    )

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "post": published.pk,
        "author": {"id": reader.pk, "display_name": "Rita Reader"},
        "body": "Nice post.",
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": comment.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_comments_are_counted_on_the_post(client_for, published, reader, editor):
    url = f"{API}/posts/{published.pk}/comments/"
    client_for(reader).post(url, {"body": "One"})
    second = client_for(editor).post(url, {"body": "Two"}).json()

    client_for(editor).delete(f"{url}{second['id']}/")

    post = client_for().get(f"{API}/posts/{published.pk}/").json()
    assert post["comment_count"] == 1


def test_comment_input_ignores_read_only_fields(
    client_for, published, reader, other_author
):
    other = services.post_publish(
        post=services.post_create(author=other_author, title="Other")
    )

    response = client_for(reader).post(
        f"{API}/posts/{published.pk}/comments/",
        {
            "body": "Hi",
            "post": other.pk,
            "author": other_author.pk,
            "created_at": "2020-01-01T00:00:00Z",
        },
    )

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.post_id, comment.author_id) == (published.pk, reader.pk)
    assert comment.created_at.year > 2020


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "required"),
        ({"body": ""}, "blank"),
        ({"body": " "}, "blank"),
        ({"body": "x" * 5001}, "max_length"),
    ],
)
def test_invalid_comments_are_refused(client_for, published, reader, payload, code):
    response = client_for(reader).post(f"{API}/posts/{published.pk}/comments/", payload)

    assert response.status_code == 400
    assert response.json()["error"]["details"][0] == {
        "field": "body",
        "code": code,
        "message": response.json()["error"]["details"][0]["message"],
    }
    assert Post.objects.get(pk=published.pk).comment_count == 0


def test_owner_edits_their_comment(client_for, published, reader):
    comment = services.comment_create(post=published, author=reader, body="Tpyo")

    response = client_for(reader).patch(
        f"{API}/posts/{published.pk}/comments/{comment.pk}/", {"body": "Typo"}
    )

    assert response.status_code == 200
    assert response.json()["body"] == "Typo"
    comment.refresh_from_db()
    assert comment.body == "Typo"
    assert comment.updated_at > comment.created_at


def test_comments_list_oldest_first_with_cursor_pages(client_for, published, reader):
    for n in range(5):
        services.comment_create(post=published, author=reader, body=f"c{n}")
    client = client_for()
    url = f"{API}/posts/{published.pk}/comments/"

    first = client.get(url, {"page_size": 3}).json()
    cursor = parse_qs(urlparse(first["next"]).query)["cursor"][0]
    second = client.get(url, {"page_size": 3, "cursor": cursor}).json()

    assert [c["body"] for c in first["results"]] == ["c0", "c1", "c2"]
    assert [c["body"] for c in second["results"]] == ["c3", "c4"]
    assert second["next"] is None


def test_comments_of_another_post_are_not_listed(client_for, published, reader, author):
    other = services.post_publish(post=services.post_create(author=author, title="B"))
    services.comment_create(post=other, author=reader, body="elsewhere")

    response = client_for().get(f"{API}/posts/{published.pk}/comments/")

    assert response.json()["results"] == []


def test_comments_reappear_when_the_post_is_published_again(
    client_for, published, reader
):
    services.comment_create(post=published, author=reader, body="Still here")
    services.post_unpublish(post=published)
    hidden = client_for().get(f"{API}/posts/{published.pk}/comments/")

    services.post_publish(post=published)
    shown = client_for().get(f"{API}/posts/{published.pk}/comments/")

    assert hidden.status_code == 404
    assert [c["body"] for c in shown.json()["results"]] == ["Still here"]
