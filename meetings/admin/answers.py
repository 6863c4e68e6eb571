"""The answers to a convocation on the session's admin page, and those the secretariat records: an answer
given by phone, by letter or in person is recorded with how it came and by whom (the duties' log keeps it).

Once the session has opened, the page shows the answers as they were given and leaves the counting to the
attendance: no «no answer yet» for a session that was held, no quorum expected of it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..accounts.middleware import account_of
from ..convocation import answers, convening
from ..models import Answer, Member, Session
from ..models.messages import ANSWER_SUMMARIES, expected_quorum


def _how(answer: Answer) -> str:
    """How an answer came, and who recorded it when the secretariat did."""
    if answer.recorded_by is None:
        return answer.get_channel_display()
    return _("%(channel)s, recorded by %(user)s") % {
        "channel": answer.get_channel_display(),
        "user": answer.recorded_by.get_full_name() or answer.recorded_by.get_username(),
    }


def answers_summary(session: Session) -> str:
    """Who answered what and how, who has not answered yet (with a link to record their answer while
    answers are open), and the quorum the answers announce; once the attendance is recorded, only the
    answers that were given: the attendance is the record."""
    given = {a.member_id: a for a in session.answers.select_related("proxy", "recorded_by")}
    open_ = answers.takes_answers(session)
    held = session.attendances.exists()
    record = reverse("admin:meetings_session_record_answer", args=[session.pk])
    rows = []
    for seat in convening.convened_seats(session):
        answer = given.get(seat.member_id)
        if answer is None and held:
            continue
        rows.append(
            (
                seat.member.name,
                answer.summary() if answer else _("no answer yet"),
                _how(answer) if answer else "",
                format_html('<a href="{}?member={}">{}</a>', record, seat.member_id, _("record an answer"))
                if open_
                else "",
            )
        )
    table = format_html_join("", "<tr><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    if held:
        if not rows:
            return _("No answer was given before the session: the attendance is the record of who came.")
        return format_html(
            '<div id="answers"><table>{}</table><p>{}</p></div>',
            table,
            _("The attendance is recorded: it is the record of who came."),
        )
    quorum = expected_quorum(session, list(given.values()))
    summary = _(
        "Expected: %(counted)d of %(total)d voting members present or represented; %(required)d required."
    ) % {"counted": quorum.counted, "total": quorum.voting_members, "required": quorum.required}
    return format_html('<div id="answers"><table>{}</table><p><strong>{}</strong></p></div>', table, summary)


class RecordedAnswerForm(forms.Form):
    """An answer that reached the secretariat: whose, what, and how it came."""

    member = forms.ModelChoiceField(label=gettext_lazy("member"), queryset=Member.objects.none())
    choice = forms.ChoiceField(
        label=gettext_lazy("answer"),
        choices=list(ANSWER_SUMMARIES.items()),
        widget=forms.RadioSelect,
    )
    proxy = forms.ModelChoiceField(
        label=gettext_lazy("proxy given to"), queryset=Member.objects.none(), required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("answered by"), choices=Answer.Channel.recorded(), widget=forms.RadioSelect
    )

    def __init__(self, *args, session: Session, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        seats = convening.convened_seats(session)
        self.fields["member"].queryset = Member.objects.filter(pk__in=[s.member_id for s in seats])  # type: ignore[attr-defined]
        self.fields["proxy"].queryset = Member.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.member_id for s in seats if s.has_vote]
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("choice") == Answer.Choice.PROXY and not data.get("proxy"):
            self.add_error("proxy", _("Choose the member who holds the proxy."))
        return data


def recorded_answer_page(model_admin, request: HttpRequest, session: Session) -> HttpResponse:
    """The form to record an answer; refused answers say why on the form and lose nothing typed."""
    form = RecordedAnswerForm(
        request.POST or None, session=session, initial={"member": request.GET.get("member")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            answer = answers.answer(
                session,
                data["member"],
                choice=data["choice"],
                proxy=data["proxy"],
                channel=data["channel"],
                by=account_of(request),
            )
        except ValidationError as refusal:
            for field, errors in getattr(refusal, "error_dict", {None: refusal.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Answer of %(name)s recorded: %(answer)s (%(channel)s).")
                % {
                    "name": answer.member.name,
                    "answer": answer.summary(),
                    "channel": answer.get_channel_display(),
                },
            )
            return HttpResponseRedirect(
                reverse("admin:meetings_session_change", args=[session.pk]) + "#answers"
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": session,
        "title": _("Record an answer to the convocation"),
        "form": form,
        "takes_answers": answers.takes_answers(session),
    }
    return TemplateResponse(request, "admin/meetings/session/record_answer.html", context)
