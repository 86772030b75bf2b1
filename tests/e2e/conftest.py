"""Fixtures for end-to-end tests: a live deployment and a headless Chromium page.

The browser tests drive a real gunicorn server (production settings) rather
than pytest-django's ``live_server``: it is the server users run, it works
the same on SQLite and PostgreSQL (a database of its own, migrated by
``manage.py migrate``), and it keeps the browser out of the test's
transaction. Accounts are made with ``createsuperuser`` and the admin API.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import chromium
from tests.e2e.deployment import Deployment, deployment
from tests.gunicorn.server import PROJECT_DIR

ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item (item.rep_setup, rep_call, ...)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_site(tmp_path_factory) -> Iterator[Deployment]:
    """One deployment for the browser tests; each test makes its own accounts."""
    with deployment(tmp_path_factory.mktemp("browser-site")) as site:
        # Without Redis each worker has a local-memory cache of its own: a
        # role change made through one worker would reach another worker's
        # user cache only when its entry expires (USER_CACHE_TTL_SECONDS).
        # So one worker on the embedded default, two with Redis.
        site.start_instance(workers=2 if site.has_shared_cache else 1)
        yield site


@pytest.fixture
def page(request, tmp_path) -> Iterator[Page]:
    """Yield a page in a fresh Chromium profile; keep a screenshot if the test fails."""
    with chromium(tmp_path / "chromium-profile") as context:
        page = context.new_page()
        yield page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            save_artifacts(page, request.node.nodeid)


def save_artifacts(page: Page, nodeid: str) -> None:
    """Save a screenshot and the HTML of the page as it was when the test failed."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", nodeid)
    page.screenshot(path=ARTIFACTS_DIR / f"{name}.png", full_page=True)
    (ARTIFACTS_DIR / f"{name}.html").write_text(page.content())
