"""Two application servers behind HAProxy, sharing PostgreSQL, an S3 bucket and Redis (tests/cluster.py),
as a ministry runs the board's site: the published PDF is the same through either server and verifies,
and one server stopped under a read and write load loses no request beyond those it had in flight, signs
nothing twice and leaves every signed PDF verifying."""

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookiejar import CookieJar

import pytest

from tests.cluster import MEMBER, ask_signatures, cluster, jobs_outcome, seed_board

pytestmark = pytest.mark.cluster

BURST = 20  # signatures asked at once
SENT = "أُرسلت ملاحظتكم إلى كتابة المجلس."  # locale/ar: «Your comment was sent to the secretariat.»

PUBLISH_SIGNED = """
from django.contrib.auth.models import User
from meetings import lifecycle
from meetings.models import Minutes
secretary = User.objects.get(username="secretary")
for minutes in Minutes.objects.filter(pk__in={approved}, state="signed"):
    lifecycle.publish(minutes, by=secretary)
print(*Minutes.objects.filter(pk__in={approved}).values_list("session__ordinal", flat=True))
"""


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


def load(base: str, review: int, until: threading.Event, record: list[Request]) -> list[threading.Thread]:
    """Readers of the public pages and PDF, and members writing comments, until `until` is set."""
    reads = [
        "/sessions/2025/2/",
        "/resolutions/",
        "/search/?q=" + urllib.parse.quote("ميزانية"),
        "/sessions/2025/2/minutes.pdf",
    ]

    def reader(number: int) -> None:
        visitor = Visitor(base)
        n = number
        while not until.is_set():
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
        visitor.sign_in(*MEMBER)
        visitor.get(f"/members/sessions/{review}/")
        n = 0
        while not until.is_set():
            text = f"ملاحظة {number}-{n}"
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
def running(tmp_path_factory):
    # Every /verify/ of the test comes from one address: more checks a minute than a visitor gets.
    with cluster(tmp_path_factory.mktemp("cluster"), VERIFICATIONS_PER_MINUTE="1000") as made:
        made.seed = seed_board(made, burst=BURST)
        yield made


def authentic(visitor: Visitor, pdf: bytes) -> bool:
    visitor.get("/verify/")
    status, page = visitor.post_file("/verify/", "minutes.pdf", pdf)
    return status == 200 and b"verdict-authentic" in page


def test_a_published_pdf_is_the_same_through_either_server_and_verifies(running):
    downloads = [Visitor(server.url).get("/sessions/2025/2/minutes.pdf") for server in running.servers]
    balanced = Visitor(running.url)

    assert [status for status, _ in downloads] == [200, 200]
    assert downloads[0][1] == downloads[1][1]
    assert downloads[0][1].startswith(b"%PDF")
    assert authentic(balanced, downloads[0][1])


def test_a_server_stopped_under_load_loses_no_request_but_those_in_flight_and_signs_nothing_twice(running):
    record: list[Request] = []
    until = threading.Event()
    threads = load(running.url, running.seed["review"], until, record)
    time.sleep(2)
    ask_signatures(running, running.seed["approved"])
    time.sleep(3)
    stopping = time.monotonic()
    stopped = running.stop(running.servers[0])  # when its gunicorn had stopped; its worker after
    time.sleep(6)
    until.set()
    for thread in threads:
        thread.join(timeout=60)
    # The burst's signatures: the remaining server's worker takes what the stopped one left.
    deadline = time.monotonic() + 240
    while True:
        outcome = jobs_outcome(running, running.seed["approved"])
        if all(job["status"] in {"done", "failed"} for job in outcome["jobs"]) or time.monotonic() > deadline:
            break
        time.sleep(2)

    failed = [r for r in record if r.status is None or not 200 <= r.status < 400]
    in_flight = [r for r in record if r.started <= stopped and r.ended >= stopping]
    print(
        f"\n{len(record)} requests through the load balancer, {len(failed)} failed, "
        f"{len(in_flight)} in flight while app1's gunicorn stopped ({stopped - stopping:.2f} s)"
    )
    for request in failed:
        print(f"  failed: {request.kind} {request.status} at +{request.started - stopping:.2f} s")
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
    ordinals = running.shell(PUBLISH_SIGNED.format(approved=running.seed["approved"])).split()
    visitor = Visitor(running.url)
    assert len(ordinals) == BURST
    for ordinal in ordinals:
        status, pdf = visitor.get(f"/sessions/2025/{ordinal}/minutes.pdf")
        assert status == 200 and authentic(visitor, pdf), ordinal
