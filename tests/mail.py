"""A real SMTP server for the tests (aiosmtpd on loopback), what arrived parsed back, and the task queue's
real worker run until nothing is ready."""

import email
import email.policy
import io
import json
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import icalendar
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from meetings.management.commands.db_worker import EnduringWorker
from tests.processes import free_port


@dataclass
class Inbox:
    """What the SMTP server accepted: (envelope recipients, the parsed message), in arrival order."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]

    def one_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert len(found) == 1, f"{len(found)} messages to {address}"
        return found[0]


class MailServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def work_the_queue() -> None:
    """The worker of `make run` and production (`manage.py db_worker`), until no task is ready."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, stdout=io.StringIO())


def run_the_tasks(name: str) -> None:
    """The ready tasks of function `name` (its module's path), each run by the worker's own `run_task`
    inside the test's transaction: where a test needs what a task writes, not the worker's loop (which
    `work_the_queue` runs, in transactional tests)."""
    worker = EnduringWorker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="tests", excluded_queue_names=[],
    )  # fmt: skip
    for result in DBTaskResult.objects.ready().filter(task_path=name):
        result.claim(worker.worker_id)
        worker.run_task(result)


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_part(message: EmailMessage) -> tuple[str, icalendar.Calendar]:
    """The invitation as a calendar reads it: the part's METHOD parameter, and the calendar parsed."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"{len(parts)} calendar parts"
    return parts[0].get_param("method"), icalendar.Calendar.from_ical(parts[0].get_content())


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it: Django folds a long encoded subject onto the header's next
    line, and the parser keeps that fold's leading space, which clients drop."""
    return str(message["Subject"]).strip()


CALENDAR_READER = Path(__file__).with_name("calendar_reader.mjs")


def calendar_app_reading(invitation: EmailMessage | str) -> dict:
    """A message's invitation (or an iCalendar text) as Mozilla Thunderbird's calendar library (ical.js,
    from npm) reads it: the method, and each event with its start and end in UTC, worked out from the
    VTIMEZONE the calendar carries."""
    if isinstance(invitation, EmailMessage):
        (part,) = [part for part in invitation.walk() if part.get_content_type() == "text/calendar"]
        invitation = part.get_content()
    result = subprocess.run(
        ["node", str(CALENDAR_READER)],
        input=invitation,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
