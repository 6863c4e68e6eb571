"""The secretariat's dashboard at `/admin/decisions/resolution/dashboard/`: the home board's resolutions by
session year and where they stand, as a table and as an SVG chart drawn on the server."""

import datetime
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.dashboard import count_resolutions
from decisions.models import FollowUp, Resolution
from meetings.models import Minutes
from tests import factory
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

URL = "/admin/decisions/resolution/dashboard/"
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
SVG = "{http://www.w3.org/2000/svg}"
Status = FollowUp.Status
Outcome = Resolution.Outcome
# The table's columns after the year: no follow-up yet, not started, in progress, done, cancelled, rejected,
# deferred, total, overdue.
COLUMNS = ["none", "not_started", "in_progress", "done", "cancelled", "rejected", "deferred"]
# The session, the user and the device of their second factor, their permissions (own and group's), the
# home board, one aggregate.
DASHBOARD_QUERIES = 7


@pytest.fixture
def history() -> dict:
    """The home board in December 2024, June and December 2025, the December 2025 minutes still a draft; a
    session of another board. On 15 January 2026 (the pinned date of the tests), 2024/2/2 and 2025/1/1
    are overdue."""
    home = factory.board()
    dec24 = factory.session(home, datetime.date(2024, 12, 19), 2)
    june = factory.session(home, datetime.date(2025, 6, 20), 1)
    dec25 = factory.session(home, datetime.date(2025, 12, 18), 2)
    done = factory.resolution(dec24, 1, due_date=datetime.date(2025, 6, 30))
    late = factory.resolution(dec24, 2, due_date=datetime.date(2025, 3, 31))
    factory.resolution(
        dec24, 3, outcome=Outcome.REJECTED, unanimous=False, due_date=datetime.date(2025, 1, 1)
    )
    factory.resolution(june, 1, due_date=datetime.date(2025, 10, 31))  # never followed up
    going = factory.resolution(june, 2, due_date=datetime.date(2026, 12, 31))
    factory.resolution(june, 3, outcome=Outcome.DEFERRED, unanimous=False)
    dropped = factory.resolution(june, 4, due_date=datetime.date(2025, 9, 30))
    factory.resolution(dec25, 1)
    factory.follow_up(done, june, Status.IN_PROGRESS)
    factory.follow_up(late, june, Status.NOT_STARTED)
    factory.follow_up(done, dec25, Status.DONE)  # reported at the session whose minutes are a draft
    factory.follow_up(going, dec25, Status.IN_PROGRESS)
    factory.follow_up(dropped, dec25, Status.CANCELLED)
    factory.minutes_at(dec25, Minutes.State.DRAFT)
    other = factory.board(is_home=False)
    for year in (2023, 2025):
        factory.resolution(factory.session(other, datetime.date(year, 3, 5), 1), 1)
    return {"home": home, "dec25": dec25, "done": done}


def signed_in_secretariat(client) -> User:
    user = factory.secretariat_user()
    client.force_login(user)
    return user


def dashboard(client, path: str = URL):
    with time_machine.travel(datetime.datetime(2026, 1, 15, 10, tzinfo=CASABLANCA), tick=False):
        return client.get(path)


def table(response) -> dict[str, list[int]]:
    """The table's rows, by their heading (a year, or the totals' label): the columns' figures, the total
    and the overdue."""
    html = response.content.decode()
    start = html.index('<table class="dashboard-counts">')
    body = html[start : html.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", body, re.S):
        heading, cells = row.split("</th>", 1)
        rows[heading.strip()] = [int(figure) for figure in re.findall(r"<td[^>]*>(\d+)</td>", cells)]
    return rows


def chart(response) -> ET.Element:
    html = response.content.decode()
    return ET.fromstring(
        html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') :].split("</svg>")[0]
        + "</svg>"
    )


def bars(svg: ET.Element) -> dict[str, ET.Element]:
    return {bar.get("data-year"): bar for bar in svg.iter(f"{SVG}g") if bar.get("class") == "bar"}


def segments(bar: ET.Element) -> list[tuple[str, float, str]]:
    """The bar's segments in the order drawn: their status, left edge and printed figure."""
    found = []
    for group in bar.iter(f"{SVG}g"):
        if group.get("class", "").startswith("segment "):
            rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
            found.append((group.get("class").split("-", 1)[1], float(rect.get("x")), text.text))
    return found


def text_of(element: ET.Element, css_class: str) -> ET.Element:
    return next(t for t in element.iter(f"{SVG}text") if t.get("class") == css_class)


# What it counts


def test_it_counts_the_home_boards_resolutions_by_year_and_latest_status(client, history):
    signed_in_secretariat(client)

    rows = table(dashboard(client))

    #                  none, not started, in progress, done, cancelled, rejected, deferred, total, overdue
    assert rows["2024"] == [0, 1, 0, 1, 0, 1, 0, 3, 1]
    assert rows["2025"] == [2, 0, 1, 0, 1, 0, 1, 5, 1]
    assert rows["المجموع"] == [2, 1, 1, 1, 1, 1, 1, 8, 2]


def test_a_follow_up_reported_at_a_session_whose_minutes_are_a_draft_counts(history):
    counts = count_resolutions(datetime.date(2026, 1, 15))

    year_2024 = next(year for year in counts.years if year.year == 2024)
    assert year_2024.by_column[Status.DONE] == 1  # 2024/2/1, done as reported at the draft December 2025
    assert year_2024.by_column[Status.IN_PROGRESS] == 0


def test_another_boards_resolutions_are_not_counted(client, history):
    signed_in_secretariat(client)

    rows = table(dashboard(client))

    assert list(rows) == ["2024", "2025", "المجموع"]  # the other board's 2023 session is not a year here
    assert rows["المجموع"][7] == 8


def test_a_resolution_is_not_overdue_until_the_day_after_its_due_date(history):
    on_due_date = count_resolutions(datetime.date(2025, 3, 31))
    day_after = count_resolutions(datetime.date(2025, 4, 1))

    assert on_due_date.totals.overdue == 0
    assert day_after.totals.overdue == 1  # 2024/2/2, not started


def test_without_resolutions_the_page_says_so_and_draws_no_chart(client):
    signed_in_secretariat(client)
    factory.board()

    response = dashboard(client)

    assert response.status_code == 200
    assert "لم يُسجَّل أي قرار بعد." in visible_text(response)
    assert "<svg" not in response.content.decode().split('id="content"')[1].split("<!-- END Content")[0]


# The chart


def test_the_chart_is_svg_with_a_bar_per_year_and_a_segment_per_status(client, history):
    signed_in_secretariat(client)

    svg = chart(dashboard(client))

    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text.strip()
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")
    found = bars(svg)
    assert list(found) == ["2024", "2025"]
    assert [(status, figure) for status, _, figure in segments(found["2024"])] == [
        ("not_started", "1"),
        ("done", "1"),
        ("rejected", "1"),
    ]
    assert [status for status, _, _ in segments(found["2025"])] == [
        "none",
        "in_progress",
        "cancelled",
        "deferred",
    ]
    assert text_of(found["2025"], "year").text == "2025"
    assert text_of(found["2025"], "total")[0].text == "5"
    assert "1" in text_of(found["2025"], "total")[1].text  # the overdue, in its own colour


def test_the_legend_names_every_column_in_the_pages_language(client, history):
    signed_in_secretariat(client)

    svg = chart(dashboard(client))

    legend = [group for group in svg.iter(f"{SVG}g") if group.get("class", "").startswith("legend-item")]
    assert [item.find(f"{SVG}text").text for item in legend] == [
        "لم يتم تتبعه بعد",
        "لم ينطلق",
        "في طور الإنجاز",
        "منجز",
        "ملغى",
        "مرفوض",
        "مؤجل",
    ]


def test_in_arabic_the_chart_reads_from_the_right(client, history):
    signed_in_secretariat(client)

    svg = chart(dashboard(client))

    assert svg.get("direction") == "rtl"
    bar = bars(svg)["2025"]
    xs = [x for _, x, _ in segments(bar)]
    assert xs == sorted(xs, reverse=True)  # the first status at the right
    assert float(text_of(bar, "year").get("x")) > xs[0]  # the year at the right of its bar
    assert float(text_of(bar, "total").get("x")) < xs[-1]
    legend = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("width") == "12"]
    assert float(legend[0].get("x")) > float(legend[1].get("x"))


def test_in_french_the_chart_reads_from_the_left(client, history):
    signed_in_secretariat(client)

    response = dashboard(client, "/fr" + URL)
    svg = chart(response)

    assert svg.get("direction") == "ltr"
    bar = bars(svg)["2025"]
    xs = [x for _, x, _ in segments(bar)]
    assert xs == sorted(xs)
    assert float(text_of(bar, "year").get("x")) < xs[0]
    assert "pas encore de suivi" in [t.text for t in svg.iter(f"{SVG}text")]
    assert "Tableau de bord des résolutions" in visible_text(response)


def test_coordinates_are_written_with_a_decimal_point_whatever_the_language(client, history):
    signed_in_secretariat(client)

    for path in (URL, "/fr" + URL):
        svg = chart(dashboard(client, path))
        xs = [rect.get("x") for rect in svg.iter(f"{SVG}rect")] + [t.get("x") for t in svg.iter(f"{SVG}text")]
        assert all(re.fullmatch(r"\d+(\.\d+)?", x) for x in xs), xs


def test_the_boards_name_is_shown_as_text(client, history):
    signed_in_secretariat(client)
    history["home"].name_ar = "<script>alert(1)</script>"
    history["home"].save()

    html = dashboard(client).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Who sees it, and how it is reached


def test_anonymous_visitors_are_sent_to_the_login_page(client, history):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_a_board_member_without_staff_rights_is_sent_to_the_login_page(client, history):
    client.force_login(factory.user_for(factory.seat(history["home"])))

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_right_to_view_resolutions_are_refused(client, history):
    client.force_login(User.objects.create_user("it", password="x-pass-123!", is_staff=True))

    assert client.get(URL).status_code == 403


def test_the_secretariat_sees_the_dashboard(client, history):
    signed_in_secretariat(client)

    response = dashboard(client)

    assert response.status_code == 200
    text = visible_text(response)
    assert "لوحة قيادة القرارات" in text
    assert history["home"].name_ar in text


def test_the_admin_home_the_resolutions_changelist_and_the_apps_page_link_to_it(client, history):
    signed_in_secretariat(client)

    for page in ("/admin/", "/admin/decisions/resolution/", "/admin/decisions/"):
        assert f'href="{URL}"' in client.get(page).content.decode()


def test_the_dashboard_makes_a_fixed_number_of_queries_whatever_the_history(client, history):
    signed_in_secretariat(client)
    with CaptureQueriesContext(connection) as few:
        dashboard(client)
    for year in range(2015, 2024):
        session = factory.session(history["home"], datetime.date(year, 6, 1), 1)
        for n in range(1, 6):
            resolution = factory.resolution(session, n, due_date=datetime.date(year, 12, 31))
            factory.follow_up(resolution, history["dec25"], Status.NOT_STARTED)

    with CaptureQueriesContext(connection) as many:
        response = dashboard(client)

    assert len(table(response)) == 12  # 2015 to 2025, and the totals
    assert len(few) == len(many) == DASHBOARD_QUERIES
