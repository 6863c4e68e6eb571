"""Two application servers behind HAProxy, sharing PostgreSQL, an S3 bucket and Redis (tests/cluster.py),
as a ministry runs the board's site: the published PDF is the same through either server and verifies;
the board's whole cycle runs through the balancer in a real Chromium, from the convocation to the
verification of the signed PDF, each message sent once; one server stopped under a read and write load
loses no request beyond those it had in flight, signs nothing twice and leaves every signed PDF verifying;
and a rolling update (a server drained, then stopped) loses none."""

import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar

import pytest
import redis

from meetings.seal.demo_pki import PERSONS
from tests.browser import chromium
from tests.cluster import cluster
from tests.e2e.actors import (
    MEMBER_PASSWORD,
    approves,
    lifecycle_button,
    member_signs_in,
    new_page,
    secretary_signs_in,
    signs_the_minutes,
    uploads_for_verification,
)
from tests.factory import PRESIDENT_LABEL, RAPPORTEUR_LABEL
from tests.mail import MailServer, text_part
from tests.processes import until

# Eight processes start for the module (tests/cluster.py): its own limit, above pytest-timeout's default.
pytestmark = [pytest.mark.cluster, pytest.mark.timeout(900)]

BURST = 20  # signatures asked at once
SENT = "أُرسلت ملاحظتكم إلى كتابة المجلس."  # locale/ar: «Your comment was sent to the secretariat.»


class Visitor:
    """A browser without the browser: cookies, the CSRF token of the last form, no redirect kept secret."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.token = ""

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        return self._open(urllib.request.Request(self.base + path), timeout)

    def post(self, path: str, fields: dict[str, str], timeout: float = 30) -> tuple[int, bytes]:
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, **fields}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data), timeout)

    def post_file(self, path: str, name: str, content: bytes) -> tuple[int, bytes]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._open(request, 60)

    def _open(self, request, timeout: float) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, body = refused.code, refused.read()
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if found:
            self.token = found.group(1).decode()
        return status, body

    def sign_in(self, username: str, password: str) -> None:
        self.get("/members/login/")
        status, body = self.post("/members/login/", {"username": username, "password": password})
        assert status == 200 and b"/members/logout/" in body, body[:500]


@dataclass
class Request:
    kind: str
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused, reset, timed out)
    key: str = ""  # a comment's text


def load(base: str, review: int, enough: threading.Event, record: list[Request]) -> list[threading.Thread]:
    """Readers of the public pages and PDF, and members writing comments, until `enough` is set; each
    comment's text is this load's own."""
    run = uuid.uuid4().hex[:8]
    reads = [
        "/sessions/2025/2/",
        "/resolutions/",
        "/search/?q=" + urllib.parse.quote("ميزانية"),
        "/sessions/2025/2/minutes.pdf",
    ]

    def reader(number: int) -> None:
        visitor = Visitor(base)
        n = number
        while not enough.is_set():
            path = reads[n % len(reads)]
            n += 1
            started = time.monotonic()
            try:
                status = visitor.get(path)[0]
            except OSError:
                status = None
            record.append(Request(path, started, time.monotonic(), status))

    def writer(number: int) -> None:
        visitor = Visitor(base)
        visitor.sign_in("member", MEMBER_PASSWORD)
        visitor.get(f"/members/sessions/{review}/")
        n = 0
        while not enough.is_set():
            text = f"ملاحظة {run}-{number}-{n}"
            n += 1
            started = time.monotonic()
            try:
                status, body = visitor.post(
                    f"/members/sessions/{review}/comment/", {"text": text, "agenda_item": ""}
                )
                if status == 200 and SENT.encode() not in body:
                    status = -status  # answered, but without saying the comment was sent
            except OSError:
                status = None
            record.append(Request("comment", started, time.monotonic(), status, key=text))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    return threads


@pytest.fixture(scope="module")
def mail() -> Iterator[MailServer]:
    """The mail server every server's worker sends to."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's: every command it reads
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def running(tmp_path_factory, mail):
    # Every /verify/ of the test comes from one address: more checks a minute than a visitor gets.
    with cluster(
        tmp_path_factory.mktemp("cluster"),
        VERIFICATIONS_PER_MINUTE="1000",
        EMAIL_URL=f"smtp://127.0.0.1:{mail.port}",
    ) as made:
        made.seed = made.call("seed", burst=BURST)
        yield made


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def arrived(mail: MailServer, address: str, containing: str, seconds: float = 60) -> list:
    """The messages to `address` whose text has `containing`, once at least one has come (the servers'
    workers send them)."""
    return until(
        lambda: [message for message in mail.inbox.to(address) if containing in text_part(message)],
        seconds,
        f"no message to {address} within {seconds} s",
        every=0.5,
    )


def authentic(visitor: Visitor, pdf: bytes) -> bool:
    visitor.get("/verify/")
    status, page = visitor.post_file("/verify/", "minutes.pdf", pdf)
    return status == 200 and b"verdict-authentic" in page


def test_a_published_page_is_rendered_once_for_every_server_in_the_shared_cache(running):
    pages = [Visitor(server.url).get("/sessions/2025/2/") for server in running.servers]

    assert [status for status, _ in pages] == [200, 200]
    assert pages[0][1] == pages[1][1]
    cached = redis.Redis.from_url(running.env["CACHE_URL"]).keys("*published-session-page:*:ar:*")
    assert len(cached) == 1  # one rendering of the version in Arabic, whichever server made it


def test_static_files_and_the_signed_pdf_are_served_as_immutable_by_every_server(running):
    """Collected as production collects them: each static file under its content's hash, cached ten years;
    the page's PDF at its immutable address, the same bytes from either server."""
    _, page = Visitor(running.url).get("/sessions/2025/2/")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    pdf_address = re.search(rb'href="(/minutes/[^"/]+/[0-9a-f]{64}\.pdf)"', page)
    assert stylesheet and pdf_address, page[:2000]

    for server in running.servers:
        for address in (stylesheet.group(1).decode(), pdf_address.group(1).decode()):
            with urllib.request.urlopen(server.url + address, timeout=30) as answer:
                assert answer.status == 200
                cache_control = answer.headers["Cache-Control"]
                assert "immutable" in cache_control, (address, cache_control)
                assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= 365 * 24 * 3600
    bodies = {Visitor(server.url).get(pdf_address.group(1).decode())[1] for server in running.servers}
    assert len(bodies) == 1 and next(iter(bodies)).startswith(b"%PDF")


def all_sent(running, seconds: float = 60) -> list[dict]:
    """Every message of the queue, once none waits any more."""

    def waiting(messages: list[dict]) -> list[dict]:
        return [message for message in messages if message["status"] != "sent"]

    def sent() -> list[dict] | None:
        messages = running.call("messages_sent")
        return None if waiting(messages) else messages

    return until(
        sent,
        seconds,
        lambda: f"still waiting after {seconds} s: {waiting(running.call('messages_sent'))}",
        every=1,
    )


def test_a_published_pdf_is_the_same_through_either_server_and_verifies(running):
    downloads = [Visitor(server.url).get("/sessions/2025/2/minutes.pdf") for server in running.servers]
    balanced = Visitor(running.url)

    assert [status for status, _ in downloads] == [200, 200]
    assert downloads[0][1] == downloads[1][1]
    assert downloads[0][1].startswith(b"%PDF")
    assert authentic(balanced, downloads[0][1])


def test_the_boards_whole_cycle_runs_through_the_load_balancer(running, browser, mail, tmp_path):
    base, cycle = running.url, running.seed["cycle"]
    session_admin = f"{base}/admin/meetings/session/{cycle['pk']}/change/"
    with new_page(browser, timeout=120_000) as desk:
        # The secretariat convenes the board.
        secretary_signs_in(desk, base, "secretary")
        desk.goto(session_admin)
        desk.click("text=إرسال الاستدعاء")
        desk.click("button:has-text('إرسال الاستدعاء')")
        desk.wait_for_selector(".messagelist .success")
        assert "3 رسائل في انتظار الإرسال." in desk.locator(".messagelist").inner_text()
        # Its reminder, due in 3 s instead of two days before: the workers of both servers watch for it.
        running.call("remind_in", session=cycle["pk"], seconds=3)

        # The member follows the link of the message a worker sent, signs in and answers.
        link = f"/members/sessions/{cycle['pk']}/"
        (convocation,) = arrived(mail, "rachidi@entraide.ma", base + link)
        with new_page(browser, timeout=120_000) as member:
            member.goto(base + link)
            member.fill("#id_username", "member")
            member.fill("#id_password", MEMBER_PASSWORD)
            member.click("button[type=submit]")
            member.wait_for_url(base + link)
            member.check("input[name=choice][value=attend]")
            member.click("button:has-text('إرسال جوابي')")
            member.wait_for_selector(".alert-success")
        desk.goto(session_admin)
        assert (
            "سيحضر" in desk.locator(".field-answers").inner_text()
        )  # the answer, as the secretariat reads it

        # After the session, the secretariat sends its minutes to review; the member comments.
        desk.get_by_role("button", name="إرسال المحضر للمراجعة").click()
        desk.wait_for_selector(".messagelist .success")
        with new_page(browser, timeout=120_000) as member:
            member_signs_in(member, base, "member")
            member.get_by_role("link", name=cycle["title"]).click()
            member.fill("#id_text", "يرجى ذكر المحاور الثلاثة لمخطط العمل.")
            member.get_by_role("button", name="إرسال الملاحظة").click()
            member.wait_for_selector(".alert-success")

        # The president and the rapporteur approve, each giving a second factor on the way.
        # The cluster's database is its own: the PINs are those of the demo persons whose seats they hold.
        pins = {"president": PERSONS[PRESIDENT_LABEL].pin, "rapporteur": PERSONS[RAPPORTEUR_LABEL].pin}
        for approver, pin in pins.items():
            with new_page(browser, timeout=120_000) as own:
                approves(own, base, approver, cycle["title"], pin)

        # The secretariat signs (a worker of either server) and publishes.
        desk.goto(f"{base}/admin/meetings/minutes/")
        desk.get_by_role("link", name=re.compile(cycle["title"])).click()
        assert "وُقِّع المحضر." in signs_the_minutes(desk, workers_elsewhere=True)
        lifecycle_button(desk, "نشر")
        assert "المحضر الآن «منشور»." in desk.locator(".messagelist").inner_text()

    # A visitor downloads the signed PDF through the balancer and checks it there.
    with new_page(browser, timeout=120_000) as visitor:
        visitor.goto(f"{base}/sessions/{cycle['year']}/{cycle['ordinal']}/")
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name="تحميل المحضر (PDF)").click()
        downloaded = tmp_path / "minutes.pdf"
        download.value.save_as(downloaded)
        assert "أصلي" in uploads_for_verification(visitor, base, downloaded)
    through_each = {
        Visitor(server.url).get(f"/sessions/{cycle['year']}/2/minutes.pdf")[1] for server in running.servers
    }
    assert through_each == {downloaded.read_bytes()}

    # Every message the cycle queued went once: one row each, sent, and one copy at the mail server; the
    # scheduled reminder was run by one worker, once.
    messages = all_sent(running)
    kinds = [m["kind"] for m in messages if m["session_id"] == cycle["pk"]]
    print(f"\nthe cycle's messages, each sent once: {sorted(kinds)}")
    assert kinds.count("convocation") == kinds.count("convocation_reminder") == 3
    assert {"review", "approval_awaited", "published"} <= set(kinds)
    rows = [(m["kind"], m["session_id"], m["member_id"], m["address"]) for m in messages]
    assert len(rows) == len(set(rows))
    received = [(tuple(recipients), message["Message-ID"]) for recipients, message in mail.inbox.received]
    assert len(received) == len(messages) == len(set(received))


def test_a_server_stopped_under_load_loses_no_request_but_those_in_flight_and_signs_nothing_twice(running):
    record: list[Request] = []
    enough = threading.Event()
    threads = load(running.url, running.seed["review"], enough, record)
    time.sleep(2)
    running.call("ask_signatures", approved=running.seed["approved"])
    time.sleep(3)
    stopping = time.monotonic()
    stopped = running.stop(running.servers[0])  # when its gunicorn had stopped; its worker after
    time.sleep(6)
    enough.set()
    for thread in threads:
        thread.join(timeout=60)

    # The burst's signatures: the remaining server's worker takes what the stopped one left.
    def finished() -> dict | None:
        outcome = running.call("jobs_outcome", approved=running.seed["approved"])
        return outcome if all(job["status"] in {"done", "failed"} for job in outcome["jobs"]) else None

    outcome = until(finished, 240, f"the {BURST} signatures are not all finished after 240 s", every=2)

    failed = [r for r in record if r.status is None or not 200 <= r.status < 400]
    in_flight = [r for r in record if r.started <= stopped and r.ended >= stopping]
    print(
        f"\n{len(record)} requests through the load balancer, {len(failed)} failed, "
        f"{len(in_flight)} in flight while app1's gunicorn stopped ({stopped - stopping:.2f} s)"
    )
    for request in failed:
        print(f"  failed: {request.kind} {request.status} at {request.started - stopping:+.2f} s")
    assert len(record) > 50
    assert all(r in in_flight for r in failed), failed
    # Every comment acknowledged is kept once; one that failed in flight is kept at most once.
    comments = outcome["comments"]
    acknowledged = [r.key for r in record if r.kind == "comment" and r not in failed]
    assert acknowledged and all(comments.get(key) == 1 for key in acknowledged)
    assert all(count == 1 for count in comments.values())
    # Every signature made once: BURST jobs done, BURST signed versions, BURST different files.
    assert [job["status"] for job in outcome["jobs"]] == ["done"] * BURST
    assert outcome["states"] == ["signed"] * BURST
    assert outcome["signed_files"] == BURST
    waits = sorted(job["wait"] for job in outcome["jobs"])
    print(
        f"queue wait of the {BURST} signatures: median {waits[len(waits) // 2]:.1f} s, longest {waits[-1]:.1f} s"
    )
    # Published, each downloads through the load balancer (the remaining server) and verifies.
    ordinals = running.call("publish_signed", approved=running.seed["approved"])
    visitor = Visitor(running.url)
    assert len(ordinals) == BURST
    for ordinal in ordinals:
        status, pdf = visitor.get(f"/sessions/2025/{ordinal}/minutes.pdf")
        assert status == 200 and authentic(visitor, pdf), ordinal


def test_a_rolling_update_drains_each_server_first_and_loses_no_request(running):
    """The README's rolling update: a server out of the balancer (drained), stopped, started again (the
    new release) and put back, then the other, while visitors read and members write."""
    first, second = running.servers
    if not first.running():  # the failover test left it stopped
        running.start(first)
    running.put_back(first)
    record: list[Request] = []
    enough = threading.Event()
    threads = load(running.url, running.seed["review"], enough, record)
    time.sleep(2)
    for server in (second, first):
        running.drain(server)
        running.stop(server)
        running.start(server)
        running.put_back(server)
        time.sleep(2)
    enough.set()
    for thread in threads:
        thread.join(timeout=60)

    failed = [r for r in record if r.status is None or not 200 <= r.status < 400]
    print(
        f"\n{len(record)} requests through the load balancer during the rolling update, {len(failed)} failed"
    )
    assert len(record) > 50
    assert failed == []
    comments = running.call("comments")
    assert all(comments.get(r.key) == 1 for r in record if r.kind == "comment")
