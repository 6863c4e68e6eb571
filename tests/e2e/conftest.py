"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.browser import CHROMIUM, chromium
from tests.database import migrated_rows, put_back_migrated_rows

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls from a
# thread with a running loop unless told they are safe; here they are, the test code being synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Where each browser test leaves pictures of its last pages (var/ is not committed); `.ci/run` lists them
# in its log. E2E_SCREENSHOTS names another folder.
SCREENSHOTS = Path(
    os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots")
)


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
    rows = migrated_rows()
    with chromium() as browser:
        # From here on the code runs in a context of Playwright's, where Django's connections are new
        # objects: they are given the copy of the migrated rows, and are closed at the end, lest
        # PostgreSQL refuse to drop the test database still in use.
        for alias, contents in rows.items():
            connections[alias]._test_serialized_contents = contents
        yield browser
        with django_db_blocker.unblock():
            connections.close_all()


@pytest.fixture(scope="package", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    """Once the browser tests are done, put back the rows the migrations made (tests/database.py); each
    of them finds those rows at its start (`serialized_rollback`)."""
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


class Screenshots:
    """`screenshots.take(page, "name")`: a full-page picture into the test's own folder, numbered in order."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        self.folder = folder
        self.taken = 0

    def take(self, page, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(SCREENSHOTS / request.node.name)


@pytest.fixture
def browser_page(chromium_browser, screenshots) -> Iterator:
    """A fresh page in its own context (no cookies from another test), Arabic first like a Moroccan desk;
    whatever it shows when the test ends, passed or failed, is kept as the test's last screenshot."""
    context = chromium_browser.new_context(locale="ar-MA", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    for n, last in enumerate(context.pages):
        if not last.is_closed() and last.url != "about:blank":
            screenshots.take(last, f"last-page-{n + 1}")
    context.close()
