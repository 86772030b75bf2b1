"""Every kind of response carries its Content-Security-Policy, also from the cache."""

import re

import pytest
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import otp_force_login

pytestmark = pytest.mark.django_db

PAGE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
NOT_HTML_POLICY = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
# The empty stylesheet's hash, and perfect-scrollbar's (core.api_docs).
REDOC_STYLES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


def policy(response) -> dict[str, list[str]]:
    """Return the response's policy as {directive: [sources]}."""
    directives = (
        part.split() for part in response["Content-Security-Policy"].split(";")
    )
    return {name: sources for name, *sources in directives}


def inline_scripts_and_styles(html: str) -> list[str]:
    """Return the <script> elements without src and the <style> elements."""
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    return scripts + re.findall(r"<style\b[^>]*>", html)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    otp_force_login(client, UserFactory.create(role=Role.ADMIN))
    return client


def test_admin_login_page_sends_the_page_policy(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert policy(response) == PAGE_POLICY


def test_admin_index_sends_the_page_policy(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert policy(response) == PAGE_POLICY


def test_admin_change_page_sends_the_page_policy(admin_client):
    user = UserFactory.create()

    response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert response.status_code == 200
    assert policy(response) == PAGE_POLICY


def test_swagger_ui_adds_only_data_images_to_the_page_policy(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert policy(response) == {**PAGE_POLICY, "img-src": ["'self'", "data:"]}


def test_swagger_ui_init_script_is_a_same_origin_file(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert '<script src="/api/docs/?script="></script>' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    assert policy(script) == NOT_HTML_POLICY


def test_redoc_adds_its_style_hashes_data_images_and_blob_worker(client):
    response = client.get("/api/redoc/")

    assert response.status_code == 200
    assert policy(response) == {
        **PAGE_POLICY,
        "style-src": ["'self'", *REDOC_STYLES],
        "img-src": ["'self'", "data:"],
        "worker-src": ["blob:"],
    }


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/"])
def test_pages_have_no_inline_script_or_style(client, path):
    html = client.get(path).content.decode()

    assert "<script" in html
    assert inline_scripts_and_styles(html) == []


def test_redoc_page_loads_the_vendor_logo_blocker_before_redoc(client):
    html = client.get("/api/redoc/").content.decode()

    blocker = html.index("/static/core/redoc_without_vendor_logo.js")
    assert blocker < html.index("/static/drf_spectacular_sidecar/redoc/bundles/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/",
        "/api/v1/no-such-endpoint/",
        "/api/schema/",
        "/healthz",
        "/static/core/redoc.css",
    ],
)
def test_responses_that_are_not_html_send_a_policy_that_allows_nothing(client, path):
    response = client.get(path)

    assert not response["Content-Type"].startswith("text/html")
    assert policy(response) == NOT_HTML_POLICY


def test_api_responses_replayed_by_the_response_cache_carry_the_policy(
    client, settings, django_assert_num_queries
):
    settings.RESPONSE_CACHE_ENABLED = True
    client.get("/api/v1/posts/")

    # A hit runs no SQL: the response cache answered before any view.
    with django_assert_num_queries(0):
        hit = client.get("/api/v1/posts/")

    assert hit.status_code == 200
    assert policy(hit) == NOT_HTML_POLICY
