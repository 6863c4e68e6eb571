"""Plain factory helpers: each makes one row with sensible defaults, overridable by keyword."""

import datetime
import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from decisions.models import FollowUp, Resolution
from meetings.accounts.second_factor import GivenFactor
from meetings.minutes import lifecycle
from meetings.minutes.pdf import render_minutes_pdf
from meetings.models import AgendaItem, Attendance, Board, Member, Membership, Minutes, Session
from meetings.seal import demo_pki

_counter = itertools.count(1)

TERM_START = datetime.date(2024, 1, 1)


def board(**fields) -> Board:
    n = next(_counter)
    defaults = {"name_ar": f"المجلس الإداري {n}", "name_fr": f"Conseil {n}", "is_home": True}
    return Board.objects.create(**{**defaults, **fields})


def member(**fields) -> Member:
    n = next(_counter)
    defaults = {"name_ar": f"العضو {n}", "name_fr": f"Membre {n}", "title_ar": "عضو المجلس الإداري"}
    return Member.objects.create(**{**defaults, **fields})


def seat(
    on: Board, role: str = Membership.Role.MEMBER, start=TERM_START, end=None, **member_fields
) -> Member:
    """A member with a seat on the board; returns the member. A president or a rapporteur is the demo
    person of that seat (`signer`: the name on their certificate, their credential at the signing
    service) unless the fields say otherwise: they sign the minutes they approve."""
    label = {Membership.Role.PRESIDENT: PRESIDENT_LABEL, Membership.Role.RAPPORTEUR: RAPPORTEUR_LABEL}.get(
        role
    )
    if label is not None:
        member_fields = {**signer(label), **member_fields}
    person = member(**member_fields)
    Membership.objects.create(board=on, member=person, role=role, start=start, end=end)
    return person


def session(on: Board, date=datetime.date(2025, 12, 18), ordinal: int = 2, **fields) -> Session:
    defaults = {"place": "الرباط", "is_public": True, "kind": Session.Kind.ORDINARY}
    return Session.objects.create(board=on, date=date, ordinal=ordinal, **{**defaults, **fields})


def attend(at: Session, who: Member, status=Attendance.Status.PRESENT, proxy=None) -> Attendance:
    return Attendance.objects.create(session=at, member=who, status=status, proxy=proxy)


def agenda_item(at: Session, position: int = 1, **fields) -> AgendaItem:
    defaults = {"title": f"نقطة {position}", "deliberation": "نص المداولات"}
    return AgendaItem.objects.create(session=at, position=position, **{**defaults, **fields})


def resolution(at: Session, sequence: int = 1, **fields) -> Resolution:
    defaults = {"title": f"قرار {sequence}", "text": "يقرر المجلس ما يلي.", "unanimous": True}
    return Resolution.objects.create(session=at, sequence=sequence, **{**defaults, **fields})


def follow_up(of: Resolution, at: Session, status=FollowUp.Status.IN_PROGRESS, **fields) -> FollowUp:
    return FollowUp.objects.create(resolution=of, session=at, status=status, **fields)


def secretariat_user(username: str = "secretary", password: str = "s3cret-pass!") -> User:
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="secretariat"))
    return user


def user_for(who: Member, username: str | None = None) -> User:
    """A login for a member (their account on the member pages)."""
    user = User.objects.create_user(username=username or f"member{who.pk}", password="m3mber-pass!")
    who.user = user
    who.save(update_fields=["user"])
    return user


def factor_of(user: User) -> GivenFactor:
    """The second factor `user` gives for an approval, now: their authenticator app (a real confirmed
    device of theirs, as tests/client.py's sign-in uses). The step-up itself, a code typed with the
    approval, is tested through its page (tests/test_approval_step_up.py)."""
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    app = app or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return GivenFactor(app, timezone.now())


def approve(minutes: Minutes, *, by: User, pin: str | None = None) -> Minutes:
    """`by`'s approval of `minutes`: their own signature, made by the tests' signing service with the PIN
    of the demo person they are (`signer`), and their second factor (`factor_of`); an account that had
    none is left without one, as the demo's loader leaves it (its person enrols their own at sign-in)."""
    had_one = TOTPDevice.objects.filter(user=by, confirmed=True).exists()
    factor = factor_of(by)
    try:
        return lifecycle.approve(minutes, by=by, factor=factor, pin=pin_of(by) if pin is None else pin)
    finally:
        if not had_one:
            factor.device.delete()


def pin_of(user: User) -> str:
    """The PIN of the demo person whose credential `user`'s member holds at the tests' signing service;
    empty for anyone else."""
    member = getattr(user, "member", None)
    person = demo_pki.PERSONS.get(member.signing_credential.partition("/")[2]) if member else None
    return person.pin if person else ""


# The persons of the demo PKI (meetings.seal.demo_pki.PERSONS), whose keys the tests' signing service holds.
PRESIDENT_LABEL, RAPPORTEUR_LABEL = "benyahia", "moujahidi"


def signer(label: str) -> dict:
    """A member's fields that make them the demo person `label`: their name, as their certificate bears
    it, and their credential at the signing service."""
    return {"name_ar": demo_pki.PERSONS[label].name, "signing_credential": demo_pki.credential_id(label)}


def approvers(of: Board) -> tuple[User, User]:
    """The users of the board's president and rapporteur, seated for the occasion if the board has none."""
    found = []
    for role in (Membership.Role.PRESIDENT, Membership.Role.RAPPORTEUR):
        seat_ = of.memberships.filter(role=role).select_related("member__user").first()
        person = seat_.member if seat_ else seat(of, role=role)
        found.append(person.user if person.user_id else user_for(person))
    return found[0], found[1]


def publish(what: Session, by: User | None = None) -> Minutes:
    """The session's minutes through the real lifecycle: draft, review, approvals, signature, publication."""
    secretary = (
        by or User.objects.filter(groups__name="secretariat").first() or secretariat_user(f"sec{what.pk}")
    )
    president, rapporteur = approvers(what.board)
    minutes = lifecycle.start_version(what, by=secretary)
    lifecycle.submit_for_review(minutes, by=secretary)
    approve(minutes, by=president)
    approve(minutes, by=rapporteur)
    minutes.refresh_from_db()
    lifecycle.sign(minutes, by=secretary)
    return lifecycle.publish(minutes, by=secretary)


def minutes_at(
    what: Session, state: str = Minutes.State.DRAFT, by: User | None = None, reason: str = ""
) -> Minutes:
    """A new version of the session's minutes taken to `state` through the real lifecycle (a correction
    after signature needs a `reason`). From `signed` on, this renders and signs a real PDF."""
    secretary = (
        by or User.objects.filter(groups__name="secretariat").first() or secretariat_user(f"sec{what.pk}")
    )
    steps = list(Minutes.State.values)  # draft, in_review, approved, signed, published
    minutes = lifecycle.start_version(what, by=secretary, reason=reason)
    if steps.index(state) >= steps.index(Minutes.State.IN_REVIEW):
        lifecycle.submit_for_review(minutes, by=secretary)
    if steps.index(state) >= steps.index(Minutes.State.APPROVED):
        president, rapporteur = approvers(what.board)
        approve(minutes, by=president)
        minutes = approve(minutes, by=rapporteur)
    if steps.index(state) >= steps.index(Minutes.State.SIGNED):
        minutes = lifecycle.sign(minutes, by=secretary)
    if steps.index(state) >= steps.index(Minutes.State.PUBLISHED):
        minutes = lifecycle.publish(minutes, by=secretary)
    return minutes


def draft_pdf(session: Session) -> bytes:
    """The draft minutes of `session` as the task queue renders the secretariat's preview (meetings.minutes.jobs)."""
    return render_minutes_pdf(Session.objects.with_record().get(pk=session.pk), draft=True)
