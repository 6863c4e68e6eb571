"""Who the current request acts for, for the duties' log (`meetings.models.duties.acting_user`)."""

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
