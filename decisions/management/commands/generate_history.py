"""Synthetic history at scale, for the benchmarks and for trying the register and the search with years
of decisions: boards with their members, sessions over the years with attendance, agenda, deliberations,
resolutions and their follow-ups at later sessions, every session's minutes published.

    DEBUG=1 python manage.py generate_history --boards 20 --sessions 50 --resolutions 20

Everything is made up, drawn from the phrases of `decisions/management/history_phrases.py` with a fixed
seed (the same options give the same history), and written with bulk_create: the models' save() and its
lifecycle checks are bypassed, so the command computes what save() would (`search_text`, a session's year)
with the models' own code. It ends with ANALYZE (VACUUM ANALYZE on PostgreSQL), so that the database plans its queries with statistics of
what it now holds.

The minutes are not rendered and not signed (signing a thousand PDFs would take about twenty minutes):
each session gets one minutes row in the published state whose file is a single one-page placeholder PDF,
unsigned, saying that the history is synthetic (the database requires a file on published minutes). It is
not production data, and the command refuses to run unless DEBUG is on or `--force` is given.

The existing home board, if there is one, counts as one of the boards and gets its share of sessions,
all before its own; otherwise the first board made becomes the home board.
"""

import datetime
import hashlib
import random
import time
from collections import Counter

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from decisions.management.history_phrases import (
    AGENDA,
    CLAUSES,
    DELIBERATIONS,
    FAMILY_NAMES,
    FIRST_NAMES,
    FRENCH_TEXT,
    FRENCH_TITLES,
    INSTITUTIONS,
    NOTES,
    OPENINGS,
    PROVINCES,
    REGIONS,
    TITLES,
    UNITS,
    VERDICTS,
)
from decisions.models import FollowUp, Resolution
from meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Member,
    Membership,
    Minutes,
    PublishedSession,
    Session,
)
from meetings.models.record import session_record

BATCH = 1000
PLACEHOLDER_PDF = "minutes/synthetic/placeholder.pdf"
PLACEHOLDER_HTML = """<html lang="ar" dir="rtl"><body style="font-family: 'Noto Naskh Arabic', serif">
<h1>بيانات تجريبية</h1><p>هذا المحضر جزء من تاريخ مصطنع لأغراض القياس، لم يحرر ولم يوقع.</p>
<p dir="ltr">Synthetic history for benchmarks: these minutes were never written nor signed.</p>
</body></html>"""

Status = FollowUp.Status
# How a resolution's follow-ups go, from one later session to the next (cut where the board stops reporting).
PATHS = [
    (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE),
    (Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DONE),
    (Status.IN_PROGRESS, Status.IN_PROGRESS, Status.IN_PROGRESS),
    (Status.NOT_STARTED, Status.NOT_STARTED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.CANCELLED),
    (Status.DONE,),
]
SEATS = [Membership.Role.PRESIDENT, Membership.Role.RAPPORTEUR] + [Membership.Role.MEMBER] * 9
SEATS += [Membership.Role.INVITED]


class Command(BaseCommand):
    help = (
        "Fills the database with synthetic history (boards, sessions, resolutions, follow-ups, minutes "
        "marked published with an unsigned placeholder PDF) for benchmarks and trying the register at "
        "scale. Not for production data: refuses to run unless DEBUG is on or --force is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--boards", type=int, default=20, help="boards, the home board included")
        parser.add_argument("--sessions", type=int, default=50, help="sessions per board")
        parser.add_argument("--resolutions", type=int, default=20, help="resolutions per session")
        parser.add_argument("--seed", type=int, default=2025, help="the same seed gives the same history")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("This makes synthetic data: run it with DEBUG=1, or give --force.")
        if min(options["boards"], options["sessions"], options["resolutions"]) < 1:
            raise CommandError("--boards, --sessions and --resolutions must be at least 1.")
        started = time.perf_counter()
        pdf = placeholder_pdf()
        history = History(random.Random(options["seed"]), pdf, options["resolutions"])
        with transaction.atomic():
            for board in boards(options["boards"]):
                history.add(board, options["sessions"])
        with connection.cursor() as cursor:
            # Statistics, as after any bulk load (PostgreSQL's autovacuum would soon take them; SQLite never
            # does): without them SQLite drives the register's joins from every board's resolutions. On
            # PostgreSQL, VACUUM too, as autovacuum would: the register's pages are read from its indexes
            # alone once the table's pages are known visible to all.
            in_a_transaction = not connection.get_autocommit()
            vacuum = connection.vendor == "postgresql" and not in_a_transaction
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        elapsed = time.perf_counter() - started
        made = ", ".join(f"{count} {name}" for name, count in history.made.items())
        self.stdout.write(self.style.SUCCESS(f"Made {made} in {elapsed:.1f} s."))


def placeholder_pdf() -> tuple[str, str]:
    """The file every generated minutes row names, and its SHA-256: one page, never signed."""
    if not default_storage.exists(PLACEHOLDER_PDF):
        import weasyprint  # only when the file is missing: its import takes a while

        default_storage.save(
            PLACEHOLDER_PDF, ContentFile(weasyprint.HTML(string=PLACEHOLDER_HTML).write_pdf())
        )
    with default_storage.open(PLACEHOLDER_PDF) as stored:
        return PLACEHOLDER_PDF, hashlib.sha256(stored.read()).hexdigest()


def boards(count: int) -> list[Board]:
    """The home board if there is one, then new boards up to `count`; the first new one is home if none is."""
    home = Board.objects.home()
    found = [home] if home else []
    names = [(institution, region) for region in REGIONS for institution in INSTITUTIONS]
    for n in range(count - len(found)):
        (institution_ar, institution_fr), (region_ar, region_fr) = names[n % len(names)]
        suffix = f" ({n // len(names) + 1})" if n >= len(names) else ""
        # «ل» before the article «ال» makes «لل»: «المجلس الإداري للوكالة…».
        name_ar = f"المجلس الإداري لل{institution_ar.removeprefix('ال')} بجهة {region_ar}{suffix}"
        if Board.objects.filter(name_ar=name_ar).exists():
            raise CommandError(f"«{name_ar}» already exists: generate the history in an empty database.")
        board = Board(
            name_ar=name_ar,
            name_fr=f"Conseil d'administration, {institution_fr}, {region_fr}{suffix}",
            institution_ar=f"{institution_ar} بجهة {region_ar}",
            institution_fr=f"{institution_fr}, {region_fr}",
            is_home=not found,
        )
        board.save()
        found.append(board)
    return found


class History:
    """Makes one board's history at a time, in bulk; `made` counts the rows by kind."""

    def __init__(self, rng: random.Random, pdf: tuple[str, str], resolutions: int) -> None:
        self.rng = rng
        self.pdf_name, self.pdf_sha256 = pdf
        self.resolutions = resolutions
        self.made: Counter[str] = Counter(boards=0)

    def create(self, label: str, rows: list) -> list:
        """Insert `rows` (of one model) in batches; their primary keys are set, as save() would."""
        if rows:
            type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)
        self.made[label] += len(rows)
        return rows

    def add(self, board: Board, count: int) -> None:
        """`count` sessions of `board`, all before whatever it already holds (sessions, terms)."""
        firsts = [
            board.sessions.order_by("date").values_list("date", flat=True).first(),
            board.memberships.order_by("start").values_list("start", flat=True).first(),
        ]
        earlier = [day for day in firsts if day is not None]
        last_year = min(earlier).year - 1 if earlier else timezone.localdate().year - 1
        plan = session_plan(self.rng, count, last_year)
        # A board with a history of its own keeps its seats: the generated terms end before it starts.
        term_end = datetime.date(last_year, 12, 31) if earlier else None
        seats = self.seats(board, datetime.date(plan[0][0].year, 1, 1), term_end)
        sessions = self.sessions(board, plan, seats)
        self.attendance(sessions, seats)
        resolutions = self.decisions(sessions)
        self.follow_ups(sessions, resolutions)
        self.minutes(sessions)
        self.made["boards"] += 1

    def seats(self, board: Board, start: datetime.date, end: datetime.date | None) -> list[Membership]:
        rng = self.rng
        members = self.create(
            "members",
            [
                Member(
                    name_ar=f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}",
                    title_ar="مدعو بصفة استشارية"
                    if role == Membership.Role.INVITED
                    else "عضو المجلس الإداري",
                )
                for role in SEATS
            ],
        )
        return self.create(
            "memberships",
            [
                Membership(board=board, member=member, role=role, start=start, end=end)
                for member, role in zip(members, SEATS, strict=True)
            ],
        )

    def sessions(self, board: Board, plan: list, seats: list[Membership]) -> list[Session]:
        ordinals: Counter[int] = Counter()
        rows = []
        for day, kind in plan:
            ordinals[day.year] += 1
            rows.append(
                Session(
                    board=board,
                    year=day.year,  # what Session.save() derives from the date
                    ordinal=ordinals[day.year],
                    kind=kind,
                    date=day,
                    start_time=datetime.time(10, 0),
                    end_time=datetime.time(13, 0),
                    place=f"مقر {board.institution_ar or board.name_ar}",
                    chair=seats[0].member,
                )
            )
        return self.create("sessions", rows)

    def attendance(self, sessions: list[Session], seats: list[Membership]) -> None:
        statuses = (
            [Attendance.Status.PRESENT] * 17 + [Attendance.Status.EXCUSED] * 2 + [Attendance.Status.ABSENT]
        )
        self.create(
            "attendance rows",
            [
                Attendance(
                    session=session,
                    member=seat.member,
                    # The president and the rapporteur are always there.
                    status=Attendance.Status.PRESENT if n < 2 else self.rng.choice(statuses),
                )
                for session in sessions
                for n, seat in enumerate(seats)
            ],
        )

    def decisions(self, sessions: list[Session]) -> dict[int, list[Resolution]]:
        """Each session's agenda and resolutions; the resolutions by session pk."""
        items, resolutions = [], []
        for session in sessions:
            agenda = self.agenda(session)
            items += agenda
            resolutions += [self.resolution(session, agenda, n) for n in range(self.resolutions)]
        self.create("agenda items", items)
        self.create("resolutions", resolutions)
        by_session: dict[int, list[Resolution]] = {}
        for resolution in resolutions:
            by_session.setdefault(resolution.session.pk, []).append(resolution)
        return by_session

    def agenda(self, session: Session) -> list[AgendaItem]:
        rng, words = self.rng, self.words(session)
        titles = ["المصادقة على محضر الدورة السابقة", *rng.sample(AGENDA, rng.randint(2, 5))]
        items = []
        for position, title in enumerate(titles, start=1):
            item = AgendaItem(
                session=session,
                position=position,
                title=title.format(**words),
                presenter="مدير المؤسسة",
                deliberation=" ".join(rng.sample(DELIBERATIONS, 3)) if position > 1 else "",
            )
            item.fill_search_text()  # what save() does
            items.append(item)
        return items

    def resolution(self, session: Session, agenda: list[AgendaItem], n: int) -> Resolution:
        rng, words = self.rng, self.words(session)
        outcome = rng.choices(list(VERDICTS), weights=[85, 7, 8])[0]
        if rng.random() < 0.1:
            title, text = rng.choice(FRENCH_TITLES).format(**words), FRENCH_TEXT
        else:
            title = rng.choice(TITLES).format(**words)
            text = f"{rng.choice(OPENINGS)} {VERDICTS[outcome]} «{title}». {' '.join(rng.sample(CLAUSES, 2))}"
        adopted = outcome == Resolution.Outcome.ADOPTED
        unanimous = adopted and rng.random() < 0.8
        votes: tuple[int | None, int | None, int | None]
        if unanimous:
            votes = (None, None, None)
        elif outcome == Resolution.Outcome.REJECTED:
            votes = (rng.randint(1, 3), rng.randint(5, 8), rng.randint(0, 2))
        else:
            votes = (rng.randint(6, 9), rng.randint(1, 2), rng.randint(0, 2))
        resolution = Resolution(
            session=session,
            # The first item is the approval of the previous minutes; the others share the resolutions.
            agenda_item=agenda[1 + n * (len(agenda) - 1) // self.resolutions],
            sequence=n + 1,
            title=title,
            text=text,
            unanimous=unanimous,
            votes_for=votes[0],
            votes_against=votes[1],
            votes_abstain=votes[2],
            outcome=outcome,
            responsible_unit=rng.choice(UNITS) if adopted and rng.random() < 0.8 else "",
            due_date=session.date + datetime.timedelta(days=rng.randint(90, 540))
            if adopted and rng.random() < 0.7
            else None,
        )
        resolution.fill_search_text()  # what save() does
        return resolution

    def follow_ups(self, sessions: list[Session], resolutions: dict[int, list[Resolution]]) -> None:
        """Adopted resolutions reported on at the next sessions of the board, along one of the PATHS."""
        rng, rows = self.rng, []
        for index, session in enumerate(sessions):
            later = sessions[index + 1 :]
            for resolution in resolutions[session.pk]:
                if resolution.outcome != Resolution.Outcome.ADOPTED:
                    continue
                path = rng.choice(PATHS)[: rng.choice([0, 1, 1, 2, 2, 3])]
                rows += [
                    FollowUp(resolution=resolution, session=at, status=status, note=rng.choice(NOTES[status]))
                    for at, status in zip(later, path, strict=False)
                ]
        self.create("follow-ups", rows)

    def minutes(self, sessions: list[Session]) -> None:
        """Published minutes for every session, with their record as signed and the public rows made from
        it, as the real publication makes them."""
        # Twenty at a time: SQLite refuses the prefetch of a hundred sessions' follow-ups (the depth of its
        # expression tree), and memory stays bounded.
        loaded = {}
        for start in range(0, len(sessions), 20):
            chunk = [session.pk for session in sessions[start : start + 20]]
            loaded.update(Session.objects.with_record().in_bulk(chunk))
        rows = []
        for session in sessions:
            signed = datetime.datetime.combine(session.date + datetime.timedelta(days=30), datetime.time(11))
            signed = timezone.make_aware(signed)
            rows.append(
                Minutes(
                    session=session,
                    state=Minutes.State.PUBLISHED,
                    pdf=self.pdf_name,
                    sha256=self.pdf_sha256,
                    signed_at=signed,
                    published_at=signed + datetime.timedelta(days=1),
                    record=session_record(loaded[session.pk]),
                )
            )
        for minutes in self.create("minutes", rows):
            PublishedSession.objects.publish(minutes)

    def words(self, session: Session) -> dict[str, object]:
        return {"year": session.year, "next": session.year + 1, "province": self.rng.choice(PROVINCES)}


def session_plan(rng: random.Random, count: int, last_year: int) -> list[tuple[datetime.date, str]]:
    """`count` sessions up to `last_year`, in date order: an ordinary one in June and one in December each
    year, now and then an extraordinary one in spring or autumn."""
    plan: list[tuple[datetime.date, str]] = []
    year = last_year
    while len(plan) < count:
        days = [
            (datetime.date(year, 12, rng.randint(10, 26)), Session.Kind.ORDINARY),
            (datetime.date(year, 6, rng.randint(10, 28)), Session.Kind.ORDINARY),
        ]
        if rng.random() < 0.25:
            days.append(
                (datetime.date(year, rng.choice([3, 4, 10]), rng.randint(1, 28)), Session.Kind.EXTRAORDINARY)
            )
        plan += sorted(days, reverse=True)
        year -= 1
    return sorted(plan[:count])
