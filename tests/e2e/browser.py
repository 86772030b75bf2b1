"""Headless Chromium (Debian's package) driven by Playwright, one fresh profile each."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)

from tests.e2e.deployment import Account, totp_code

# Chromium as root needs --no-sandbox; the rest keep it off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# A step that takes longer than this has failed.
TIMEOUT_MS = 15_000
# Runs in every document the page opens, before the page's own scripts.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
      + ` in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def chromium_executable() -> str | None:
    """Return the system Chromium's path; Playwright's own browsers are not used."""
    return shutil.which("chromium")


@contextmanager
def chromium(profile_dir: Path) -> Iterator[BrowserContext]:
    """Yield a headless Chromium context with a fresh user-data directory."""
    executable = chromium_executable()
    assert executable is not None, "chromium is not installed"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def admin_login(page: Page, base_url: str, account: Account) -> None:
    """Log in to the admin through its login form: password and TOTP code."""
    assert account.totp_secret is not None, "the admin needs a second factor"
    submit_admin_login(page, base_url, account, totp_code(account.totp_secret))
    expect(page.locator("#user-tools")).to_be_visible()


def submit_admin_login(page: Page, base_url: str, account: Account, code: str) -> None:
    """Fill in and send the admin's login form (e-mail, password, OTP token)."""
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", account.email)
    page.fill("#id_password", account.password)
    page.fill("#id_otp_token", code)
    page.click("input[type=submit][value='Log in']")


def record_csp_violations(page: Page) -> list[str]:
    """Return a list that fills with every CSP violation the page reports from now on.

    Both channels: Chromium's console message, and the securitypolicyviolation
    event the document receives (also for blocks that log nothing).
    """
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", on_console)
    page.expose_function(
        "reportCspViolation", lambda report: violations.append(f"event: {report}")
    )
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    return violations


def record_requests(page: Page) -> list[str]:
    """Return a list that fills with the URL of every request the page makes."""
    requested: list[str] = []

    def on_request(request: Request) -> None:
        requested.append(request.url)

    page.on("request", on_request)
    return requested


def off_site(requested: list[str], base_url: str) -> list[str]:
    """Return the requested URLs that are not this server's (blob: URLs are its own)."""
    origin = f"{base_url}/"
    return [
        url for url in requested if not url.removeprefix("blob:").startswith(origin)
    ]
