"""API keys: shown once, used as their user, refused once revoked, expired, outgrown."""

from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.request import Request

from accounts.api_keys import KeyMaterial, key_material_make, key_split, secret_digest
from accounts.authentication import ApiKeyAuthentication
from accounts.models import ApiKey, Role, User
from accounts.services import api_key_create, api_key_revoke, user_update
from accounts.user_cache import auth_state_refresh
from tests.accounts.conftest import CommittingAPIClient
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, otp_force_login

pytestmark = pytest.mark.django_db

ME_URL = f"{API}/users/me/"
POSTS_URL = f"{API}/posts/"


def keys_url(user: User) -> str:
    return f"{API}/users/{user.pk}/api-keys/"


def key_url(api_key: ApiKey) -> str:
    return f"{API}/users/{api_key.user_id}/api-keys/{api_key.pk}/"


def parts(key: str) -> tuple[str, str]:
    """Return the prefix and secret of a well-formed key."""
    split = key_split(key)
    assert split is not None, key
    return split


def last_used() -> datetime:
    stamp = ApiKey.objects.get().last_used_at
    assert stamp is not None
    return stamp


def key_client(key: str) -> CommittingAPIClient:
    client = CommittingAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def issue(run_on_commit):
    """Create a key (``role`` scope unless given) as a committed request would."""

    def make(user: User, *, scope: str = "role", **kwargs) -> str:
        with run_on_commit():
            return api_key_create(user=user, name="Exporter", scope=scope, **kwargs).key

    return make


@pytest.fixture
def author(db) -> User:
    return UserFactory.create(role=Role.AUTHOR, email="bot@example.com")


@pytest.fixture
def as_admin(client_for, admin_user):
    return client_for(admin_user)


# --- Creating a key ------------------------------------------------------------------


def test_admin_creates_a_key_and_sees_it_once(as_admin, author, admin_user):
    response = as_admin.post(keys_url(author), {"name": "Exporter", "scope": "read"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "prefix",
        "scope",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "key",
    }
    assert body["scope"] == "read"
    assert body["created_by"] == admin_user.pk
    prefix, secret = parts(body["key"])
    assert prefix == body["prefix"]
    assert body["key"].startswith(f"{prefix}_")
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.secret_hash == secret_digest(secret)
    assert secret not in stored.secret_hash


def test_the_listing_never_shows_the_key_or_its_digest(as_admin, author, issue):
    key = issue(author)

    response = as_admin.get(keys_url(author))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert "key" not in body["results"][0]
    assert "secret_hash" not in body["results"][0]
    assert key not in response.content.decode()
    assert body["results"][0]["prefix"] == parts(key)[0]


def test_the_secret_has_256_bits_and_prefixes_differ(author, issue):
    first, second = issue(author), issue(author)

    assert len(parts(first)[1]) == 43  # 32 bytes, URL-safe base64
    assert parts(first)[0] != parts(second)[0]


def test_an_admin_account_gets_no_key(as_admin, admin_user):
    response = as_admin.post(keys_url(admin_user), {"name": "Mine", "scope": "role"})

    error = assert_error(response, 409, "CONFLICT")
    assert "Admin accounts cannot have API keys" in error["message"]
    assert not ApiKey.objects.exists()


def test_an_expiry_in_the_past_is_refused(as_admin, author):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = as_admin.post(
        keys_url(author), {"name": "Old", "scope": "read", "expires_at": past}
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "expires_at"


def test_an_unknown_scope_is_refused(as_admin, author):
    response = as_admin.post(keys_url(author), {"name": "X", "scope": "everything"})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "scope"


def test_keys_of_an_unknown_user_are_not_found(as_admin):
    assert_error(as_admin.get(f"{API}/users/999999/api-keys/"), 404, "NOT_FOUND")


@pytest.mark.parametrize("role", [Role.READER, Role.AUTHOR, Role.EDITOR])
def test_only_admins_manage_keys(client_for, author, role):
    client = client_for(UserFactory.create(role=role))

    assert_error(client.get(keys_url(author)), 403, "PERMISSION_DENIED")
    assert_error(
        client.post(keys_url(author), {"name": "X", "scope": "role"}),
        403,
        "PERMISSION_DENIED",
    )


def test_a_key_cannot_manage_keys_even_its_own(author, issue):
    client = key_client(issue(author))

    response = client.post(keys_url(author), {"name": "More", "scope": "role"})

    assert_error(response, 403, "PERMISSION_DENIED")


# --- Using a key ---------------------------------------------------------------------


def test_a_key_authenticates_as_its_user(author, issue):
    response = key_client(issue(author)).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["email"] == author.email


def test_the_scheme_is_case_insensitive(author, issue):
    client = CommittingAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"api-key {issue(author)}")

    assert client.get(ME_URL).status_code == 200


def test_request_auth_is_the_key_with_its_prefix(author, rf, issue):
    key = issue(author)
    request = Request(rf.get(ME_URL, HTTP_AUTHORIZATION=f"Api-Key {key}"))

    result = ApiKeyAuthentication().authenticate(request)

    assert result is not None
    user, api_key = result
    assert user.pk == author.pk
    assert api_key.prefix == parts(key)[0]


def test_a_wrong_secret_with_a_right_prefix_is_refused(author, issue):
    prefix, secret = parts(issue(author))
    wrong = "A" if secret[0] != "A" else "B"

    response = key_client(f"{prefix}_{wrong}{secret[1:]}").get(ME_URL)

    error = assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "Invalid API key."


@pytest.mark.parametrize(
    "key", ["ink_unknown1_secret", "not-a-key", "ink_short_x", "ink_abcdefgh_"]
)
def test_an_unknown_or_malformed_key_is_refused(key):
    response = key_client(key).get(ME_URL)

    error = assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "Invalid API key."


def test_an_api_key_header_without_a_key_is_refused():
    client = CommittingAPIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key")

    error = assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "The Authorization header must be 'Api-Key <key>'."


def test_an_expired_key_is_refused(author, issue):
    key = issue(author, expires_at=timezone.now() + timedelta(minutes=5))
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    cache.clear()

    error = assert_error(key_client(key).get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "This API key has expired."


def test_a_revoked_key_is_refused_at_once_with_the_cache_warm(
    author, issue, run_on_commit
):
    key = issue(author)
    client = key_client(key)
    assert client.get(ME_URL).status_code == 200  # the key's row is cached now

    with run_on_commit():
        api_key_revoke(api_key=ApiKey.objects.get())

    error = assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "This API key has been revoked."


def test_admin_revokes_a_key_and_revoking_again_changes_nothing(
    as_admin, author, issue
):
    key = issue(author)
    api_key = ApiKey.objects.get()

    first = as_admin.delete(key_url(api_key))
    revoked_at = ApiKey.objects.get().revoked_at
    second = as_admin.delete(key_url(api_key))

    assert first.status_code == 204
    assert first.content == b""
    assert second.status_code == 204
    assert ApiKey.objects.get().revoked_at == revoked_at
    assert_error(key_client(key).get(ME_URL), 401, "AUTHENTICATION_FAILED")


def test_a_key_of_another_user_is_not_found(as_admin, author, issue):
    issue(author)
    other = UserFactory.create()

    response = as_admin.delete(f"{keys_url(other)}{ApiKey.objects.get().pk}/")

    assert_error(response, 404, "NOT_FOUND")
    assert ApiKey.objects.get().revoked_at is None


# --- Scopes and the user's role -------------------------------------------------------


def test_a_read_key_reads(author, issue):
    response = key_client(issue(author, scope="read")).get(POSTS_URL)

    assert response.status_code == 200
    assert "results" in response.json()


def test_a_read_key_cannot_write_even_what_its_role_allows(author, issue):
    response = key_client(issue(author, scope="read")).post(
        POSTS_URL, {"title": "From a bot"}
    )

    error = assert_error(response, 403, "PERMISSION_DENIED")
    assert "read-only" in error["message"]
    assert not author.posts.exists()


def test_a_role_key_does_what_the_role_allows(author, issue):
    response = key_client(issue(author, scope="role")).post(
        POSTS_URL, {"title": "From a bot"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "From a bot"


def test_a_key_never_exceeds_its_user(author, issue):
    response = key_client(issue(author)).get(f"{API}/users/")

    assert_error(response, 403, "PERMISSION_DENIED")


def test_a_demoted_user_s_key_loses_the_role_at_once(author, issue, run_on_commit):
    client = key_client(issue(author))
    assert client.post(POSTS_URL, {"title": "Before"}).status_code == 201

    with run_on_commit():
        user_update(user=author, role=Role.READER)

    assert_error(client.post(POSTS_URL, {"title": "After"}), 403, "PERMISSION_DENIED")


def test_a_deactivated_user_s_key_is_refused_and_revoked(author, issue, run_on_commit):
    client = key_client(issue(author))
    assert client.get(ME_URL).status_code == 200

    with run_on_commit():
        user_update(user=author, is_active=False)

    assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert ApiKey.objects.get().revoked_at is not None


def test_a_key_of_a_user_promoted_to_admin_stops_working(author, issue, run_on_commit):
    client = key_client(issue(author))

    with run_on_commit():
        user_update(user=author, role=Role.ADMIN)

    error = assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "API keys cannot be used by admin accounts."


def test_a_deleted_user_s_key_is_refused(author, admin_user, issue, run_on_commit):
    client = key_client(issue(author))
    assert client.get(ME_URL).status_code == 200

    with run_on_commit():
        User.objects.filter(pk=author.pk).delete()

    assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")


# --- Last use and the query budget -------------------------------------------------


def test_the_first_use_stamps_last_used_at(author, issue):
    key = issue(author)
    before = timezone.now()

    key_client(key).get(ME_URL)

    assert last_used() >= before


def test_last_used_at_is_written_at_most_once_a_minute(author, issue):
    client = key_client(issue(author))
    client.get(ME_URL)
    first = ApiKey.objects.get().last_used_at

    client.get(ME_URL)

    assert ApiKey.objects.get().last_used_at == first


def test_a_stale_stamp_is_renewed(author, issue):
    client = key_client(issue(author))
    client.get(ME_URL)
    old = timezone.now() - timedelta(minutes=5)
    ApiKey.objects.update(last_used_at=old)
    cache.clear()

    client.get(ME_URL)

    assert last_used() > old


def test_a_request_with_a_cached_key_runs_no_sql(
    author, django_assert_num_queries, issue
):
    client = key_client(issue(author))
    client.get(ME_URL)  # caches the key and the user, stamps last_used_at

    with django_assert_num_queries(0):
        response = client.get(ME_URL)

    assert response.status_code == 200


def test_an_empty_cache_costs_one_query_for_the_key(
    author, django_assert_num_queries, issue
):
    client = key_client(issue(author))
    client.get(ME_URL)
    cache.clear()

    # The key's row; the user row, its denied tokens and revoked families;
    # the last-used stamp is not due again yet (its row says so).
    with django_assert_num_queries(4):
        response = client.get(ME_URL)

    assert response.status_code == 200


def test_a_jwt_still_works_next_to_keys(client_for, author, issue):
    issue(author)

    response = client_for(author).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["email"] == author.email


# --- The Django admin ----------------------------------------------------------------


def _admin_site_client(user: User) -> Client:
    client = Client()
    otp_force_login(client, user)
    return client


def test_the_admin_add_form_shows_the_new_key_once(admin_user, author, run_on_commit):
    client = _admin_site_client(admin_user)

    with run_on_commit():
        response = client.post(
            reverse("admin:accounts_apikey_add"),
            {"user": author.pk, "name": "Exporter", "scope": "read"},
        )

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    assert api_key.created_by == admin_user
    content = response.content.decode()
    key = content.split('<code id="api-key">')[1].split("</code>")[0]
    prefix, secret = parts(key)
    assert prefix == api_key.prefix
    assert api_key.secret_hash == secret_digest(secret)
    assert key_client(key).get(ME_URL).status_code == 200


def test_the_admin_refuses_a_key_for_an_admin(admin_user):
    client = _admin_site_client(admin_user)

    response = client.post(
        reverse("admin:accounts_apikey_add"),
        {"user": admin_user.pk, "name": "Mine", "scope": "role"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Admin accounts cannot have API keys; create a dedicated service account "
        "with the role it needs."
    ]
    assert not ApiKey.objects.exists()


def test_the_admin_lists_prefixes_never_hashes(admin_user, author, issue):
    key = issue(author)
    api_key = ApiKey.objects.get()
    client = _admin_site_client(admin_user)

    listing = client.get(reverse("admin:accounts_apikey_changelist"))
    change = client.get(reverse("admin:accounts_apikey_change", args=[api_key.pk]))

    assert listing.status_code == 200
    assert change.status_code == 200
    for response in (listing, change):
        content = response.content.decode()
        assert api_key.prefix in content
        assert api_key.secret_hash not in content
        assert parts(key)[1] not in content


def test_the_admin_revoke_action_refuses_the_key_at_once(
    admin_user, author, issue, run_on_commit
):
    key = issue(author)
    client = key_client(key)
    assert client.get(ME_URL).status_code == 200

    with run_on_commit():
        response = _admin_site_client(admin_user).post(
            reverse("admin:accounts_apikey_changelist"),
            {"action": "revoke", "_selected_action": [ApiKey.objects.get().pk]},
        )

    assert response.status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")


def test_editors_cannot_see_api_keys_in_the_admin():
    editor = UserFactory.create(role=Role.EDITOR)

    response = _admin_site_client(editor).get(
        reverse("admin:accounts_apikey_changelist")
    )

    assert response.status_code == 403


# --- Edges -------------------------------------------------------------------------


def test_a_key_of_a_user_made_inactive_behind_the_services_is_refused(author, issue):
    client = key_client(issue(author))
    User.objects.filter(pk=author.pk).update(is_active=False)
    auth_state_refresh(user_id=author.pk)

    error = assert_error(client.get(ME_URL), 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "The API key's user is inactive."


def test_a_prefix_clash_is_retried_with_a_new_key(author, issue, monkeypatch):
    taken = parts(issue(author))[0]
    fresh = key_material_make()
    clash = KeyMaterial(key=f"{taken}_x", prefix=taken, secret_hash="0" * 64)
    made = iter([clash, fresh])
    monkeypatch.setattr("accounts.services.key_material_make", lambda: next(made))

    issued = api_key_create(user=author, name="Second")

    assert issued.key == fresh.key
    assert issued.api_key.prefix == fresh.prefix


def test_logout_needs_the_access_token_not_a_key(author, issue, login):
    refresh = login(author)["refresh"]

    response = key_client(issue(author)).post(
        f"{API}/auth/logout/", {"refresh": refresh}
    )

    assert_error(response, 401, "NOT_AUTHENTICATED")
