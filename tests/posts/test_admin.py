"""Content in the Django admin: who gets in, and saves that go through services."""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.admin_site import SHORT_DATETIME_FORMAT
from posts import services
from posts.errors import TagNameTaken
from posts.models import Comment, Post, PostStatus, Tag
from tests.accounts.helpers import otp_force_login

pytestmark = pytest.mark.django_db

ADMIN = "/admin/posts"


def admin_client(user) -> Client:
    client = Client()
    otp_force_login(client, user)
    return client


def tag_counts() -> dict[str, int]:
    return dict(Tag.objects.values_list("slug", "post_count"))


@pytest.mark.parametrize("model", ["post", "comment", "tag"])
@pytest.mark.parametrize(
    ("actor", "status"),
    [("reader", 302), ("author", 302), ("editor", 200), ("admin_user", 200)],
)
def test_only_editors_and_admins_reach_the_content_admin(
    request, published, model, actor, status
):
    client = admin_client(request.getfixturevalue(actor))

    response = client.get(f"{ADMIN}/{model}/")

    assert response.status_code == status
    if status == 302:
        assert "/login/" in response["Location"]


def test_post_change_list_queries_do_not_grow_with_posts(editor, author):
    client = admin_client(editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"{ADMIN}/post/").status_code == 200
        return len(context.captured_queries)

    services.post_create(author=author, title="first", tags=["a"])
    few = queries()
    for n in range(30):
        services.post_create(author=author, title=f"post {n}", tags=["a", f"t{n}"])

    assert queries() == few


def column_titles(response) -> list[str]:
    """Return the changelist's column headings, without the checkbox column."""
    headers = list(result_headers(response.context["cl"]))[1:]
    return [str(header["text"]).capitalize() for header in headers]


def cells(response, column: str) -> list[str]:
    """Return the text of each row's cell in the column (its CSS class name)."""
    pattern = (
        rf'<t[dh] class="field-{column}[^"]*">(?:<a [^>]*>)?(.*?)(?:</a>)?</t[dh]>'
    )
    return re.findall(pattern, response.content.decode())


def test_post_change_list_has_short_columns(editor, published):
    response = admin_client(editor).get(f"{ADMIN}/post/")

    assert response.status_code == 200
    assert column_titles(response) == [
        "Title",
        "Slug",
        "Author",
        "Status",
        "Published",
        "Likes",
        "Comments",
    ]


def test_posts_titled_alike_are_told_apart_by_their_slugs(editor, author):
    posts = [services.post_create(author=author, title="Weekly notes") for _ in "ab"]

    response = admin_client(editor).get(f"{ADMIN}/post/")

    assert cells(response, "title") == ["Weekly notes", "Weekly notes"]
    assert sorted(cells(response, "slug")) == sorted(post.slug for post in posts)
    assert posts[0].slug != posts[1].slug


def test_post_change_list_names_authors_by_display_name(editor, published):
    response = admin_client(editor).get(f"{ADMIN}/post/")

    assert cells(response, "author_name") == ["Aria Author"]


def test_post_change_list_shows_short_dates(editor, published):
    response = admin_client(editor).get(f"{ADMIN}/post/")

    shown = timezone.localtime(published.published_at).strftime(SHORT_DATETIME_FORMAT)
    assert cells(response, "published_at") == [f'<span class="nowrap">{shown}</span>']


def test_editor_sees_a_post_author_without_a_link_to_the_users_admin(
    editor, admin_user, published
):
    url = f"{ADMIN}/post/{published.pk}/change/"

    editor_form = admin_client(editor).get(url)
    admin_form = admin_client(admin_user).get(url)

    assert editor_form.status_code == 200
    assert "Aria Author" in editor_form.content.decode()
    assert "/admin/accounts/" not in editor_form.content.decode()
    assert "/admin/accounts/user/" in admin_form.content.decode()


def test_editor_sees_the_history_without_links_to_the_users_admin(
    editor, admin_user, published
):
    # As if an admin had made the post: its history names them.
    history = Post.history  # type: ignore[attr-defined]
    history.filter(id=published.pk).update(history_user=admin_user)
    url = f"{ADMIN}/post/{published.pk}/history/"

    editor_history = admin_client(editor).get(url).content.decode()
    admin_history = admin_client(admin_user).get(url).content.decode()

    assert "/admin/accounts/user/" not in editor_history
    assert "/admin/accounts/user/" in admin_history


def test_editor_sees_a_comment_author_without_a_link_to_the_users_admin(
    editor, published, reader
):
    comment = services.comment_create(post=published, author=reader, body="Hi")

    response = admin_client(editor).get(f"{ADMIN}/comment/{comment.pk}/change/")

    assert response.status_code == 200
    assert "Rita Reader" in response.content.decode()
    assert "/admin/accounts/" not in response.content.decode()


def test_editor_adds_a_published_post_as_its_author(editor, other_author):
    tag = services.tags_ensure(names=["Django"])[0]

    response = admin_client(editor).post(
        f"{ADMIN}/post/add/",
        {
            "title": "From the admin",
            "slug": "from-the-admin",
            "status": PostStatus.PUBLISHED,
            "body": "Body",
            "tags": [tag.pk],
            "author": other_author.pk,
        },
    )

    assert response.status_code == 302, response.content
    post = Post.objects.get()
    assert (post.author, post.slug, post.status) == (
        editor,
        "from-the-admin",
        PostStatus.PUBLISHED,
    )
    assert post.published_at is not None
    assert tag_counts() == {"django": 1}


def test_editor_sees_the_author_read_only_and_admins_can_change_it(
    editor, admin_user, published
):
    url = f"{ADMIN}/post/{published.pk}/change/"

    editor_form = admin_client(editor).get(url).content.decode()
    admin_form = admin_client(admin_user).get(url).content.decode()

    assert 'name="author"' not in editor_form
    assert 'name="author"' in admin_form
    assert "admin-autocomplete" in admin_form


def test_admin_change_goes_through_the_services(admin_user, other_author, published):
    response = admin_client(admin_user).post(
        f"{ADMIN}/post/{published.pk}/change/",
        {
            "title": "Retitled",
            "slug": published.slug,
            "status": PostStatus.DRAFT,
            "body": "New body",
            "tags": [],
            "author": other_author.pk,
        },
    )

    assert response.status_code == 302, response.content
    post = Post.objects.get(pk=published.pk)
    assert (post.title, post.body, post.author) == (
        "Retitled",
        "New body",
        other_author,
    )
    assert (post.status, post.published_at) == (PostStatus.DRAFT, None)
    assert tag_counts() == {"django": 0, "python": 0}


@pytest.mark.parametrize(
    ("action", "status", "counts"),
    [
        ("publish", PostStatus.PUBLISHED, {"django": 2, "python": 1}),
        ("unpublish", PostStatus.DRAFT, {"django": 0, "python": 0}),
    ],
)
def test_publish_actions_use_the_services(
    editor, draft, published, action, status, counts
):
    response = admin_client(editor).post(
        f"{ADMIN}/post/",
        {"action": action, "_selected_action": [draft.pk, published.pk]},
    )

    assert response.status_code == 302
    assert set(Post.objects.values_list("status", flat=True)) == {status}
    assert tag_counts() == counts


def test_bulk_delete_keeps_tag_counts_exact(editor, published, draft):
    response = admin_client(editor).post(
        f"{ADMIN}/post/",
        {
            "action": "delete_selected",
            "_selected_action": [published.pk, draft.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not Post.objects.exists()
    assert tag_counts() == {"django": 0, "python": 0}


def test_single_delete_uses_the_service(editor, published):
    response = admin_client(editor).post(
        f"{ADMIN}/post/{published.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert tag_counts() == {"django": 0, "python": 0}


def test_comment_moderation_keeps_the_count_exact(editor, published, reader):
    kept = services.comment_create(post=published, author=reader, body="ok")
    spam = services.comment_create(post=published, author=reader, body="spam")
    client = admin_client(editor)

    edited = client.post(f"{ADMIN}/comment/{kept.pk}/change/", {"body": "fine"})
    deleted = client.post(f"{ADMIN}/comment/{spam.pk}/delete/", {"post": "yes"})

    assert edited.status_code == deleted.status_code == 302
    assert list(Comment.objects.values_list("body", flat=True)) == ["fine"]
    published.refresh_from_db()
    assert published.comment_count == 1
    assert client.get(f"{ADMIN}/comment/add/").status_code == 403


def test_comment_bulk_delete_uses_the_service(editor, published, reader):
    comments = [
        services.comment_create(post=published, author=reader, body=str(n))
        for n in range(3)
    ]

    admin_client(editor).post(
        f"{ADMIN}/comment/",
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in comments[:2]],
            "post": "yes",
        },
    )

    published.refresh_from_db()
    assert published.comment_count == Comment.objects.count() == 1


def test_tags_are_renamed_not_added(editor, published):
    tag = Tag.objects.get(slug="python")
    client = admin_client(editor)

    response = client.post(
        f"{ADMIN}/tag/{tag.pk}/change/", {"name": "Python 3", "slug": "ignored"}
    )

    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug, tag.post_count) == ("Python 3", "python-3", 1)
    assert client.get(f"{ADMIN}/tag/add/").status_code == 403


@pytest.mark.parametrize(
    ("name", "message"), [("DJANGO", "exists already"), ("???", "letter or digit")]
)
def test_a_tag_cannot_be_renamed_onto_another_or_to_nothing(
    editor, published, name, message
):
    tag = Tag.objects.get(slug="python")

    response = admin_client(editor).post(
        f"{ADMIN}/tag/{tag.pk}/change/", {"name": name}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Python", "python")


def test_a_rename_refused_by_the_database_shows_the_domain_error(
    editor, published, monkeypatch
):
    tag = Tag.objects.get(slug="python")

    def lose_the_race(**kwargs):
        raise TagNameTaken(slug="python-3")

    monkeypatch.setattr(services, "tag_rename", lose_the_race)
    client = admin_client(editor)
    url = f"{ADMIN}/tag/{tag.pk}/change/"

    response = client.post(url, {"name": "Python 3"})

    assert response.status_code == 302
    assert response["Location"] == url
    assert "The tag &#x27;python-3&#x27; exists already." in (
        client.get(url).content.decode()
    )
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Python", "python")
