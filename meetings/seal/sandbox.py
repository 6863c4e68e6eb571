"""Hostile input handled in a process of its own, forked from a server that imported what it needs once.

A request is a child of the server: it caps its own memory (RLIMIT_AS) and time (an alarm), reads the
request, answers one line of JSON and ends, so that a crafted input costs a few seconds of one child at
most, never the memory or the life of the process that asked. Forking from a warm server starts a child
in milliseconds, where a new interpreter took a third of a second importing pyHanko.

The server is `python -m MODULE SOCKET`, where MODULE calls `serve` with its handler. It is started by
the first request of each process that asks (`Sandbox.ask`), listens on a Unix socket in a folder of its
own (mode 0700), runs single-threaded (so that forking it is safe), and ends when its parent does: its
standard input, the parent's pipe, closes.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# Where `python -m meetings.…` is found: the folder that holds the `meetings` package.
_PROJECT = Path(__file__).resolve().parents[2]

Handler = Callable[[dict, bytes], dict]


class SandboxTimeout(Exception):
    """No answer within the time given."""


class Sandbox:
    """The requests of this process, each in a child of the server `python -m module`."""

    def __init__(self, module: str) -> None:
        self.module = module
        self._lock = threading.Lock()
        self._server: subprocess.Popen | None = None
        self._socket = ""

    def ask(self, header: dict, payload: bytes, *, timeout: float) -> dict | None:
        """The handler's answer to `header` and `payload`, or None when its child died without answering
        (the memory cap, a crash); SandboxTimeout past `timeout` seconds (the child is ended soon after
        by its own alarm)."""
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(self._listening())
            try:
                connection.sendall(json.dumps(header | {"timeout": timeout}).encode() + b"\n" + payload)
                connection.shutdown(socket.SHUT_WR)
                answer = b""
                while chunk := connection.recv(65536):
                    answer += chunk
                    connection.settimeout(max(0.001, deadline - time.monotonic()))
            except TimeoutError as exc:
                raise SandboxTimeout(f"no answer within {timeout} s") from exc
            except (BrokenPipeError, ConnectionResetError):
                return None  # the child died while reading: its memory cap, most likely
        return json.loads(answer) if answer else None

    def _listening(self) -> str:
        """The server's socket, the server started (again, if it ended) first."""
        with self._lock:
            if self._server is None or self._server.poll() is not None:
                folder = tempfile.mkdtemp(prefix="entraide-sandbox-")  # mode 0700
                self._socket = os.path.join(folder, "socket")
                self._server = subprocess.Popen(
                    [sys.executable, "-m", self.module, self._socket],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    cwd=_PROJECT,
                )
                assert self._server.stdout is not None
                self._server.stdout.readline()  # "listening", once the socket accepts
            return self._socket


def serve(path: str, handle: Handler, *, memory_bytes: int) -> None:
    """The server's loop: a child forked for each connection on the socket at `path`, until the parent's
    pipe (standard input) closes."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    # Nobody reads the pipe any more: whatever a child would print there must not fill it and stop it.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    try:
        while True:
            for key, _events in selector.select():
                if key.fileobj is sys.stdin:
                    return  # the parent ended (or closed its end): so does the server
                connection, _address = listener.accept()
                if os.fork() == 0:
                    _child(listener, connection, handle, memory_bytes)
                connection.close()
    finally:
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def _child(listener: socket.socket, connection: socket.socket, handle: Handler, memory_bytes: int) -> None:
    """A forked child answers its request and ends, whatever happens: it never returns to the loop."""
    status = 0
    try:
        listener.close()
        _answer(connection, handle, memory_bytes)
    except BrokenPipeError:
        status = 1  # the asker gave up waiting: nobody to answer
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        os._exit(status)


def _answer(connection: socket.socket, handle: Handler, memory_bytes: int) -> None:
    """Its limits first, then the request, the handler's answer, and nothing more."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with connection, connection.makefile("rb") as request:
        header = json.loads(request.readline())
        signal.alarm(int(header["timeout"]) + 2)  # past the asker's own deadline: it has given up
        answer = handle(header, request.read())
        connection.sendall(json.dumps(answer).encode())
