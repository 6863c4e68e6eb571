"""What axe-core (Deque's accessibility engine, pinned in package.json) finds on a page, against WCAG 2.2
level AA, run inside the page by the browser; and whether the page makes a phone scroll sideways."""

from pathlib import Path

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
