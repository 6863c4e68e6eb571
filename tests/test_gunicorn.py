"""The application served by gunicorn with its settings (entraide/gunicorn.py), as in production."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import PROJECT, environment

pytestmark = pytest.mark.slow  # a gunicorn server (make test-all)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_banner_and_logs_each_request_with_its_id(tmp_path: Path):
    port = free_port()
    env = environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:entraide.gunicorn", "entraide.wsgi"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = None
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/health/", headers={"X-Request-ID": "lb-probe-1"}
                )
                response = urllib.request.urlopen(request, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        assert response is not None, "gunicorn did not answer"
        assert response.status == 200
        assert response.headers.get("Server", "") == ""
        assert response.headers["X-Request-ID"] == "lb-probe-1"
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert '"GET /health/ HTTP/1.1" 200' in out
    assert "request_id=lb-probe-1" in out
