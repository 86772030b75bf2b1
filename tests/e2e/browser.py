"""Headless Chromium (Debian's package) driven by Playwright, one fresh profile each."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, expect, sync_playwright

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
