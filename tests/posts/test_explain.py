"""The public list's and the search's queries use their indexes on PostgreSQL."""

import pytest
from django.core.management import CommandError, call_command

from posts.bulk import bulk_load_posts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def bulk_posts(author):
    bulk_load_posts(count=5_000, authors=[author])


def test_list_and_search_plans_never_scan_the_posts_table(bulk_posts, capsys):
    call_command("explain_posts", search=["4242", "latency"])

    plans = capsys.readouterr().out
    sections = dict(
        section.split("\n", 1) for section in plans.split("== ")[1:] if section
    )
    assert (
        "Index Scan using posts_status_published_idx"
        in sections["public list, query 1"]
    )
    assert (
        "Bitmap Index Scan on posts_post_search_gin"
        in sections["search '4242', query 1"]
    )
    assert "posts_tag" in sections["public list, query 2"]
    assert "No sequential scan on posts_post." in plans


def test_explain_posts_is_for_postgresql_only(settings, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")

    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("explain_posts")
