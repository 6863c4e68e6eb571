"""Minutes PDF rendering: the CPU time of WeasyPrint against headless Chromium printing the same HTML.

    DEBUG=1 .venv/bin/python benchmarks/pdf.py [--runs 7] [--short]

Builds the demo session (load_demo, which signs its minutes: a demo PKI and signing service answer in
threads of this process) and a large one (40 agenda items, 60 resolutions, 35 attendees) in a throw-away
SQLite database. For each, WeasyPrint and Chromium run in turn, pair by pair (W, C, W, C, ...), so that
whatever else the machine does weighs on both alike; the table gives the median CPU seconds of each and
the ratio WeasyPrint / Chromium.

CPU, not wall time: WeasyPrint's is this process's (time.process_time, the whole of render_minutes_pdf:
the record, the template, WeasyPrint, the finisher); Chromium's is that of every process the browser
starts, its renderer and utility processes included. Chromium leaves some of them to exit after the
browser, orphaned: this process declares itself their reaper (Linux's PR_SET_CHILD_SUBREAPER) and waits
for them, so that their CPU time is counted too (GNU time alone saw 40 to 50% of it). The breakdown
splits WeasyPrint's time by the steps its progress log announces (Python's garbage collections fall in
whichever step they interrupt). Memory: WeasyPrint's peak of Python allocations (tracemalloc, a run
apart, as tracing slows it), Chromium's largest process (GNU time).

Then the floors: WeasyPrint given the large session's words as plain paragraphs with only the fonts
styled (what no stylesheet or markup can save), the same in Latin letters left to right in one font (what
the Arabic costs: shaping, bidi, a second font), and Chromium printing a page of one letter (what its
start and stop cost, whatever the document).

--short: one pair, the demo session only, the same tables and no floors, nothing asserted (CI runs it to
check that the script works).
"""

import argparse
import ctypes
import io
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entraide.settings")
os.environ.setdefault("DEBUG", "1")
SCRATCH = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/bench.sqlite3"

import django  # noqa: E402
import tinyhtml5  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402

import meetings.minutes.pdf as minutes_pdf  # noqa: E402
from meetings.minutes.pdf import STYLESHEET, TEMPLATE, minutes_context, render_minutes_pdf  # noqa: E402
from meetings.models import Session  # noqa: E402
from meetings.models.record import session_record  # noqa: E402
from meetings.seal import demo_pki, signing_service  # noqa: E402
from tests import factory  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36


def start_signing() -> None:
    """load_demo signs the demo's minutes: a PKI of its own under SCRATCH, its responder and the signing
    service in threads of this process (as tests/conftest.py's `signing_keys`)."""
    settings.MEDIA_ROOT = SCRATCH / "media"
    settings.SIGNING_PKCS12 = SCRATCH / "signing" / "institution.p12"
    settings.SIGNING_TRUST_ROOTS = SCRATCH / "signing" / "ca.pem"
    responder = demo_pki.server("127.0.0.1", 0, quiet=True)
    settings.SIGNING_DEMO_PKI_URL = f"http://127.0.0.1:{responder.server_port}"
    settings.SIGNING_TSA_URL = settings.SIGNING_DEMO_PKI_URL + demo_pki.TSA_PATH
    settings.SIGNING_SERVICE_URL = signing_service.start("127.0.0.1", 0, quiet=True).url
    call_command("init_signing", stdout=io.StringIO())
    threading.Thread(target=responder.serve_forever, daemon=True).start()


def build_sessions(*, short: bool = False) -> dict:
    logging.disable(logging.INFO)  # the demo's signing, told line by line
    call_command("migrate", verbosity=0)
    start_signing()
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    logging.disable(logging.NOTSET)
    sessions = {"demo": Session.objects.with_record().get(year=2025, ordinal=2, board__is_home=True)}
    if short:
        return sessions
    board = factory.board(is_home=False)
    members = [factory.seat(board, name_ar=f"العضو رقم {n}") for n in range(1, 36)]
    large = factory.session(board, chair=members[0])
    for member in members:
        factory.attend(large, member)
    for position in range(1, 41):
        factory.agenda_item(large, position, deliberation="تداول المجلس في هذه النقطة تداولا مستفيضا. " * 6)
    for sequence in range(1, 61):
        factory.resolution(large, sequence)
    sessions["large"] = Session.objects.with_record().get(pk=large.pk)
    return sessions


# WeasyPrint's steps, as its progress log names them («Step 5 - Creating layout - Page 3»), and the
# finisher of meetings.minutes.pdf, timed apart.
PHASES = {
    "Step 1": "html",
    "Step 2": "css parse",
    "Step 3": "cascade",
    "Step 4": "boxes",
    "Step 5": "layout",
    "Step 6": "pdf",
    "Step 7": "pdf",
}
COLUMNS = ["template", "html", "css parse", "cascade", "boxes", "layout", "pdf", "finisher"]


class _Steps(logging.Handler):
    """process_time() at each step WeasyPrint announces."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.marks: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        phase = PHASES.get(str(record.msg)[:6])
        if phase and (not self.marks or self.marks[-1][1] != phase):
            self.marks.append((time.process_time(), phase))


def weasyprint_run(session) -> dict:
    """One rendering: total CPU seconds, the seconds of each phase, the PDF's size."""
    steps, finish = _Steps(), minutes_pdf._finish
    finished: list[float] = []

    def timed_finish(document, pdf) -> None:
        started = time.process_time()
        finish(document, pdf)
        finished.append(time.process_time() - started)

    progress = logging.getLogger("weasyprint.progress")
    progress.addHandler(steps)
    minutes_pdf._finish = timed_finish
    try:
        started = time.process_time()
        pdf = render_minutes_pdf(session)
        ended = time.process_time()
    finally:
        minutes_pdf._finish = finish
        progress.removeHandler(steps)
    phases = dict.fromkeys(COLUMNS, 0.0)
    marks = [(started, "template"), *steps.marks, (ended, None)]
    for (at, phase), (until, _) in zip(marks, marks[1:], strict=False):
        phases[phase] += until - at
    phases["pdf"] -= sum(finished)
    phases["finisher"] = sum(finished)
    return {"cpu": ended - started, "phases": phases, "size": len(pdf)}


def weasyprint_memory(session) -> int:
    """Peak bytes Python allocated for one rendering, measured apart: tracing slows rendering threefold."""
    tracemalloc.start()
    render_minutes_pdf(session)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reap_orphans(timeout: float = 10.0) -> None:
    """Wait for the processes Chromium left behind (reparented to this one, the subreaper)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.01)


def chromium_html(session, folder: Path) -> Path:
    """The HTML WeasyPrint is given, with the stylesheet linked, for Chromium."""
    with translation.override("ar"):
        html = render_to_string(TEMPLATE, minutes_context(session, session_record(session), draft=False))
    html = html.replace("</head>", f'<link rel="stylesheet" href="{STYLESHEET.as_uri()}"></head>')
    path = folder / "minutes.html"
    path.write_text(html, encoding="utf-8")
    return path


def chromium_run(html: Path, folder: Path) -> dict:
    """The same HTML and stylesheet, printed by Chromium (`--print-to-pdf`): the CPU of all its processes."""
    out = folder / "chromium.pdf"
    command = [
        "/usr/bin/time",
        "-f",
        "%M",
        str(CHROMIUM),
        "--headless",
        *CHROMIUM_ARGS,
        f"--user-data-dir={folder / 'profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
        html.as_uri(),
    ]
    before = _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    _reap_orphans()
    peak_kib = int(done.stderr.strip().splitlines()[-1])  # GNU time's %M: max resident set, KiB
    return {"cpu": _children_cpu() - before, "peak": peak_kib * 1024, "size": out.stat().st_size}


# The floors: what the same words cost WeasyPrint with nothing asked of it but the fonts, and what Chromium
# costs before it prints anything.
FONTS_ONLY = "\n".join(line for line in STYLESHEET.read_text().splitlines() if line.startswith("@font-face"))
PLAIN = "@page { size: A4; margin: 24mm 20mm 22mm 20mm } p { margin: 0 0 2mm } body { font-size: 11.5pt; line-height: 1.75 }"
ARABIC_LETTERS = "".join(chr(c) for c in range(0x0621, 0x064B))


def plain_paragraphs(session) -> list[str]:
    """The text of the minutes' paragraphs, headings, list items and table cells, one string each."""
    with translation.override("ar"):
        html = render_to_string(TEMPLATE, minutes_context(session, session_record(session), draft=False))
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    blocks = {"p", "li", "h1", "h2", "h3", "th", "td"}
    return [" ".join("".join(e.itertext()).split()) for e in root.iter() if e.tag in blocks]


def plain_run(paragraphs: list[str], *, latin: bool = False) -> float:
    """WeasyPrint's CPU seconds for paragraphs as plain <p>, as tagged PDF/A-3a: in Arabic (right to left,
    Noto Naskh Arabic then Noto Serif), or each Arabic letter made a Latin one (left to right, Noto Serif
    alone). The stylesheet and its fonts made once, as render_minutes_pdf keeps them."""
    if latin:
        letters = str.maketrans(ARABIC_LETTERS, ("abcdefghijklmnopqrstuvwxyz" * 2)[: len(ARABIC_LETTERS)])
        paragraphs = [p.translate(letters) for p in paragraphs]
    language, direction, family = (
        ("fr", "ltr", "'Noto Serif'") if latin else ("ar", "rtl", "'Noto Naskh Arabic', 'Noto Serif'")
    )
    html = (
        f'<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8"><title>x</title>'
        f"</head><body>{''.join(f'<p>{escape(p)}</p>' for p in paragraphs)}"
    )
    if family not in PLAIN_STYLESHEETS:
        fonts = FontConfiguration()
        css = CSS(string=f"{FONTS_ONLY}\n{PLAIN} body {{ font-family: {family} }}", font_config=fonts)
        PLAIN_STYLESHEETS[family] = css, fonts
    stylesheet, fonts = PLAIN_STYLESHEETS[family]
    started = time.process_time()
    HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/a-3a")
    return time.process_time() - started


PLAIN_STYLESHEETS: dict[str, tuple] = {}


def floors(session, runs: int, have_chromium: bool) -> list[tuple[str, float]]:
    """Median CPU seconds of each floor."""
    logging.disable(logging.INFO)  # WeasyPrint's steps, told outside render_minutes_pdf's counting of pages
    paragraphs = plain_paragraphs(session)
    plain_run(paragraphs), plain_run(paragraphs, latin=True)  # warm-up
    found = [
        (
            "WeasyPrint: the large session's words as plain paragraphs, only the fonts styled",
            statistics.median(plain_run(paragraphs) for _ in range(runs)),
        ),
        (
            "WeasyPrint: the same in Latin letters, left to right, in one font",
            statistics.median(plain_run(paragraphs, latin=True) for _ in range(runs)),
        ),
    ]
    if have_chromium:
        with tempfile.TemporaryDirectory() as folder:
            blank = Path(folder) / "blank.html"
            blank.write_text("<!doctype html><title>x</title><p>x</p>", encoding="utf-8")
            chromium_run(blank, Path(folder))
            cpu = statistics.median(chromium_run(blank, Path(folder))["cpu"] for _ in range(runs))
        found.append(("Chromium: a page of one letter (the browser's start and stop)", cpu))
    logging.disable(logging.NOTSET)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs (W, C) per session")
    parser.add_argument("--short", action="store_true", help="one pair, the demo only, no floors (CI)")
    args = parser.parse_args()
    runs = 1 if args.short else args.runs
    have_chromium = CHROMIUM.exists() and Path("/usr/bin/time").exists()
    reaper = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    sessions = build_sessions(short=args.short)
    print(
        f"pairs per session: {runs}; chromium: {'yes' if have_chromium else 'missing, skipped'}"
        f"{'' if reaper or not have_chromium else ' (no subreaper: its orphaned processes are not counted)'}\n"
    )
    table, breakdown = [], []
    for name, session in sessions.items():
        render_minutes_pdf(session)  # warm-up: fonts, template cache
        ours, theirs = [], []
        with tempfile.TemporaryDirectory() as folder:
            html = chromium_html(session, Path(folder))
            if have_chromium:
                chromium_run(html, Path(folder))  # warm-up: the profile, the page cache
            for _ in range(runs):
                ours.append(weasyprint_run(session))
                if have_chromium:
                    theirs.append(chromium_run(html, Path(folder)))
        w_cpu = statistics.median(r["cpu"] for r in ours)
        c_cpu = statistics.median(r["cpu"] for r in theirs) if theirs else None
        w_peak = None if args.short else weasyprint_memory(session)
        table.append((name, "WeasyPrint", w_cpu, w_peak, ours[-1]["size"], w_cpu / c_cpu if c_cpu else None))
        if theirs:
            table.append((name, "Chromium", c_cpu, max(r["peak"] for r in theirs), theirs[-1]["size"], None))
        breakdown.append((name, {c: statistics.median(r["phases"][c] for r in ours) for c in COLUMNS}))

    print(f"{'session':8} {'renderer':11} {'CPU s':>7} {'peak MiB':>9} {'PDF KiB':>8} {'W/C':>6}")
    for name, renderer, cpu, peak, size, ratio in table:
        print(
            f"{name:8} {renderer:11} {cpu:7.3f} {'-' if peak is None else f'{peak / 2**20:.1f}':>9} "
            f"{size / 1024:8.0f} {'' if ratio is None else f'{ratio:6.2f}'}"
        )
    print(
        "\nW/C: WeasyPrint's median CPU time over Chromium's on the same session (>1: WeasyPrint costs more)."
    )
    print("\nWeasyPrint, median CPU s per phase (template: the record and the Django template; boxes: the")
    print(
        "computed styles and the box tree; pdf: drawing, fonts and writing; finisher: meetings.minutes.pdf):"
    )
    print(f"{'session':8} " + " ".join(f"{c:>9}" for c in COLUMNS))
    for name, phases in breakdown:
        print(f"{name:8} " + " ".join(f"{phases[c]:9.3f}" for c in COLUMNS))
    if not args.short:
        print("\nFloors, median CPU s:")
        for what, cpu in floors(sessions["large"], runs, have_chromium):
            print(f"{what:84} {cpu:7.3f}")


if __name__ == "__main__":
    main()
