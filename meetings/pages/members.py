"""Member pages: a board member reads the sessions of their boards, comments on draft minutes, approves.

Access is checked in one place, `_member_session`: a session of a board the user does not sit on is a
404, exactly like one that does not exist. Nobody edits the record here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts import second_factor
from ..accounts.middleware import account_of
from ..convocation import answers, awaiting, pack, written
from ..minutes import lifecycle
from ..models import Answer, Document, Member, Membership, Session, WrittenVote, role_label
from ..models.duties import DutyRefused
from ..models.record import record_fingerprint
from .forms import AnswerForm, ApprovalForm, CommentForm


def _member(request: HttpRequest) -> Member:
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404
    return member


def _seated(member: Member) -> Exists:
    """Whether the member had a seat on the session's board on its date: the sessions a member reads, upcoming
    ones included while the seat lasts. A former member no longer reads the drafts of the sessions after
    their term, nor a new member those of before theirs: the public pages show what was published."""
    return Exists(
        Membership.objects.filter(member=member, board=OuterRef("board")).valid_on(OuterRef("date"))
    )


def _member_sessions(member: Member):
    return Session.objects.filter(_seated(member)).select_related("board", "chair")


def _member_session(request: HttpRequest, pk: int) -> tuple[Member, Session]:
    """One of the member's sessions, with all its record shows (and its fingerprint reads) prefetched."""
    member = _member(request)
    queryset = (
        Session.objects.with_record()
        .filter(_seated(member))
        .prefetch_related(
            Prefetch("documents", Document.objects.select_related("agenda_item")),
            Prefetch("answers", Answer.objects.select_related("member", "proxy")),
        )
    )
    return member, get_object_or_404(queryset, pk=pk)


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        # Signed in, but not as a board member (the secretariat, say): say so rather than a bare 404.
        return render(request, "meetings/members/not_a_member.html", status=403)
    sessions = awaiting.with_what_awaits(_member_sessions(member), member)
    sessions = sessions.prefetch_related("minutes_versions").order_by("-date")
    return render(request, "meetings/members/session_list.html", {"member": member, "sessions": sessions})


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member, session = _member_session(request, pk)
    minutes = session.current_minutes()
    form = (
        CommentForm(agenda_items=list(session.agenda_items.all()), on_item=request.GET.get("item"))
        if lifecycle.takes_comments(minutes)
        else None
    )
    return render(
        request,
        "meetings/members/session_detail.html",
        _detail_context(request, member, session, minutes, form),
    )


def _detail_context(request, member, session, minutes, form, answer_form=None) -> dict:
    shows_record = lifecycle.member_reads_record(minutes)
    quorum = None
    if minutes is not None and minutes.is_signed:
        quorum, shown = minutes.signed_quorum(), minutes.signed_session()  # as the signed PDF says it
    else:
        shown = session
        if shows_record:
            quorum = session.quorum()
    role = lifecycle.may_approve_now(minutes, session, request.user)
    return {
        "member": member,
        "session": shown,
        "documents": session.documents.all(),
        "minutes": minutes,
        "shows_record": shows_record,
        "quorum": quorum,
        "form": form,
        # The president and the rapporteur read every comment and its answer before they approve.
        "comments": _comments_shown(minutes, member, session, request.user),
        **_answer_context(session, member, answer_form),
        "proxies_held": answers.proxies_held(session, member),
        "approval_role": role,
        "approval_role_label": role_label(role, member.gender) if role else "",
        # The approval's own second factor: a code of the app, or the passkey's button (step-up).
        "approval_passkey": role is not None and second_factor.has_passkey(request),
        "approvals": minutes.valid_approvals(record_fingerprint(session)) if shows_record else {},
        **_written_context(request, member, session),
    }


def _written_context(request: HttpRequest, member: Member, session: Session) -> dict:
    """A written consultation's: the member's answer, or whether they may give it now (and with what)."""
    if session.kind != Session.Kind.WRITTEN:
        return {}
    votes = list(session.written_votes.all())
    voter = any(seat.member_id == member.pk for seat in session.voting_memberships())
    takes = session.takes_written_answers() and voter
    return {
        "written": True,
        "written_vote": next((v for v in votes if v.member_id == member.pk), None),
        "written_takes_answer": takes,
        "written_choices": WrittenVote.Choice.choices,
        "written_enrolled": takes and bool(second_factor.enrolled(request.user)),
        "written_passkey": takes and second_factor.has_passkey(request),
        "written_signs": takes and written.signs_answers(member),
        "written_answered": len(votes),
        "written_voters": len(session.voting_memberships()),
    }


def _comments_shown(minutes, member: Member, session: Session, user) -> list:
    if minutes is None:
        return []
    comments = minutes.comments.select_related("agenda_item", "member")
    if lifecycle.approving_role(session, user) is None:
        comments = comments.filter(member=member)
    return list(comments)


def _answer_context(session: Session, member: Member, form: AnswerForm | None) -> dict:
    """The member's answer to the convocation, and the form to give or change it while answers are open."""
    given = next((a for a in session.answers.all() if a.member_id == member.pk), None)
    if not answers.takes_answers(session):
        return {"my_answer": given, "answer_form": None}
    if form is None:
        form = AnswerForm(
            initial=answers.initial_answer(session, member),
            candidates=answers.proxy_candidates(session, member),
            agenda=list(session.agenda_items.all()),
        )
    return {"my_answer": given, "answer_form": form}


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    member, session = _member_session(request, pk)
    form = AnswerForm(
        request.POST,
        candidates=answers.proxy_candidates(session, member),
        agenda=list(session.agenda_items.all()),
    )
    if form.is_valid():
        try:
            answers.answer(session, member, **answers.given(form.cleaned_data))
        except ValidationError as refusal:
            if not hasattr(refusal, "error_dict"):  # about the session or the member, not a field
                messages.error(request, " ".join(refusal.messages))
                return redirect("meetings:member_session", pk=session.pk)
            for field, errors in refusal.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Your answer is recorded; you can change it until the session opens.")
            )
            return redirect("meetings:member_session", pk=session.pk)
    minutes = session.current_minutes()
    context = _detail_context(request, member, session, minutes, None, answer_form=form)
    return render(request, "meetings/members/session_detail.html", context, status=400)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a member seated on the session's date reaches its page (_member_sessions), and so comments.
    member, session = _member_session(request, pk)
    minutes = session.current_minutes()
    if not lifecycle.takes_comments(minutes):
        messages.error(request, _("Comments are taken while the minutes are in review."))
        return redirect("meetings:member_session", pk=session.pk)
    form = CommentForm(request.POST, agenda_items=list(session.agenda_items.all()))
    if not form.is_valid():
        context = _detail_context(request, member, session, minutes, form)
        return render(request, "meetings/members/session_detail.html", context, status=400)
    note = form.save(commit=False)
    note.minutes, note.member = minutes, member
    note.save()
    messages.success(request, _("Your comment was sent to the secretariat."))
    return redirect("meetings:member_session", pk=session.pk)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The approval, with its confirmation and the second factor given for it. A refusal is said on the
    session's page; a crafted approval by someone who holds no approving seat is a 403 that says why."""
    # Not unpacked into `_`: that name is gettext here.
    session = _member_session(request, pk)[1]
    minutes = session.current_minutes()
    if minutes is None:
        raise Http404
    form = ApprovalForm(request.POST)
    role = lifecycle.may_approve_now(minutes, session, account_of(request))
    try:
        if role is not None:
            form.is_valid()
            if "confirm" in form.errors:  # the record read first, then the second factor, then the PIN
                raise ValidationError(form.errors["confirm"].as_data())
            factor = second_factor.step_up(request, form.cleaned_data.get("code", ""))
            if "pin" in form.errors:
                raise ValidationError(form.errors["pin"].as_data())
        else:
            factor = None  # refused by the lifecycle, which says why (its state, or who asks)
        lifecycle.approve(minutes, by=account_of(request), factor=factor, pin=form.data.get("pin", ""))
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    except DutyRefused as refusal:
        if role is None:  # who holds no approving seat: the 403 page says why
            raise
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Your signature is on the minutes: your approval is recorded."))
    return redirect("meetings:member_session", pk=session.pk)


@login_required
@require_POST
def written_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's answer to a written consultation, given with their second factor (step-up)."""
    member, session = _member_session(request, pk)
    choice = request.POST.get("choice", "")
    try:
        if choice not in WrittenVote.Choice.values:
            raise ValidationError(_("Choose your answer: for, against or abstaining."))
        factor = second_factor.step_up(
            request,
            request.POST.get("code", ""),
            refusal=_(
                "Type the code your authenticator app shows now, or use your passkey, to give this answer."
            ),
        )
        pin = request.POST.get("pin", "")
        written.answer(session, member, choice=choice, by=account_of(request), factor=factor, pin=pin)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Your answer is recorded. It is final."))
    return redirect("meetings:member_session", pk=session.pk)


@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    """A session document, to members of the session's board only (media files are never served directly)."""
    member = _member(request)
    found = get_object_or_404(Document.objects.filter(session__in=_member_sessions(member)), pk=pk)
    return FileResponse(found.file.open("rb"), content_type="application/pdf", filename=f"{found.title}.pdf")


@login_required
def board_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's convocation and documents in one PDF, to the members who read its documents."""
    member = _member(request)
    sessions = _member_sessions(member).prefetch_related(
        "agenda_items", Prefetch("documents", Document.objects.select_related("agenda_item"))
    )
    return pack.pack_response(get_object_or_404(sessions, pk=pk))
