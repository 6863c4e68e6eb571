"""Minutes PDF rendering: WeasyPrint against headless Chromium printing the same HTML, in one run.

    DEBUG=1 .venv/bin/python benchmarks/pdf.py [--runs 5]

Builds the demo session (load_demo) and a large one (40 agenda items, 60 resolutions, 35 attendees) in a
throw-away SQLite database, renders each several times, and prints the median time and the peak memory
of each renderer, then the ratio. Memory: for WeasyPrint, the peak of what Python allocates during one
rendering (tracemalloc, in a separate run since tracing slows it down); for Chromium, the peak resident
set of its process (GNU time), which includes the browser itself.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entraide.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = "sqlite:///" + tempfile.mkdtemp() + "/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402

from meetings.minutes.pdf import STYLESHEET, TEMPLATE, minutes_context, render_minutes_pdf  # noqa: E402
from meetings.models import Session  # noqa: E402
from meetings.models.record import session_record  # noqa: E402
from tests import factory  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def build_sessions() -> dict:
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)
    board = factory.board(is_home=False)
    members = [factory.seat(board, name_ar=f"العضو رقم {n}") for n in range(1, 36)]
    large = factory.session(board, chair=members[0])
    for member in members:
        factory.attend(large, member)
    for position in range(1, 41):
        factory.agenda_item(large, position, deliberation="تداول المجلس في هذه النقطة تداولا مستفيضا. " * 6)
    for sequence in range(1, 61):
        factory.resolution(large, sequence)
    return {
        "demo (18 دجنبر 2025)": Session.objects.with_record().get(year=2025, ordinal=2, board__is_home=True),
        "large (40 items, 60 resolutions, 35 attendees)": Session.objects.with_record().get(pk=large.pk),
    }


def weasyprint_run(session) -> tuple[float, int, int]:
    started = time.perf_counter()
    pdf = render_minutes_pdf(session)
    return time.perf_counter() - started, 0, len(pdf)


def weasyprint_memory(session) -> int:
    """Peak bytes Python allocated for one rendering, measured apart: tracing slows rendering threefold."""
    tracemalloc.start()
    render_minutes_pdf(session)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def chromium_run(session, folder: Path) -> tuple[float, int, int]:
    """The same HTML and stylesheet, printed by Chromium (`--print-to-pdf`)."""
    html_path = folder / "minutes.html"
    if not html_path.exists():
        with translation.override("ar"):
            html = render_to_string(TEMPLATE, minutes_context(session, session_record(session), draft=False))
        html = html.replace("</head>", f'<link rel="stylesheet" href="file://{STYLESHEET}"></head>')
        html_path.write_text(html, encoding="utf-8")
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
        html_path.as_uri(),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    peak_kib = int(done.stderr.strip().splitlines()[-1])  # GNU time's %M: max resident set, KiB
    return elapsed, peak_kib * 1024, out.stat().st_size


def measure(label: str, runs: int, run) -> dict:
    results = [run() for _ in range(runs)]
    return {
        "label": label,
        "median_s": statistics.median(r[0] for r in results),
        "peak_mib": max(r[1] for r in results) / 2**20,
        "size_kib": results[-1][2] / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    have_chromium = CHROMIUM.exists() and Path("/usr/bin/time").exists()
    print(f"runs per figure: {args.runs}; chromium: {'yes' if have_chromium else 'missing, peer skipped'}\n")
    print(f"{'session':48} {'renderer':11} {'median s':>9} {'peak MiB':>9} {'PDF KiB':>8} {'ratio':>6}")
    for name, session in build_sessions().items():
        render_minutes_pdf(session)  # warm-up: fonts, template cache
        ours = measure("WeasyPrint", args.runs, lambda s=session: weasyprint_run(s))
        ours["peak_mib"] = weasyprint_memory(session) / 2**20
        rows = [ours]
        if have_chromium:
            with tempfile.TemporaryDirectory() as folder:
                rows.append(
                    measure("Chromium", args.runs, lambda s=session, f=Path(folder): chromium_run(s, f))
                )
        for row in rows:
            ratio = row["median_s"] / ours["median_s"]
            print(
                f"{name:48} {row['label']:11} {row['median_s']:9.3f} {row['peak_mib']:9.1f} "
                f"{row['size_kib']:8.0f} {ratio:6.2f}"
            )
    print(
        "\nratio: median time relative to WeasyPrint on the same session (>1 means slower than WeasyPrint)."
    )


if __name__ == "__main__":
    main()
