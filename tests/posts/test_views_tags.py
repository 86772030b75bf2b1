"""tags/: tags in use on published posts, with their counts."""

import pytest

from posts import services

from .conftest import API

pytestmark = pytest.mark.django_db


def test_tags_list_counts_published_posts_most_used_first(
    client_for, author, published, draft
):
    services.post_publish(
        post=services.post_create(author=author, title="Third", tags=["Python", "Go"])
    )

    response = client_for().get(f"{API}/tags/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            {"name": "Python", "slug": "python", "post_count": 2},
            {"name": "Django", "slug": "django", "post_count": 1},
            {"name": "Go", "slug": "go", "post_count": 1},
        ],
    }


def test_tags_used_only_on_drafts_are_not_listed(client_for, author):
    services.post_create(author=author, title="Secret", tags=["Unannounced"])

    response = client_for().get(f"{API}/tags/")

    assert response.json()["results"] == []


def test_tags_use_page_number_pagination(client_for, author):
    post = services.post_create(
        author=author, title="Many", tags=[f"t{n}" for n in range(10)]
    )
    services.post_publish(post=post)

    page = client_for().get(f"{API}/tags/", {"page_size": 3, "page": 2}).json()

    assert page["count"] == 10
    assert [tag["slug"] for tag in page["results"]] == ["t3", "t4", "t5"]
    assert page["previous"] is not None
    assert page["next"] is not None
