"""The cached auth state: what authentication reads instead of the database."""

import pickle
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import DeniedAccessToken, Role, User
from accounts.services import user_update
from accounts.user_cache import auth_state_get, auth_state_refresh
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def cached_payload(user: User) -> object:
    return cache.get(f"accounts:auth-state:v3:{user.pk}")


def test_a_miss_reads_the_database_and_stores_the_state(django_assert_num_queries):
    user = UserFactory.create(role=Role.AUTHOR)

    # The user, its denied access tokens, its revoked token families.
    with django_assert_num_queries(3):
        state = auth_state_get(user_id=user.pk)

    assert state is not None
    assert (state.user.pk, state.user.role) == (user.pk, Role.AUTHOR)
    assert cached_payload(user) is not None


def test_a_hit_runs_no_query(django_assert_num_queries):
    user = UserFactory.create()
    auth_state_get(user_id=user.pk)

    with django_assert_num_queries(0):
        state = auth_state_get(user_id=user.pk)

    assert state is not None
    assert state.user.email == user.email
    assert state.user.token_version == user.token_version


def test_an_unknown_user_has_no_state():
    assert auth_state_get(user_id=987654) is None


def test_the_password_hash_never_reaches_the_cache():
    user = UserFactory.create()
    auth_state_get(user_id=user.pk)

    assert user.password not in repr(cached_payload(user))
    assert user.password.encode() not in pickle.dumps(cached_payload(user))


def test_a_cached_user_loads_its_password_only_when_asked():
    user = UserFactory.create()
    auth_state_get(user_id=user.pk)
    state = auth_state_get(user_id=user.pk)
    assert state is not None

    assert state.user.get_deferred_fields() == {"password"}
    assert state.user.check_password(DEFAULT_PASSWORD)


def test_saving_a_cached_user_never_blanks_its_password():
    user = UserFactory.create()
    auth_state_get(user_id=user.pk)
    state = auth_state_get(user_id=user.pk)
    assert state is not None

    state.user.display_name = "Changed"
    state.user.save()

    saved = User.objects.get(pk=user.pk)
    assert saved.display_name == "Changed"
    assert saved.check_password(DEFAULT_PASSWORD)


def test_live_denials_are_mirrored_and_expired_ones_are_not():
    user = UserFactory.create()
    now = timezone.now()
    DeniedAccessToken.objects.create(
        jti="live", user=user, expires_at=now + timedelta(minutes=5)
    )
    DeniedAccessToken.objects.create(
        jti="old", user=user, expires_at=now - timedelta(minutes=5)
    )

    state = auth_state_get(user_id=user.pk)

    assert state is not None
    assert state.denied_jtis == {"live"}


def test_a_service_write_rewrites_the_entry_on_commit(run_on_commit):
    user = UserFactory.create(role=Role.READER)
    auth_state_get(user_id=user.pk)

    with run_on_commit():
        user_update(user=user, role=Role.EDITOR)

    state = auth_state_get(user_id=user.pk)
    assert state is not None
    assert state.user.role == Role.EDITOR


def test_a_write_is_not_published_before_it_commits(django_capture_on_commit_callbacks):
    user = UserFactory.create(role=Role.READER)
    auth_state_get(user_id=user.pk)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_update(user=user, role=Role.EDITOR)
        state = auth_state_get(user_id=user.pk)

    assert state is not None
    assert state.user.role == Role.READER
    assert len(callbacks) >= 1


def test_refresh_drops_the_entry_of_a_deleted_user():
    user = UserFactory.create()
    auth_state_get(user_id=user.pk)
    User.objects.filter(pk=user.pk).delete()

    auth_state_refresh(user_id=user.pk)

    assert cached_payload(user) is None
    assert auth_state_get(user_id=user.pk) is None


def test_a_write_that_bypassed_the_services_shows_once_the_entry_expires(settings):
    settings.USER_CACHE_TTL_SECONDS = 1
    user = UserFactory.create(role=Role.READER)
    auth_state_get(user_id=user.pk)
    User.objects.filter(pk=user.pk).update(role=Role.ADMIN)

    stale = auth_state_get(user_id=user.pk)
    time.sleep(1.2)  # the real cache's own expiry, on Redis too
    fresh = auth_state_get(user_id=user.pk)

    assert stale is not None
    assert stale.user.role == Role.READER
    assert fresh is not None
    assert fresh.user.role == Role.ADMIN


def test_the_cache_ttl_is_at_most_a_minute(settings):
    assert 0 < settings.USER_CACHE_TTL_SECONDS <= 60
