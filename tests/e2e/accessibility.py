"""What axe-core (Deque's accessibility engine, pinned in package.json) finds on a page, against WCAG 2.2
level AA, run inside the page by the browser; whether the page makes a phone scroll sideways; what the
browser refuses under the page's Content-Security-Policy. And the demo's pages that the accessibility
tests go through (the public ones in one test file, the signed-in ones in another, so that the two
workers share them)."""

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from meetings.models import Job, Minutes, Session
from tests.e2e.actors import gives_the_second_factor

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => `${v.id} (${v.impact}): ` + v.nodes.map((n) => n.target.join(" ")).join(", "));
}"""


def violations(page) -> list[str]:
    """Each rule the page breaks, with the elements that break it; [] for a page with none."""
    assert AXE.exists(), f"{AXE} is missing: `npm ci` (make setup) installs axe-core"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(_RUN, WCAG_22_AA)


def sideways_overflow(page) -> int:
    """By how many CSS pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


WIDTHS = (1280, 390)
MISSING = "/no-such-page/"  # the page every unknown or unpublished address gets
LANGUAGES = ("", "/fr")  # Arabic at /, French at /fr/


@dataclass
class Person:
    """Someone browsing in two contexts of their own. In `page`, the browser blocks what the policy
    forbids and says so on the console (kept in `refused`). axe-core itself is an injected script: it runs
    in `axe`, a context that lets it in (`bypass_csp`). Both visit the same pages."""

    page: object
    axe: object
    refused: list[str] = field(default_factory=list)

    @classmethod
    def signed_in(cls, browser, base: str, login: str | None = None, credentials=("", "")) -> "Person":
        person = cls(
            browser.new_context(locale="ar-MA").new_page(),
            browser.new_context(locale="ar-MA", bypass_csp=True).new_page(),
        )
        person.page.on("console", person._console)
        for page in (person.page, person.axe) if login else ():
            page.goto(base + login)
            page.fill("#id_username", credentials[0])
            page.fill("#id_password", credentials[1])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            gives_the_second_factor(page, credentials[0])
        return person

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def leaves(self) -> None:
        self.page.context.close()
        self.axe.context.close()

    def check(self, base: str, paths: list[str], *, phone_fits: bool) -> dict[str, list[str]]:
        """What is wrong with each page, in each language and at each width: {} when nothing is."""
        found = {}
        for address in (language + path for language in LANGUAGES for path in paths):
            response = self.page.goto(base + address)
            expected = 404 if address.endswith(MISSING) else 200
            problems = [] if response.status == expected else [f"HTTP {response.status}"]
            if "content-security-policy" not in response.headers:
                problems.append("no Content-Security-Policy")
            problems += self.refused
            self.refused.clear()
            if problems:
                found[address] = problems
        for width in WIDTHS:
            self.axe.set_viewport_size({"width": width, "height": 900})
            for address in (language + path for language in LANGUAGES for path in paths):
                self.axe.goto(base + address)
                problems = violations(self.axe)
                if phone_fits and width < 576 and sideways_overflow(self.axe) > 0:
                    problems.append(f"scrolls sideways by {sideways_overflow(self.axe)} px")
                if problems:
                    found[f"{address} @ {width} px"] = problems
        return found


def demo_pages() -> dict[str, list[str]]:
    """The demo loaded (its two signed sessions of 2025 and the session it convenes), and its pages: the
    public ones, a board member's, the secretariat's in the admin."""
    call_command("load_demo", stdout=io.StringIO())
    december = Session.objects.get(year=2025, ordinal=2)
    upcoming = Session.objects.filter(date__gt=december.date, minutes_versions__isnull=True).get()
    code = Minutes.objects.filter(session=december).get().code
    # A preview the worker is rendering, as its progress page shows it.
    preview = Job.objects.create(
        kind=Job.Kind.PREVIEW,
        session=upcoming,
        requested_by=User.objects.get(username="secretariat"),
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        pages=3,
    )
    return {
        "public": [
            "/",
            "/sessions/2025/2/",
            "/sessions/2025/1/",
            f"/sessions/{upcoming.year}/{upcoming.ordinal}/",
            "/resolutions/",
            "/resolutions/2025/1/3/",
            "/search/?q=الميزانية",
            "/search/?q=budget",
            "/verify/",
            f"/verify/{code}/",
            "/members/login/",
            "/account/password/",
            "/account/password/sent/",
            MISSING,
        ],
        "member": ["/members/", f"/members/sessions/{december.pk}/", f"/members/sessions/{upcoming.pk}/"],
        "admin": [
            "/admin/",
            "/admin/meetings/session/",
            "/admin/meetings/session/add/",
            f"/admin/meetings/session/add/?from={december.pk}&date=2025-12-30",
            f"/admin/meetings/session/{december.pk}/change/",
            f"/admin/meetings/session/{upcoming.pk}/change/",
            f"/admin/meetings/minutes/{december.minutes_versions.get().pk}/change/",
            f"/admin/meetings/session/{upcoming.pk}/follow-up/",
            "/admin/decisions/resolution/dashboard/",
            "/admin/meetings/job/",
            preview.get_absolute_url(),
        ],
    }
