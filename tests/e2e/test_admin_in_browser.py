"""Staff use the Django admin in a real browser, and the API follows at once."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import admin_login, submit_admin_login
from tests.e2e.deployment import (
    API,
    Deployment,
    bearer,
    create_post,
    enrol_totp,
    envelope_code,
    login,
)

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]


def search_users(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/admin/accounts/user/")
    page.fill("#searchbar", email)
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)


def test_admin_promotes_and_deactivates_users_and_the_api_follows_at_once(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    promoted = browser_site.create_user("reader", name="promoted")
    deactivated = browser_site.create_user("author", name="deactivated")
    promoted_access = login(server, promoted)["access"]
    deactivated_access = login(server, deactivated)["access"]
    new_post = {"title": "From a new author", "body": "Hello.", "tags": []}
    refused = server.request(
        "POST", f"{API}/posts/", body=new_post, headers=bearer(promoted_access)
    )
    assert refused.status == 403

    assert browser_site.admin is not None
    admin_login(page, server.base_url, browser_site.admin)
    # Change the role on the user's page, found by a search on the e-mail.
    search_users(page, server.base_url, promoted.email)
    page.click(f"#result_list a:text-is('{promoted.email}')")
    page.select_option("#id_role", "author")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed")
    # Deactivate the other one with the list's action.
    search_users(page, server.base_url, deactivated.email)
    page.check("#result_list input.action-select")
    page.select_option("select[name=action]", "deactivate")
    page.click("button[name=index]")
    expect(page.locator(".messagelist .success")).to_have_text("Updated 1 user(s).")

    created = server.request(
        "POST", f"{API}/posts/", body=new_post, headers=bearer(promoted_access)
    )
    me = server.get(f"{API}/users/me/", headers=bearer(promoted_access))
    locked_out = server.get(f"{API}/users/me/", headers=bearer(deactivated_access))
    assert created.status == 201, created.body
    assert created.json()["author"]["id"] == promoted.id
    assert me.json()["role"] == "author"
    assert locked_out.status == 401
    assert envelope_code(locked_out) == "TOKEN_INVALID"


def test_editor_edits_posts_in_the_admin_but_cannot_reach_users(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    author = browser_site.create_user("author", name="writer")
    editor = enrol_totp(server, browser_site.create_user("editor", name="editor"))
    access = login(server, author)["access"]
    published = create_post(server, access, title="Editors welcome")
    draft = create_post(server, access, title="Work in progress", publish=False)

    admin_login(page, server.base_url, editor)
    posts_link = page.get_by_role("link", name="Posts", exact=True)
    expect(posts_link).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    expect(page.locator("a[href^='/admin/accounts/']")).to_have_count(0)
    posts_link.click()
    expect(page.locator("#result_list")).to_contain_text(published["title"])
    expect(page.locator("#result_list")).to_contain_text(draft["title"])
    page.click(f"#result_list a:text-is('{published['title']}')")
    page.fill("#id_title", "Editors welcome, edited")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed")
    users_page = page.goto(f"{server.base_url}/admin/accounts/user/")
    user_page = page.goto(f"{server.base_url}/admin/accounts/user/{author.id}/change/")

    read_back = server.get(f"{API}/posts/{published['id']}/")
    assert read_back.json()["title"] == "Editors welcome, edited"
    assert read_back.json()["status"] == "published"
    assert users_page is not None
    assert users_page.status == 403
    assert user_page is not None
    assert user_page.status == 403


def test_the_admin_refuses_staff_without_a_second_factor_and_says_how_to_enrol(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    editor = browser_site.create_user("editor", name="no-device")

    submit_admin_login(page, server.base_url, editor, "123456")

    expect(page.locator(".errornote")).to_contain_text(
        "POST /api/v1/users/me/mfa/totp/"
    )
    expect(page.locator("#user-tools")).to_have_count(0)
    index = page.goto(f"{server.base_url}/admin/")
    assert index is not None
    assert "/admin/login/" in index.url


def test_the_admin_refuses_a_wrong_code_then_accepts_a_right_one(
    browser_site: Deployment, page: Page
):
    server = browser_site.servers[0]
    editor = enrol_totp(server, browser_site.create_user("editor", name="coded"))

    submit_admin_login(page, server.base_url, editor, "000000")
    expect(page.locator(".errornote")).to_contain_text("Invalid token")
    expect(page.locator("#user-tools")).to_have_count(0)

    admin_login(page, server.base_url, editor)
    expect(page.get_by_role("link", name="Posts", exact=True)).to_be_visible()
