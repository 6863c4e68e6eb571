"""What guards the pages in the browser: their Content-Security-Policy (django-csp), on HTML only."""

from csp.middleware import CSPMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class PagesCSPMiddleware(CSPMiddleware):
    """The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on HTML pages, where it guards
    against injected scripts and styles; a PDF, a CSV or a calendar carries none (a browser's PDF viewer
    may refuse to show a file under a policy meant for pages)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
