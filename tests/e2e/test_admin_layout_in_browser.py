"""The admin fits a 1280x800 screen, and refuses an editor inside its own layout."""

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.browser import admin_login, record_csp_violations
from tests.e2e.deployment import (
    API,
    Deployment,
    bearer,
    create_post,
    enrol_totp,
    login,
)

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]

SCREEN: ViewportSize = {"width": 1280, "height": 800}
# Rows that are as wide as real ones get: long titles, e-mail addresses, names.
LONG_TITLE = "What we learned moving a busy publication from offsets to cursors"
# The changelists that have rows once fill_every_changelist has run.
WITH_ROWS = {
    "/admin/accounts/apikey/",
    "/admin/accounts/loginfailurecounter/",
    "/admin/accounts/user/",
    "/admin/otp_totp/totpdevice/",
    "/admin/posts/comment/",
    "/admin/posts/deletedpost/",
    "/admin/posts/post/",
    "/admin/posts/tag/",
    "/admin/token_blacklist/blacklistedtoken/",
    "/admin/token_blacklist/outstandingtoken/",
}
MEASURE = """() => {
  const page = document.documentElement;
  const table = document.querySelector("#result_list");
  const box = table && table.parentElement;
  return {
    page: [page.scrollWidth, page.clientWidth],
    table: table && [table.getBoundingClientRect().width, box.clientWidth],
    box: box && [box.scrollWidth, box.clientWidth],
  };
}"""


def fill_every_changelist(site: Deployment) -> dict:
    """Make rows for the admin's lists through the API; return a published post."""
    server = site.servers[0]
    author = site.create_user("author", name="aria-with-a-rather-long-name")
    access = login(server, author)["access"]
    post = create_post(server, access, title=LONG_TITLE)
    create_post(server, access, title=LONG_TITLE, publish=False)
    gone = create_post(server, access, title="Deleted for the list of deleted posts")
    deleted = server.request(
        "DELETE", f"{API}/posts/{gone['id']}/", headers=bearer(access)
    )
    commented = server.request(
        "POST",
        f"{API}/posts/{post['id']}/comments/",
        body={"body": "A comment long enough to need some room in a list. " * 3},
        headers=bearer(access),
    )
    key = server.request(
        "POST",
        f"{API}/users/{author.id}/api-keys/",
        body={"name": "Nightly export to the newsletter tool", "scope": "read"},
        headers=bearer(site.admin_access()),
    )
    refused = server.request(
        "POST",
        f"{API}/auth/token/",
        body={"email": author.email, "password": "not-the-password"},
    )
    # A logout blacklists the refresh token.
    pair = login(server, author)
    logged_out = server.request(
        "POST",
        f"{API}/auth/logout/",
        body={"refresh": pair["refresh"]},
        headers=bearer(pair["access"]),
    )
    assert deleted.status == 204, deleted.body
    assert commented.status == 201, commented.body
    assert key.status == 201, key.body
    assert refused.status == 401, refused.body
    assert logged_out.status == 204, logged_out.body
    return post


def changelists(page: Page, base_url: str) -> list[str]:
    """Return the path of every changelist the admin's index links."""
    page.goto(f"{base_url}/admin/")
    hrefs = page.eval_on_selector_all(
        "#content-main th[scope=row] a", "links => links.map(a => a.pathname)"
    )
    return sorted(set(hrefs))


def test_every_admin_changelist_fits_a_1280_by_800_screen(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    post = fill_every_changelist(browser_site)
    assert browser_site.admin is not None
    page.set_viewport_size(SCREEN)
    violations = record_csp_violations(page)
    admin_login(page, server.base_url, browser_site.admin)
    paths = changelists(page, server.base_url)
    history = [f"/admin/posts/post/{post['id']}/history/"]

    measured = {}
    for path in [*paths, *history]:
        if path in history:
            # django-simple-history's own page sets an inline style CSP blocks.
            violations = list(violations)
        response = page.goto(f"{server.base_url}{path}")
        assert response is not None
        assert response.status == 200, path
        measured[path] = page.evaluate(MEASURE)

    assert set(paths) >= WITH_ROWS
    for path, sizes in measured.items():
        scroll_width, client_width = sizes["page"]
        assert scroll_width <= client_width, (path, sizes)
        if path in WITH_ROWS:
            assert sizes["table"] is not None, path
        if sizes["table"] is not None:
            table_width, box_width = sizes["table"]
            assert table_width <= box_width + 0.5, (path, sizes)
            assert sizes["box"][0] <= sizes["box"][1], (path, sizes)
    assert violations == []


def test_the_posts_changelist_keeps_titles_on_few_lines(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    author = browser_site.create_user("author", name="lines")
    title = "Seven things a small newsroom learned about writing in the open"
    create_post(server, login(server, author)["access"], title=title)
    # Alone in its search, whatever other tests of the session created.
    assert browser_site.admin is not None
    page.set_viewport_size(SCREEN)
    admin_login(page, server.base_url, browser_site.admin)

    page.goto(f"{server.base_url}/admin/posts/post/?q=small+newsroom")
    cell = page.locator("#result_list .field-title")
    expect(cell).to_have_count(1)
    line_height = cell.evaluate("cell => parseFloat(getComputedStyle(cell).lineHeight)")
    link = cell.locator("a").bounding_box()

    assert link is not None
    assert link["height"] <= 2 * line_height + 1
    expect(page.locator("#result_list .field-slug")).to_contain_text("small-newsroom")
    expect(page.locator("#result_list .field-author_name")).to_have_text("Lines")


def test_an_editor_refused_the_users_admin_sees_it_inside_the_admin_and_goes_back(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    editor = enrol_totp(server, browser_site.create_user("editor", name="refused"))
    page.set_viewport_size(SCREEN)
    violations = record_csp_violations(page)
    admin_login(page, server.base_url, editor)

    refused = page.goto(f"{server.base_url}/admin/accounts/user/")

    assert refused is not None
    assert refused.status == 403
    expect(page.locator("#site-name")).to_have_text("Inkwell administration")
    expect(page.locator("#user-tools")).to_be_visible()
    expect(page.locator(".breadcrumbs")).to_contain_text("Permission denied")
    expect(page.locator("#content")).to_contain_text("does not give access")
    page.get_by_role("link", name="Back to the admin index").click()
    expect(page.get_by_role("link", name="Posts", exact=True)).to_be_visible()
    assert page.url == f"{server.base_url}/admin/"
    assert violations == []


def test_the_admin_links_its_icon_and_view_site_opens_the_api_docs(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    editor = enrol_totp(server, browser_site.create_user("editor", name="icon"))
    admin_login(page, server.base_url, editor)

    icon = page.locator("link[rel=icon]").get_attribute("href")
    fetched = page.request.get(f"{server.base_url}{icon}")
    root_icon = page.request.get(f"{server.base_url}/favicon.ico")
    page.get_by_role("link", name="View site").click()

    assert fetched.status == 200
    assert root_icon.status == 200
    assert root_icon.body() == fetched.body()
    expect(page.locator("#swagger-ui")).to_be_visible()
    assert page.url == f"{server.base_url}/api/docs/"
