"""What the people of the browser tests do again and again: sign in, approve, move the minutes, check a
PDF. Each takes a Playwright page."""

import base64
import datetime
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth.models import User
from django.db import connections
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.management.commands.db_worker import Worker

from tests import factory
from tests.client import app_code

MEMBER_PASSWORD = "m3mber-pass!"  # factory.user_for's
SECRETARY_PASSWORD = "s3cret-pass!"  # factory.secretariat_user's


@contextmanager
def new_page(
    browser, *, width: int = 1280, locale: str = "ar-MA", last=None, timeout: float = 15_000, **options
) -> Iterator:
    """A page in a browser context of its own (its own cookies: another person), closed when done; `last`
    (the test's `screenshots` and a name) keeps a picture of what it shows at the end; `timeout` (ms) is
    how long it waits for an element or a page. `options` go to the context (`bypass_csp=True` where
    axe-core is to run: it is an injected script)."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900}, **options)
    context.set_default_timeout(timeout)
    page = context.new_page()
    try:
        yield page
    finally:
        if last is not None:
            screenshots, name = last
            screenshots.take(page, name)
        context.close()


SECOND_FACTOR = "/account/second-factor/"


def gives_the_second_factor(page, username: str) -> bytes | None:
    """After the password, the step of the accounts that owe a second factor, as their owner goes
    through it: at the first sign-in the authenticator app takes the key the page shows and gives its
    code (the key is returned: the app keeps it); later, the owner types one of the account's recovery
    codes (an app's code may not be used twice in its 30 seconds, and a test signs in more often than
    that)."""
    if SECOND_FACTOR not in page.url:
        return None
    page.locator(".second-factor #id_code").wait_for()  # the page drawn, not only its address
    shown = page.locator(".second-factor bdi.font-monospace")
    key = base64.b32decode(shown.inner_text().replace(" ", "")) if shown.count() else None
    if key is not None:
        well_inside_a_step()
        code = app_code(key)
    else:
        code = StaticToken.random_token()
        StaticToken.objects.create(device=StaticDevice.objects.get(user__username=username), token=code)
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.locator(".second-factor button[type=submit]").click()
    if page.locator(".recovery-codes").count():  # enrolled: the codes are shown once, then on
        with page.expect_navigation():
            page.locator(".second-factor a.btn").click()
    return key


def well_inside_a_step() -> None:
    """Waits, if the app's 30-second step ends in the next few seconds, for the next one to begin: a code
    the server checks in the step after the one it was read in is taken, but django-otp then shifts its
    clock for this device by a step back (OTP_TOTP_SYNC), and would refuse the next step's code that
    `next_app_code` gives (a loaded CI machine did that once)."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)


def next_app_code(key: bytes) -> str:
    """The code the authenticator app shows in the next 30 seconds: never the one just used to sign in,
    which django-otp would refuse (it takes a step either side of its clock's)."""
    return app_code(key, datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=30))


def member_gives_the_password(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/members/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", MEMBER_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="تسجيل الدخول").click()


def member_signs_in(page, base_url: str, username: str) -> bytes | None:
    """Signs in, with the second factor where it is owed; the authenticator app's key if enrolled now."""
    member_gives_the_password(page, base_url, username)
    key = gives_the_second_factor(page, username)
    page.wait_for_url(f"{base_url}/members/")
    return key


def secretary_gives_the_password(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", SECRETARY_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")


def secretary_signs_in(page, base_url: str, username: str) -> None:
    secretary_gives_the_password(page, base_url, username)
    gives_the_second_factor(page, username)
    page.wait_for_selector("#content-main")


APPROVE_AND_SIGN = "المصادقة على هذا المحضر وتوقيعه"


def pin_of(username: str) -> str:
    """The PIN of the demo person whose credential the member of account `username` holds."""
    return factory.pin_of(User.objects.select_related("member").get(username=username))


def approves(page, base_url: str, username: str, session_title: str, pin: str | None = None) -> str:
    """The president or the rapporteur signs in, opens the session and approves with a code of their
    authenticator app (its key as enrolled now, or as their phone keeps it): the page's text after."""
    key = member_signs_in(page, base_url, username)
    key = key or TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
    page.get_by_role("link", name=session_title).click()
    page.wait_for_selector("h1")
    page.check("#confirm-approval")  # after the whole record, saying which version it approves
    page.fill("#approval-code", next_app_code(key))
    page.fill("#approval-pin", pin or pin_of(username))  # the PIN of their key at the signing service
    page.get_by_role("button", name=APPROVE_AND_SIGN).click()
    page.wait_for_selector(".alert-success")
    return page.locator("main").inner_text()


def presses(page, label: str) -> None:
    """A button of the admin, its consequence confirmed first where it asks for it."""
    button = page.get_by_role("button", name=label, exact=True)
    confirmation = button.locator("xpath=ancestor::form").locator("input[name=confirm]")
    if confirmation.count():
        confirmation.check()
    with page.expect_navigation():
        button.click()


def lifecycle_button(page, label: str) -> None:
    """A button of the minutes' admin page that moves them at once, and the message it gives."""
    presses(page, label)
    page.wait_for_selector(".messagelist .success")


def the_worker_runs() -> None:
    """The task queue's worker (`manage.py db_worker` beside the app: its Worker, without the signal
    handlers only a main thread sets), until no task is ready. It runs in a thread of its own: pyHanko,
    which signs, starts an event loop, which Playwright's in the test's thread would refuse. On the
    in-memory SQLite of the tests the thread is given the test's connection, as Django's live server
    thread is; on PostgreSQL it opens its own."""
    shared = {alias: connections[alias] for alias in connections if _in_memory(connections[alias])}
    failed: list[BaseException] = []

    def work() -> None:
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            Worker(
                queue_names=["default"],
                excluded_queue_names=[],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="browser-tests",
            ).run()
        except BaseException as error:  # noqa: BLE001 (raised again in the test's thread)
            failed.append(error)
        finally:
            if not shared:
                connections.close_all()

    for connection in shared.values():
        connection.inc_thread_sharing()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=300)
    for connection in shared.values():
        connection.dec_thread_sharing()
    if failed:
        raise failed[0]


def _in_memory(connection) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def follows_the_job(page, workers_elsewhere: bool = False) -> str:
    """On a job's progress page: the worker runs (here, or one of the servers' if `workers_elsewhere`),
    the page's script shows the result; its text."""
    page.wait_for_selector(".job-state")
    if not workers_elsewhere:
        the_worker_runs()
    page.wait_for_selector(".job-done, .job-failed", timeout=120_000 if workers_elsewhere else 30_000)
    return page.locator(".job-state").inner_text()


def signs_the_minutes(page, screenshots=None, workers_elsewhere: bool = False) -> str:
    """The secretariat signs approved minutes from their admin page, the task queue signs; what the
    progress page said (pictured, given the test's `screenshots`), once back on the minutes' page."""
    presses(page, "توقيع المحضر")
    said = follows_the_job(page, workers_elsewhere)
    if screenshots is not None:
        screenshots.take(page, "signature-done")
    with page.expect_navigation():
        page.get_by_role("link", name="العودة إلى المحضر").click()
    return said


def uploads_for_verification(page, base_url: str, path: Path) -> str:
    page.goto(f"{base_url}/verify/")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="تحقق من هذا الملف").click()
    return page.locator(".verdict").inner_text()
