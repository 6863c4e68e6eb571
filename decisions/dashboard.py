"""The secretariat's dashboard: the home board's resolutions counted by session year and by where they
stand, as a table and as a stacked bar chart drawn on the server (SVG, no script).

Everything the secretariat recorded counts, drafts included: a session whose minutes are not yet published,
and the follow-ups reported at it. An adopted resolution stands at its latest follow-up status (or has none
yet); a rejected or deferred one has nothing to carry out and is counted under its outcome.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.models import Board

from .models import NO_FOLLOW_UP, FollowUp, Resolution

Status = FollowUp.Status
Outcome = Resolution.Outcome


@dataclass(frozen=True)
class Column:
    """One way a resolution can stand: a column of the table, a colour of the chart."""

    key: str
    label: str | Promise
    colour: str
    ink: str  # the colour of a figure written on `colour`
    adopted: bool  # a follow-up status of an adopted resolution, or else the outcome of another one


# Done, rejected and deferred take the colours of the public register's badges (static/css/site.css).
COLUMNS = [
    Column(NO_FOLLOW_UP, _("no follow-up yet"), "#d3d9db", "#1d2a2f", True),
    Column(Status.NOT_STARTED, Status.NOT_STARTED.label, "#e8a33d", "#1d2a2f", True),
    Column(Status.IN_PROGRESS, Status.IN_PROGRESS.label, "#2468a0", "#ffffff", True),
    Column(Status.DONE, Status.DONE.label, "#0b5d4b", "#ffffff", True),
    Column(Status.CANCELLED, Status.CANCELLED.label, "#5c6670", "#ffffff", True),
    Column(Outcome.REJECTED, Outcome.REJECTED.label, "#c1272d", "#ffffff", False),
    Column(Outcome.DEFERRED, Outcome.DEFERRED.label, "#8a6d1d", "#ffffff", False),
]


@dataclass
class Counts:
    """The resolutions of one session year (or of all years, `year` None), per column, and the overdue."""

    year: int | None
    by_column: dict[str, int]
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_column.values())

    @property
    def cells(self) -> list[tuple[Column, int]]:
        return [(column, self.by_column[column.key]) for column in COLUMNS]


@dataclass
class Dashboard:
    board: Board | None
    today: datetime.date
    years: list[Counts]  # earliest first
    totals: Counts


def _column_key(outcome: str, latest_status: str | None) -> str:
    if outcome != Outcome.ADOPTED:
        return outcome
    return latest_status or NO_FOLLOW_UP


def count_resolutions(today: datetime.date) -> Dashboard:
    """The home board's resolutions by session year and column, and the overdue on `today`: two queries,
    the board and one aggregate, whatever the number of resolutions."""
    board = Board.objects.home()
    empty = {column.key: 0 for column in COLUMNS}
    totals = Counts(None, dict(empty))
    if board is None:
        return Dashboard(board, today, [], totals)
    groups = (
        Resolution.objects.filter(session__board=board)
        .decided()
        .with_latest_status(FollowUp.objects.all())
        .with_overdue(today)
        .order_by()
        .values("session__year", "outcome", "latest_status")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    )
    years: dict[int, Counts] = {}
    for group in groups:
        year = years.setdefault(group["session__year"], Counts(group["session__year"], dict(empty)))
        key = _column_key(group["outcome"], group["latest_status"])
        for counts in (year, totals):
            counts.by_column[key] += group["count"]
            counts.overdue += group["overdue"]
    return Dashboard(board, today, [years[year] for year in sorted(years)], totals)


# The chart: one horizontal bar per year, its segments stacked in the order of COLUMNS. Coordinates are
# worked out from the start of the line (the left in French, the right in Arabic) and mirrored for a
# right-to-left page; texts anchor at their "start" or "end", which the SVG's direction resolves.
WIDTH = 760
PADDING = 8
LEGEND_PER_ROW = 4
LEGEND_ROW = 22
SWATCH = 12
BAR_ROW = 32
BAR_HEIGHT = 22
YEAR_WIDTH = 48  # the year's label, before the bar
TOTAL_WIDTH = 150  # the total and the overdue, after the longest bar
MIN_FIGURE_WIDTH = 20  # a narrower segment does not print its figure (the table and its tooltip do)


@dataclass(frozen=True)
class Segment:
    column: Column
    count: int
    x: float
    width: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def shows_figure(self) -> bool:
        return self.width >= MIN_FIGURE_WIDTH


@dataclass(frozen=True)
class Bar:
    counts: Counts
    y: int
    year_x: float
    segments: list[Segment]
    total_x: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2


@dataclass(frozen=True)
class LegendItem:
    column: Column
    swatch_x: float
    text_x: float
    y: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    direction: str
    legend: list[LegendItem]
    bars: list[Bar]
    axis_x: float
    axis_top: int
    axis_bottom: int
    bar_height: int = BAR_HEIGHT


def chart(dashboard: Dashboard, rtl: bool) -> Chart:
    """The geometry of the chart of `dashboard`, for a left-to-right or a right-to-left page."""

    def place(x: float, width: float = 0) -> float:
        """The left edge of a box `width` wide that starts `x` from the start of the line."""
        return round(WIDTH - x - width if rtl else x, 1)

    legend = []
    for n, column in enumerate(COLUMNS):
        row, cell = divmod(n, LEGEND_PER_ROW)
        start = PADDING + cell * (WIDTH - 2 * PADDING) / LEGEND_PER_ROW
        y = PADDING + row * LEGEND_ROW
        legend.append(LegendItem(column, place(start, SWATCH), place(start + SWATCH + 6), y))
    top = PADDING + -(-len(COLUMNS) // LEGEND_PER_ROW) * LEGEND_ROW + 12

    bar_start = PADDING + YEAR_WIDTH + 8
    longest = max((counts.total for counts in dashboard.years), default=0) or 1
    scale = (WIDTH - bar_start - TOTAL_WIDTH - PADDING) / longest
    bars = []
    for n, counts in enumerate(dashboard.years):
        x: float = bar_start
        segments: list[Segment] = []
        for column, count in counts.cells:
            if count:
                width = count * scale
                segments.append(Segment(column, count, place(x, width), round(width, 1)))
                x += width
        bars.append(Bar(counts, top + n * BAR_ROW, place(PADDING + YEAR_WIDTH), segments, place(x + 6)))
    bottom = top + len(bars) * BAR_ROW
    return Chart(
        width=WIDTH,
        height=bottom + PADDING,
        direction="rtl" if rtl else "ltr",
        legend=legend,
        bars=bars,
        axis_x=place(bar_start),
        axis_top=top - 4,
        axis_bottom=bottom - (BAR_ROW - BAR_HEIGHT) + 4,
    )
