"""What the cluster's tests set up and read in the cluster's own database, run there by
`Cluster.call(name, **arguments)` (in a `manage.py shell` with the cluster's settings): the tests' own
factory and the real lifecycle, as the secretariat's buttons would. Each returns what JSON can carry."""

import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone

from meetings.convocation import convening
from meetings.minutes import lifecycle
from meetings.minutes.jobs import ask_preview, ask_signature
from meetings.models import Comment, Job, Membership, Message, Minutes, Session
from tests import factory

SECRETARY = "secretary"  # the secretariat's username (its password: factory.secretariat_user's default)
CYCLE_ITEM = "مشروع مخطط عمل المؤسسة برسم سنة 2026"


def seed(burst: int, home: bool = True) -> dict:
    """A board (the one the public site shows, unless `home` is false: the demo's is), its president,
    rapporteur and a member with their logins (factory.user_for's password) and addresses, and:

    - 2025/2, published;
    - `burst` sessions of 2025 whose minutes are approved and wait for their signature;
    - 2026/1, in review, which the member comments on;
    - the session the whole cycle runs through, in 17 days: its agenda and resolution entered, the
      convocation not sent yet.
    """
    board = factory.board(is_home=home, secretariat_email="secretariat@entraide.ma")
    chair = factory.seat(
        board, Membership.Role.PRESIDENT, name_ar="نعيمة بن يحيى", email="benyahia@entraide.ma"
    )
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR, email="direction@entraide.ma")
    member = factory.seat(board, name_ar="عبد الجبار الرشيدي", email="rachidi@entraide.ma")
    factory.user_for(chair, username="president")
    factory.user_for(rapporteur, username="rapporteur")
    factory.user_for(member, username="member")
    factory.secretariat_user(SECRETARY)

    def session(ordinal: int, date: datetime.date) -> Session:
        made = factory.session(board, date=date, ordinal=ordinal, chair=chair, start_time=datetime.time(10))
        for person in (chair, rapporteur):
            factory.attend(made, person)
        factory.agenda_item(made, 1, title="مشروع ميزانية المؤسسة برسم سنة 2026")
        return made

    factory.publish(session(2, datetime.date(2025, 12, 3)))
    approved = [
        factory.minutes_at(session(3 + n, datetime.date(2025, 12, 4 + n)), Minutes.State.APPROVED).pk
        for n in range(burst)
    ]
    review = session(1, datetime.date(2026, 1, 15))
    factory.attend(review, member)
    factory.minutes_at(review, Minutes.State.IN_REVIEW)

    day = timezone.localdate() + datetime.timedelta(days=17)
    cycle = factory.session(board, date=day, ordinal=2, chair=chair, start_time=datetime.time(10))
    for person in (chair, rapporteur, member):
        factory.attend(cycle, person)
    item = factory.agenda_item(cycle, 1, title=CYCLE_ITEM, deliberation="ناقش المجلس مخطط العمل.")
    factory.resolution(cycle, 1, agenda_item=item, title="المصادقة على مخطط عمل سنة 2026")
    return {
        "approved": approved,
        "review": review.pk,
        "cycle": {"pk": cycle.pk, "year": day.year, "ordinal": 2, "title": cycle.title},
    }


def remind_in(session: int, seconds: float) -> None:
    """The reminder that the convocation queued for two days before the session, queued again for
    `seconds` from now: a scheduled row of the queue, which every server's worker sees come due."""
    latest = convening.latest_convocation(Session.objects.get(pk=session))
    due = timezone.now() + datetime.timedelta(seconds=seconds)
    convening.remind_convened.using(run_after=due).enqueue(session, latest.sequence)


def ask_signatures(approved: list[int], preview: int = 0) -> None:
    """What the secretariat's buttons do: each signature asked (checked now, made by a worker), and
    the preview of a session's draft if `preview` names one."""
    secretary = User.objects.get(username=SECRETARY)
    for minutes in Minutes.objects.filter(pk__in=approved).order_by("pk"):
        ask_signature(minutes, by=secretary)
    if preview:
        ask_preview(Session.objects.get(pk=preview), by=secretary)


def jobs_outcome(approved: list[int], preview: int = 0) -> dict:
    """The approved minutes' states and signed files, their jobs and the preview of session `preview`
    (kind, status, seconds waited and run), and each comment's text with how many rows hold it."""
    minutes = Minutes.objects.filter(pk__in=approved)
    asked = Q(minutes__in=minutes) | Q(kind=Job.Kind.PREVIEW, session_id=preview)

    def seconds(later, earlier):
        return (later - earlier).total_seconds() if later and earlier else None

    return {
        "states": sorted(minutes.values_list("state", flat=True)),
        "signed_files": len(set(minutes.exclude(sha256="").values_list("sha256", flat=True))),
        "jobs": [
            {
                "kind": job.kind,
                "status": job.status,
                "wait": seconds(job.started_at, job.created_at),
                "run": seconds(job.finished_at, job.started_at),
            }
            for job in Job.objects.filter(asked).order_by("pk")
        ],
        "comments": comments(),
    }


def comments() -> dict[str, int]:
    """Each comment's text, with how many rows hold it."""
    return dict(Comment.objects.values("text").annotate(n=Count("id")).values_list("text", "n"))


def publish_signed(approved: list[int]) -> list[int]:
    """The signed ones of these minutes published; the ordinals of their sessions."""
    secretary = User.objects.get(username=SECRETARY)
    for minutes in Minutes.objects.filter(pk__in=approved, state=Minutes.State.SIGNED):
        lifecycle.publish(minutes, by=secretary)
    return list(Minutes.objects.filter(pk__in=approved).values_list("session__ordinal", flat=True))


def messages_sent() -> list[dict]:
    """Every message the queue holds: its kind, session, member, address and status."""
    return list(Message.objects.order_by("pk").values("kind", "session_id", "member_id", "address", "status"))
