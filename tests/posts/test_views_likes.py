"""posts/{id}/like/: idempotent like and unlike with an exact count."""

import pytest

from posts.models import Like

from .conftest import API

pytestmark = pytest.mark.django_db


def test_like_twice_counts_once(client_for, published, reader):
    client = client_for(reader)
    url = f"{API}/posts/{published.pk}/like/"

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"liked": True, "like_count": 1}
    assert Like.objects.count() == 1


def test_unlike_twice_is_harmless(client_for, published, reader, editor):
    url = f"{API}/posts/{published.pk}/like/"
    client_for(editor).post(url)
    client_for(reader).post(url)

    first = client_for(reader).delete(url)
    second = client_for(reader).delete(url)

    assert first.json() == second.json() == {"liked": False, "like_count": 1}


def test_unlike_without_a_like_changes_nothing(client_for, published, reader):
    response = client_for(reader).delete(f"{API}/posts/{published.pk}/like/")

    assert response.status_code == 200
    assert response.json() == {"liked": False, "like_count": 0}


def test_likes_show_in_the_post(client_for, published, reader, editor):
    client_for(editor).post(f"{API}/posts/{published.pk}/like/")
    client_for(reader).post(f"{API}/posts/{published.pk}/like/")

    mine = client_for(reader).get(f"{API}/posts/{published.pk}/").json()
    listed = client_for(reader).get(f"{API}/posts/").json()["results"][0]
    anonymous = client_for().get(f"{API}/posts/").json()["results"][0]

    assert (mine["like_count"], mine["liked_by_me"]) == (2, True)
    assert (listed["like_count"], listed["liked_by_me"]) == (2, True)
    assert (anonymous["like_count"], anonymous["liked_by_me"]) == (2, False)


def test_like_of_an_unpublished_post_is_not_found(client_for, published, reader):
    client_for(reader).post(f"{API}/posts/{published.pk}/like/")
    client_for(published.author).post(f"{API}/posts/{published.pk}/unpublish/")

    response = client_for(reader).delete(f"{API}/posts/{published.pk}/like/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert Like.objects.count() == 1
