"""The Swagger UI works in a real browser, served entirely by Inkwell itself."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import off_site, record_csp_violations, record_requests
from tests.e2e.deployment import Deployment, login

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]


def test_swagger_ui_tries_users_me_with_a_token_from_the_server_alone_under_its_csp(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    reader = browser_site.create_user("reader", name="swagger")
    access = login(server, reader)["access"]
    violations = record_csp_violations(page)
    requested = record_requests(page)

    response = page.goto(f"{server.base_url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Inkwell API")

    page.click(".auth-wrapper button.authorize")
    dialog = page.locator(".modal-ux")
    # Both schemes are offered: the bearer token and the API key.
    expect(dialog.locator("#api_key_value")).to_be_visible()
    bearer = dialog.locator(".auth-container", has=page.locator("#auth-bearer-value"))
    bearer.locator("input").fill(access)
    bearer.locator("button.authorize").click()
    dialog.locator("button.btn-done").first.click()

    operation = page.locator("#operations-users-users_me_retrieve")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    live_response = operation.locator(".live-responses-table .response")
    expect(live_response.locator(".response-col_status")).to_have_text("200")
    expect(live_response.locator(".response-col_description")).to_contain_text(
        reader.email
    )

    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert f"{server.base_url}/api/v1/users/me/" in requested
    assert off_site(requested, server.base_url) == []
    assert violations == []
