"""A database outage under load, in one run: what the readers get while PostgreSQL is down, how soon the
site answers again, and whether the worker goes on by itself and delivers what was queued, once.

    .venv/bin/python benchmarks/outage.py [--seconds-down 60] [--clients 4] [--short]

It starts a PostgreSQL of its own, gunicorn (3 processes) and the task queue's worker in production mode
(DEBUG=0), under a temporary folder. `--clients` concurrent clients ask for the home page and /health/
(closed loop) for the whole run. A message is queued to fall due during the outage; PostgreSQL is
stopped for `--seconds-down`, then started again. `--short` (the tests' run): 2 clients, an outage of 8 s,
a second before and after it instead of five.
"""

import argparse
import collections
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.processes import PROJECT, background, environment, free_port, manage, postgresql, until  # noqa: E402


def ask(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-down", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--short", action="store_true", help="2 clients, 8 s down, 1 s before and after")
    options = parser.parse_args()
    calm = 1 if options.short else 5  # seconds of load before the outage, and after the delivery
    if options.short:
        options.seconds_down, options.clients = 8, 2
    folder = Path(tempfile.mkdtemp(prefix="entraide-outage-"))
    mail = folder / "mail"
    port = free_port()
    with postgresql(folder) as database:
        env = {
            "DATABASE_URL": database.url,
            "EMAIL_URL": f"file://{mail}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "3",
            "MEDIA_ROOT": str(folder / "media"),
        }
        assert manage("migrate", "--noinput", **env).returncode == 0
        python = sys.executable
        gunicorn = [python, "-m", "gunicorn", "-c", "python:entraide.gunicorn", "entraide.wsgi"]
        with (
            background(gunicorn, folder / "web.log", env=environment(**env), cwd=PROJECT) as web,
            background(
                [python, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
                folder / "worker.log",
                env=environment(**env),
            ) as worker,
        ):
            base = f"http://127.0.0.1:{port}"
            until(lambda: ask(f"{base}/health/") == 200, 60, "gunicorn did not start")
            # Due halfway through the outage, which starts `calm` seconds from now.
            done = manage(
                "shell", "-v", "0", "-c",
                "from tests import worker_board; "
                f"print(worker_board.queue_a_message(due_in_seconds={calm + options.seconds_down / 2}))",
                **env,
            )  # fmt: skip
            message = done.stdout.strip().splitlines()[-1]
            answers: list[tuple[float, int]] = []
            running = True

            def client(n: int) -> None:
                path = "/" if n % 2 else "/health/"
                while running:
                    answers.append((time.monotonic(), ask(base + path)))

            threads = [threading.Thread(target=client, args=(n,)) for n in range(options.clients)]
            for thread in threads:
                thread.start()
            time.sleep(calm)
            stopped = time.monotonic()
            database.stop()
            time.sleep(options.seconds_down)
            database.start()
            started = time.monotonic()
            back = until(
                lambda: next((t for t, status in answers if t > started and status == 200), None),
                120,
                "no 200",
            )
            until(lambda: list(mail.glob("*")), 120, "the message was not delivered")
            delivered = time.monotonic()
            time.sleep(calm)
            running = False
            for thread in threads:
                thread.join()
            sent = manage(
                "shell", "-v", "0", "-c", f"from tests import worker_board; print(worker_board.message_status({message}))", **env
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            alive = web.poll() is None and worker.poll() is None
        log = (folder / "worker.log").read_text()
    down = [status for t, status in answers if stopped <= t <= started]
    before = [status for t, status in answers if t < stopped]
    print(f"PostgreSQL stopped for {options.seconds_down:.0f} s under {options.clients} clients")
    print(f"  before: {len(before)} answers, {dict(collections.Counter(before))}")
    print(f"  while down: {len(down)} answers, {dict(collections.Counter(down))} (0: no answer)")
    print(
        f"  first 200 after the restart: {back - started:.1f} s; gunicorn and the worker still running: {alive}"
    )
    print(f"  message due during the outage delivered {delivered - started:.1f} s after the restart: {sent}")
    print(
        f"  mail files: {len(list(mail.glob('*')))}; the worker logged the outage {log.count('does not answer')} time(s)"
    )


if __name__ == "__main__":
    main()
