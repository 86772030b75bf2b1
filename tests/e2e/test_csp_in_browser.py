"""The admin and the API docs work in Chromium under their Content-Security-Policy.

Each test records every violation Chromium reports (console messages and
``securitypolicyviolation`` events) and asserts there is none: a policy
too strict for a page shows up here, not in production. The Swagger UI's
own test (``test_swagger_ui_in_browser.py``) does the same while it
authorizes and tries an operation.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    admin_login,
    off_site,
    record_csp_violations,
    record_requests,
)
from tests.e2e.deployment import Deployment, create_post, login

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]

CSP_HEADER = "content-security-policy"


def test_admin_login_index_and_change_pages_work_without_csp_violations(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    author = browser_site.create_user("author", name="csp-author")
    post = create_post(server, login(server, author)["access"], title="Under a CSP")
    violations = record_csp_violations(page)
    assert browser_site.admin is not None

    admin_login(page, server.base_url, browser_site.admin)
    expect(page.locator("#content-main .app-posts")).to_be_visible()
    user_page = page.goto(f"{server.base_url}/admin/accounts/user/{author.id}/change/")
    expect(page.locator("#id_role")).to_have_value("author")
    # The post's page has the autocomplete (select2) and prepopulated widgets.
    page.goto(f"{server.base_url}/admin/posts/post/{post['id']}/change/")
    page.click("#id_tags + .select2 .select2-selection")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    page.fill("#id_title", "Under a CSP, edited")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed")

    assert user_page is not None
    assert "script-src 'self'" in user_page.headers[CSP_HEADER]
    assert violations == []


def test_redoc_renders_and_searches_from_the_server_alone_without_csp_violations(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    violations = record_csp_violations(page)
    requested = record_requests(page)

    response = page.goto(f"{server.base_url}/api/redoc/")
    expect(page.locator("h1")).to_contain_text("Inkwell API")
    # The side menu's footer is where Redoc shows its vendor's CDN logo.
    expect(page.get_by_text("API docs by Redocly")).to_be_visible()
    # Opening a response renders more styled components after the first paint.
    response_400 = page.get_by_role("button", name="400 Invalid input").first
    response_400.click()
    expect(page.get_by_text("RESPONSE SCHEMA:").first).to_be_visible()
    # Search runs in a worker made from a blob: URL.
    search = page.get_by_role("search")
    search.get_by_role("textbox").fill("logout")
    expect(search.get_by_role("menuitem", name="auth_logout_create")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert response is not None
    assert "worker-src blob:" in response.headers[CSP_HEADER]
    assert f"{server.base_url}/api/schema/" in requested
    assert off_site(requested, server.base_url) == []
    assert page.locator("img[alt='redocly logo']").count() == 0
    assert violations == []
