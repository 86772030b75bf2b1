"""The rows-built post shapes against the DRF serializers, byte for byte."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.renderers import JSONRenderer

from posts import services
from posts.models import Post
from posts.querysets import PostQuerySet
from posts.representations import (
    detail_rows,
    post_detail,
    post_summaries,
    summary_rows,
)
from posts.serializers import PostSerializer, PostSummarySerializer
from tests.posts.conftest import API, api_client_as

pytestmark = pytest.mark.django_db

# Bodies that test the encoder and the excerpt: Unicode, escapes, the two
# JavaScript line terminators DRF escapes, a body longer than an excerpt.
BODIES = [
    "Plain words.",
    'Ünïcödé — 日本語のテキスト, emoji \U0001f600, "quotes" and \\backslashes\\.',
    "Control\tcharacters\x01\x1f, a line\u2028separator and a\u2029paragraph.",
    "word " * 400,
    "",
    "   \n\n  leading whitespace\n\nand blank lines  ",
]


@pytest.fixture
def posts(author, other_author, reader):
    """Published posts with varied tags, bodies and likes; a draft by each author."""
    made = []
    for index, body in enumerate(BODIES):
        post = services.post_create(
            author=author if index % 2 else other_author,
            title=f"Post {index} « {body[:10]} »",
            body=body,
            tags=[["Django", "Ωmega", "c++"], [], ["Python"]][index % 3],
        )
        made.append(services.post_publish(post=post))
    services.post_like(post=made[0], user=reader)
    services.post_like(post=made[3], user=reader)
    services.post_like(post=made[3], user=author)
    services.post_create(
        author=author, title="Author's draft", body="Draft.", tags=["Wip"]
    )
    services.post_create(author=other_author, title="Other draft", body="", tags=[])
    return made


def reference_summaries(posts: PostQuerySet, user) -> bytes:
    queryset = posts.for_list(user).with_excerpt().order_by("-id")
    return JSONRenderer().render(PostSummarySerializer(queryset, many=True).data)


def fast_summaries(posts: PostQuerySet, user) -> bytes:
    queryset = posts.with_liked_by_me(user).with_excerpt().order_by("-id")
    return JSONRenderer().render(post_summaries(list(summary_rows(queryset))))


@pytest.mark.parametrize("role", ["anonymous", "reader", "author", "editor"])
def test_list_items_match_the_serializer(posts, role, request):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    visible = Post.objects.visible_to(user)

    assert fast_summaries(visible, user) == reference_summaries(visible, user)


def test_list_items_match_for_drafts_of_their_owner(posts, author):
    drafts = Post.objects.drafts_visible_to(author)
    assert drafts.exists()

    assert fast_summaries(drafts, author) == reference_summaries(drafts, author)


@pytest.mark.parametrize("user_fixture", ["reader", "author"])
def test_details_match_the_serializer(posts, user_fixture, request):
    user = request.getfixturevalue(user_fixture)
    visible = Post.objects.visible_to(user)

    for post_id in visible.values_list("id", flat=True):
        reference = PostSerializer(visible.for_list(user).get(pk=post_id)).data
        fast = post_detail(detail_rows(visible.with_liked_by_me(user)).get(pk=post_id))
        assert JSONRenderer().render(fast) == JSONRenderer().render(reference)


def test_the_list_response_is_the_serializers_bytes(posts, reader):
    response = api_client_as(reader).get(f"{API}/posts/?page_size=100")
    assert response.status_code == 200
    page = response.json()
    visible = Post.objects.visible_to(reader).published()
    items = PostSummarySerializer(
        visible.for_list(reader).with_excerpt().order_by("-published_at", "-id"),
        many=True,
    ).data

    expected = {"next": page["next"], "previous": page["previous"], "results": items}
    assert response.content == JSONRenderer().render(expected)


def test_the_detail_response_is_the_serializers_bytes(posts, reader):
    post = posts[2]  # the one with line terminators to escape

    response = api_client_as(reader).get(f"{API}/posts/{post.pk}/")

    assert response.status_code == 200
    reference = PostSerializer(Post.objects.for_list(reader).get(pk=post.pk)).data
    assert response.content == JSONRenderer().render(reference)
