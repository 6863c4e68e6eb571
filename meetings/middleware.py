"""Who the current request acts for, for the duties' log (`meetings.models.duties.acting_user`); the
Content-Security-Policy of the pages."""

from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse

from .models.duties import acting_user


def acting_user_middleware(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        token = acting_user.set(user)
        try:
            return get_response(request)
        finally:
            acting_user.reset(token)

    return middleware


class PagesCSPMiddleware(CSPMiddleware):
    """The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on HTML pages, where it guards
    against injected scripts and styles; a PDF, a CSV or a calendar carries none (a browser's PDF viewer
    may refuse to show a file under a policy meant for pages)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
