"""The task queue's worker outlives a database outage (meetings' `db_worker`): PostgreSQL stopped under
it and started again, it waits, logs the outage once, goes on by itself, and the message queued before
the outage, due during it, is delivered once."""

import re
import sys
import time

import pytest

from tests.processes import background, environment, manage, postgresql, until

pytestmark = pytest.mark.slow  # a PostgreSQL server and a worker of its own (make test-all)

SECONDS_DOWN = 8


def shell(code: str, **env: str) -> str:
    done = manage("shell", "-v", "0", "-c", f"from tests import worker_board; print({code})", **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_worker_waits_out_an_outage_and_delivers_what_was_queued_once(tmp_path):
    mail = tmp_path / "mail"
    with postgresql(tmp_path) as database:
        env = {"DATABASE_URL": database.url, "EMAIL_URL": f"file://{mail}"}
        assert manage("migrate", "--noinput", **env).returncode == 0
        message = shell("worker_board.queue_a_message(due_in_seconds=3)", **env)
        log = tmp_path / "worker.log"
        command = [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-reload"]
        with background(command, log, env=environment(**env)) as worker:
            until(lambda: "Starting worker" in log.read_text(), 30, lambda: log.read_text())

            database.stop()  # before the message is due
            until(lambda: "does not answer" in log.read_text(), 30, lambda: log.read_text())
            time.sleep(SECONDS_DOWN)  # the outage: the message falls due meanwhile
            alive_during_the_outage = worker.poll() is None
            database.start()

            until(lambda: list(mail.glob("*")), 60, lambda: log.read_text())
            sent = shell(f"worker_board.message_status({message})", **env)
            alive_after = worker.poll() is None
        said = log.read_text()

    assert alive_during_the_outage and alive_after
    assert sent == "sent 1"
    assert len(list(mail.glob("*"))) == 1  # delivered once
    assert len(re.findall("does not answer", said)) == 1  # logged once per outage
    assert "answers again" in said
