"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.database import migrated_rows, put_back_migrated_rows

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls from a
# thread with a running loop unless told they are safe; here they are, the test code being synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Skipped at collection, before a database is set up for them; never a downloaded browser instead.
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium package (make setup)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


# One browser for the browser tests (this package), not for the session: Playwright's event loop runs in
# the tests' thread while the browser is open, and the tests that run after these (pytest-django runs the
# transactional tests, hence these, after the others, then the tests without a database) would find it
# running: code that runs its own loop (pyHanko) refuses to start inside another. The package's tests run
# one after the other, so the browser is closed once the last of them is done.
@pytest.fixture(scope="package")
def chromium_browser(django_db_setup, django_db_blocker) -> Iterator:
    from playwright.sync_api import sync_playwright

    rows = migrated_rows()
    with sync_playwright() as playwright:
        # From here on the code runs in a context of Playwright's, where Django's connections are new
        # objects: they are given the copy of the migrated rows, and are closed at the end, lest
        # PostgreSQL refuse to drop the test database still in use.
        for alias, contents in rows.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        with django_db_blocker.unblock():
            connections.close_all()


@pytest.fixture(scope="package", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    """Once the browser tests are done, put back the rows the migrations made (tests/database.py); each
    of them finds those rows at its start (`serialized_rollback`)."""
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


@pytest.fixture
def browser_page(chromium_browser) -> Iterator:
    """A fresh page in its own context (no cookies from another test), Arabic first like a Moroccan desk."""
    context = chromium_browser.new_context(locale="ar-MA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
