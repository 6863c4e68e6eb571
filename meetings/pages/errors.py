"""The pages said when a request is refused or fails: the server's error (handler500), the sign-in locked
after too many failures (django-axes), a form sent without its security token (CSRF)."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, once it has logged the error with its traceback: a database that does not
    answer is an outage, told as one (503, «try again in a minute», in the page's language); anything
    else is a server error (500). Neither page reads the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a sign-in past the failures allowed (AXES_LOCKOUT_CALLABLE): the page in the
    reader's language, 429, and when to try again (Retry-After: the cool-off)."""
    response = render(request, "locked_out.html", status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (CSRF_FAILURE_VIEW), most often from a page left open too
    long or with cookies refused: said in the reader's language, under the site's CSP."""
    return render(request, "403_csrf.html", status=403)
