"""gunicorn's settings for the board app, read with `gunicorn -c python:entraide.gunicorn entraide.wsgi`.

Each is read from the environment, with gunicorn's own variable names where it has one."""

import os

import gunicorn.http.wsgi

# No «Server: gunicorn/…» banner telling an attacker which server and version to aim at: gunicorn always
# sends the header, here empty.
gunicorn.http.wsgi.SERVER = ""

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# No request does long work (rendering and signing run in the task queue): one that takes longer than
# this is stuck, and its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The access log on stdout, each line with the request's id that the application logs with (stderr).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
