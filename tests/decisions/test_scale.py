"""History at scale: `generate_history` makes years of synthetic history, and the register and the search
answer it in the same number of queries whatever its size."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from decisions.models import FollowUp, PublishedResolution, Resolution
from meetings.models import AgendaItem, Board, Membership, Minutes, Session
from tests import factory
from tests.decisions.test_register import REGISTER_QUERIES
from tests.decisions.test_search import SEARCH_QUERIES

pytestmark = pytest.mark.django_db


def generate(boards: int, sessions: int, resolutions: int, *options: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_history",
        f"--boards={boards}",
        f"--sessions={sessions}",
        f"--resolutions={resolutions}",
        *options,
        stdout=out,
    )
    return out.getvalue()


# The command


def test_it_makes_the_boards_sessions_and_resolutions_asked_for():
    output = generate(3, 4, 5, "--force")

    assert Board.objects.count() == 3
    assert Session.objects.count() == 12
    assert Resolution.objects.count() == 60
    assert "3 boards" in output and "12 sessions" in output and "60 resolutions" in output
    for board in Board.objects.all():
        assert board.sessions.count() == 4
        assert board.memberships.filter(role=Membership.Role.PRESIDENT).count() == 1
    for session in Session.objects.all():
        assert session.resolutions.count() == 5
        assert session.agenda_items.exists()
        assert session.attendances.exists()
        assert session.year == session.date.year


def test_the_first_board_made_is_home_when_there_is_none():
    generate(3, 2, 2, "--force")

    assert Board.objects.filter(is_home=True).count() == 1
    assert Board.objects.home() == Board.objects.order_by("pk").first()


def test_an_existing_home_board_counts_as_one_and_gets_its_share_before_its_own_sessions():
    home = factory.board()
    own = factory.session(home, datetime.date(2025, 12, 18), 2)

    generate(3, 4, 2, "--force")

    assert Board.objects.count() == 3
    assert list(Board.objects.filter(is_home=True)) == [home]
    assert home.sessions.count() == 5
    assert home.sessions.exclude(pk=own.pk).filter(date__gte=datetime.date(2025, 1, 1)).count() == 0


def test_sessions_are_numbered_within_their_year_and_kind():
    generate(2, 30, 1, "--force")

    for board in Board.objects.all():
        for year in board.sessions.values_list("year", flat=True).distinct():
            sessions = board.sessions.filter(year=year).order_by("date")
            assert [s.ordinal for s in sessions] == list(range(1, len(sessions) + 1))
    assert {s.kind for s in Session.objects.all()} == {Session.Kind.ORDINARY, Session.Kind.EXTRAORDINARY}


def test_follow_ups_are_reported_at_later_sessions_of_the_same_board_with_varied_statuses():
    generate(2, 8, 10, "--force")

    follow_ups = FollowUp.objects.select_related("session", "resolution__session")
    assert follow_ups.exists()
    for follow_up in follow_ups:
        assert follow_up.session.board_id == follow_up.resolution.session.board_id
        assert follow_up.session.date > follow_up.resolution.session.date
        assert follow_up.resolution.outcome == Resolution.Outcome.ADOPTED
    assert {f.status for f in follow_ups} == set(FollowUp.Status.values)


def test_every_session_has_published_minutes_with_a_placeholder_file(client):
    generate(2, 3, 2, "--force")

    assert Minutes.objects.count() == Session.objects.count() == 6
    assert set(Minutes.objects.values_list("state", flat=True)) == {Minutes.State.PUBLISHED}
    assert PublishedResolution.objects.public().count() == 6  # the home board's
    session = Session.objects.filter(board__is_home=True).first()
    response = client.get(f"{session.get_absolute_url()}minutes.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_resolutions_and_deliberations_are_searchable(client):
    generate(2, 4, 10, "--force")

    assert not Resolution.objects.filter(search_text="").exists()
    assert not AgendaItem.objects.filter(search_text="").exists()
    response = client.get("/search/", {"q": "الميزانيه"})
    assert response.status_code == 200
    assert response.context["resolutions"]
    assert "<mark>ميزانية</mark>" in response.content.decode()


def test_it_refuses_to_run_without_debug_or_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        generate(2, 2, 2)
    assert not Board.objects.exists()


def test_it_runs_with_debug_on(settings):
    settings.DEBUG = True

    generate(1, 1, 1)

    assert Resolution.objects.count() == 1


def test_a_second_run_on_the_same_database_is_refused_and_changes_nothing():
    generate(2, 2, 2, "--force")

    with pytest.raises(CommandError, match="already exists"):
        generate(2, 2, 2, "--force")
    assert Board.objects.count() == 2
    assert Session.objects.count() == 4


def test_the_same_seed_gives_the_same_history():
    generate(1, 3, 4, "--force", "--seed=7")
    first = list(Resolution.objects.order_by("session__date", "sequence").values_list("title", "outcome"))
    Board.objects.update(is_home=False, name_ar="old")

    generate(1, 3, 4, "--force", "--seed=7")
    second = Resolution.objects.filter(session__board__is_home=True).order_by("session__date", "sequence")

    assert list(second.values_list("title", "outcome")) == first


# A fixed number of queries whatever the size of the history


def register_pages() -> list[dict]:
    """The register, its second page, a filter on year, follow-up status and outcome, a search within a
    unit: each filter taken from a published resolution, so that no page is empty."""
    published = PublishedResolution.objects.public()
    followed = published.filter(latest_status__isnull=False).select_related("session")
    followed = followed.order_by("session__date").first()
    sample = published.exclude(responsible_unit="").first()
    return [
        {},
        {"page": "2"},
        {"year": followed.session.year, "status": followed.latest_status, "outcome": followed.outcome},
        {"q": sample.title.split()[-1], "unit": sample.responsible_unit},
    ]


@pytest.mark.parametrize("scale", [(2, 3, 4), (3, 6, 10)])
def test_the_register_makes_the_same_number_of_queries_at_any_scale(client, django_assert_num_queries, scale):
    generate(*scale, "--force")
    assert PublishedResolution.objects.public().count() == scale[1] * scale[2]

    for query in register_pages():
        with django_assert_num_queries(REGISTER_QUERIES):
            response = client.get("/resolutions/", query)
        assert response.status_code == 200, query
        assert not response.context["form"].errors, query
        assert response.context["page"].object_list, query


@pytest.mark.parametrize("scale", [(2, 3, 4), (3, 6, 10)])
def test_the_search_makes_the_same_number_of_queries_at_any_scale(client, django_assert_num_queries, scale):
    generate(*scale, "--force")

    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get("/search/", {"q": "الميزانيه"})
    assert response.context["resolutions"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler")
def test_the_application_queries_postgresql_without_jit_compilation():
    """Compiling a query cost more than running the register's (619 ms of a deep page's 800 once)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
