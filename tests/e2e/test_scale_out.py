"""Two gunicorn instances sharing one PostgreSQL and one Redis behave as one.

Instance A and instance B run the same production settings and secrets on
different ports, as two hosts behind a load balancer would; nothing but the
database and Redis connects them.
"""

from collections.abc import Iterator

import pytest

from tests.e2e.deployment import (
    API,
    Deployment,
    bearer,
    create_post,
    deployment,
    envelope_code,
    login,
)
from tests.gunicorn.server import GunicornServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.gunicorn]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Deployment]:
    with deployment(tmp_path_factory.mktemp("scale-out")) as site:
        site.start_instance()
        site.start_instance()
        yield site


@pytest.fixture
def a(site) -> GunicornServer:
    return site.servers[0]


@pytest.fixture
def b(site) -> GunicornServer:
    return site.servers[1]


def published_ids(server: GunicornServer) -> list[int]:
    response = server.get(f"{API}/posts/")
    assert response.status == 200, response.body
    return [post["id"] for post in response.json()["results"]]


def test_a_post_published_through_a_is_read_anonymously_through_b_at_once(site, a, b):
    access = login(a, site.create_user("author"))["access"]
    before = published_ids(b)  # also stores B's anonymous reads in the cache

    post = create_post(a, access, title="Written on A")

    assert post["id"] not in before
    assert post["id"] in published_ids(b)
    detail = b.get(f"{API}/posts/{post['id']}/")
    assert detail.status == 200
    assert detail.json()["title"] == "Written on A"


def test_an_edit_through_a_replaces_what_b_served_anonymously_a_moment_before(
    site, a, b
):
    access = login(a, site.create_user("author"))["access"]
    post = create_post(a, access, title="First title")
    assert b.get(f"{API}/posts/{post['id']}/").json()["title"] == "First title"

    edited = a.request(
        "PATCH",
        f"{API}/posts/{post['id']}/",
        body={"title": "Second title"},
        headers=bearer(access),
    )

    assert edited.status == 200
    assert b.get(f"{API}/posts/{post['id']}/").json()["title"] == "Second title"


def test_logout_on_a_rejects_the_token_on_b(site, a, b):
    pair = login(a, site.create_user("reader"))
    assert b.get(f"{API}/users/me/", headers=bearer(pair["access"])).status == 200

    logout = a.request(
        "POST",
        f"{API}/auth/logout/",
        body={"refresh": pair["refresh"]},
        headers=bearer(pair["access"]),
    )
    me_on_b = b.get(f"{API}/users/me/", headers=bearer(pair["access"]))
    refresh_on_b = b.request(
        "POST", f"{API}/auth/token/refresh/", body={"refresh": pair["refresh"]}
    )

    assert logout.status == 204
    assert me_on_b.status == 401
    assert envelope_code(me_on_b) == "TOKEN_INVALID"
    assert refresh_on_b.status == 401
    assert envelope_code(refresh_on_b) == "TOKEN_INVALID"


def test_failed_logins_are_counted_across_both_instances(site, a, b):
    account = site.create_user("reader")
    wrong = {"email": account.email, "password": "not-the-password"}
    right = {"email": account.email, "password": account.password}

    failures = [
        server.request("POST", f"{API}/auth/token/", body=wrong)
        for server in (a, b, a, b, a)
    ]
    sixth = b.request("POST", f"{API}/auth/token/", body=wrong)
    even_right = a.request("POST", f"{API}/auth/token/", body=right)

    assert [envelope_code(failure) for failure in failures] == [
        "AUTHENTICATION_FAILED"
    ] * 5
    assert sixth.status == 429
    assert envelope_code(sixth) == "THROTTLED"
    assert int(sixth.headers["Retry-After"]) > 0
    assert even_right.status == 429
