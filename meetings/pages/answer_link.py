"""The answer to a convocation by the personal link its message carries (meetings.convocation.links): the
session's facts, the agenda, the member's answer and the form to give or change it. Nothing else of the
session: the link answers the convocation, it opens no draft and no document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..convocation import answers
from ..convocation.links import LinkRefused, open_link
from ..models import Answer
from .forms import AnswerForm


def _personal(response: HttpResponse) -> HttpResponse:
    """The address holds the member's link: no page it leads to learns more than the site (the referrer),
    no index keeps it."""
    response["Referrer-Policy"] = (
        "strict-origin"  # the origin alone: a form still posts (Origin: null is refused)
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    return _personal(_answer_by_link(request, token))


def _answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        session, member = open_link(token)
    except LinkRefused as refusal:
        return render(request, "meetings/answer_link.html", {"refused": refusal.message}, status=403)
    candidates = answers.proxy_candidates(session, member)
    form = None
    if answers.takes_answers(session):
        form = AnswerForm(
            request.POST or None,
            initial=answers.initial_answer(session, member),
            candidates=candidates,
            agenda=list(session.agenda_items.all()),
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            answers.answer(session, member, **answers.given(form.cleaned_data), channel=Answer.Channel.LINK)
        except ValidationError as refusal:
            if not hasattr(refusal, "error_dict"):  # about the session, not a field
                messages.error(request, " ".join(refusal.messages))
                return redirect(request.path)
            for field, errors in refusal.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Your answer is recorded; you can change it until the session opens.")
            )
            return redirect(request.path)
    elif request.method == "POST" and form is None:
        messages.error(request, _("The session has opened: answers are closed."))
        return redirect(request.path)
    context = {
        "session": session,
        "member": member,
        "my_answer": session.answers.select_related("proxy").filter(member=member).first(),
        "answer_form": form,
        "proxies_held": answers.proxies_held(session, member),
    }
    return render(request, "meetings/answer_link.html", context, status=400 if form and form.errors else 200)
