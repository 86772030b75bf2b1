"""The prune-audit-history job: history past AUDIT_KEEP_DAYS goes, 0 keeps all."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.tasks import prune_audit_history
from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db

HistoricalPost = Post.history.model  # type: ignore[attr-defined]
HistoricalPostTags = HistoricalPost.tags.model


@pytest.fixture
def old_and_new(author):
    with freeze_time(timezone.now() - timedelta(days=40)):
        old = services.post_create(author=author, title="Old", tags=["Aged"])
    new = services.post_create(author=author, title="New")
    return old, new


def test_history_older_than_the_retention_is_deleted(settings, old_and_new):
    settings.AUDIT_KEEP_DAYS = 30
    _old, new = old_and_new

    deleted = prune_audit_history.call()

    assert deleted > 0
    assert list(HistoricalPost.objects.values_list("id", flat=True)) == [new.pk]
    assert not HistoricalPostTags.objects.exists()


def test_a_retention_of_zero_keeps_everything(settings, old_and_new):
    settings.AUDIT_KEEP_DAYS = 0
    before = HistoricalPost.objects.count()

    assert prune_audit_history.call() == 0
    assert HistoricalPost.objects.count() == before
