"""Debian's Chromium, driven by Playwright's sync API (never a downloaded browser): for the browser tests
(tests/e2e) and the cluster's (tests/test_cluster.py)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator:
    """The browser while the block runs. Playwright's event loop runs in the calling thread until the
    block ends: code that starts a loop of its own (pyHanko, which signs) cannot run in that thread then."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
