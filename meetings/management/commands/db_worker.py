"""django-tasks' database worker (`manage.py db_worker`, same options), which outlives the database.

The package's worker exits on the first connection error: a PostgreSQL restart, a failover, a network
blip, and no message, preview, signature or renewal runs until someone restarts it. This one waits
instead: it logs the outage once, tries again after 1, 2, 4… seconds (at most WAIT_AT_MOST apart), logs
when the database answers again and goes on. A task it was running when the connection went is put back
in the queue, to run again (each task here may run twice: a message is sent once, `deliver` finding it
sent; a signature is made once, `lifecycle.sign` finding the minutes signed). It still stops as the
package's does on SIGINT or SIGTERM, and on any other error, for its supervisor to restart
(docs/production.md).

This command takes the package's name: `meetings` comes before `django_tasks_db` in INSTALLED_APPS.
"""

import logging
import os
import time

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("meetings.worker")

CONNECTION_ERRORS = (OperationalError, InterfaceError)
WAIT_FIRST = 1.0
WAIT_AT_MOST = 30.0
# The package's options that its Worker takes as they are.
WORKER_OPTIONS = ["interval", "backend_name", "startup_delay", "max_tasks", "worker_id"]


class EnduringWorker(db_worker.Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_running: DBTaskResult | None = None

    def run(self) -> None:
        while self.running:
            try:
                return super().run()
            except CONNECTION_ERRORS as error:
                self.wait_for_the_database(error)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.task_running = db_task_result
        try:
            super().run_task(db_task_result)
        finally:
            self.task_running = None

    def wait_for_the_database(self, error: Exception) -> None:
        """Once per outage: say it, wait for the database, say it is back, requeue the interrupted task."""
        interrupted = self.task_running
        self.task_running = None
        began = time.monotonic()
        logger.error("The database does not answer (%s): the worker waits for it.", str(error).strip())
        pause = WAIT_FIRST
        while self.running:
            self.sleep(pause)
            connections.close_all()  # the broken ones: the next query opens a new connection
            try:
                DBTaskResult.objects.exists()  # the queue's own table, where the worker will look next
            except CONNECTION_ERRORS:
                pause = min(pause * 2, WAIT_AT_MOST)
                continue
            break
        else:
            return
        logger.warning(
            "The database answers again after %.0f s: the worker goes on.", time.monotonic() - began
        )
        if interrupted is not None:
            self.requeue(interrupted)

    @staticmethod
    def requeue(task: DBTaskResult) -> None:
        try:
            requeued = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY
            )
        except DatabaseError:
            logger.exception("The task %s, interrupted by the outage, could not be put back.", task.pk)
            return
        if requeued:
            logger.warning("The task %s, interrupted by the outage, is back in the queue.", task.pk)

    def sleep(self, seconds: float) -> None:
        """Wait, but stop waiting at once on SIGINT or SIGTERM."""
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))


class Command(db_worker.Command):
    help = db_worker.Command.help + " Waits for the database when it does not answer, instead of exiting."

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, batch, **options) -> None:
        """The package's, with EnduringWorker for its worker."""
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = EnduringWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            batch=batch,
            **{name: options[name] for name in WORKER_OPTIONS},
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # the child process, which runs the worker
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
