"""axe-core accessibility checks and page weights for the browser tests.

axe-core comes from the npm registry (tests/browser/axe/package.json, installed by
.ci/run or `npm ci --prefix tests/browser/axe`). The app's Content-Security-Policy
allows scripts from its own origin only, so the test server serves axe.min.js at
AXE_PATH beside the app (`serve_axe`, a WSGI wrapper that exists in the tests only);
the production headers are never weakened and Playwright's CSP bypass is not used.

    assert_no_axe_violations(page)   # every axe rule, any impact; a readable failure
    without_cache(page)              # then, after each visit:
    page_weight(page)                # bytes of the document and everything it loaded
    accessible_and_light(page, "where")  # both, within the limits, figures printed
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.middleware.shared_data import SharedDataMiddleware

from tests.helpers import unavailable

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: Where the test servers serve axe-core, on the app's own origin.
AXE_PATH = "/__tests__/axe.min.js"


def serve_axe(wsgi_app: Any) -> Any:
    """The app, with axe-core at AXE_PATH (for test servers only)."""
    return SharedDataMiddleware(wsgi_app, {AXE_PATH: str(AXE_SCRIPT)})


#: Every rule axe has, including those it leaves off by default (experimental ones).
RUN_AXE = """async () => {
  const rules = {};
  for (const rule of axe.getRules()) { rules[rule.ruleId] = {enabled: true}; }
  const result = await axe.run(document, {rules, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                              summary: n.failureSummary}))}));
}"""


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now, every rule and impact."""
    if not AXE_SCRIPT.exists():
        unavailable(f"axe-core is not installed ({AXE_SCRIPT}): "
                    "npm ci --prefix tests/browser/axe")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    return page.evaluate(RUN_AXE)


def describe(violations: list[dict]) -> str:
    """One line per rule, one indented line per element: what to fix, and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {node['html']}\n      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where or page.url}:\n{describe(violations)}"


#: The issue's limits for every public page, the files it loads included.
MAX_UNCOMPRESSED = 150 * 1024
MAX_COMPRESSED = 30 * 1024


@dataclass(frozen=True)
class Weight:
    """Body bytes of a page and of what it loaded: as decoded, and as sent (compressed)."""

    uncompressed: int
    compressed: int
    resources: int  # how many files besides the document


#: The navigation and every resource the page loaded, from Resource Timing; axe-core
#: itself (AXE_PATH) is the tests', not the page's. A file the browser revalidated in
#: its cache (304) has no body sizes there: such files are named, to fail loudly.
WEIGHT = """(axePath) => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")]
    .filter(e => new URL(e.name).pathname !== axePath);
  return {uncompressed: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
          compressed: entries.reduce((sum, e) => sum + e.encodedBodySize, 0),
          resources: entries.length - 1,
          cached: entries.filter(e => e.decodedBodySize === 0).map(e => e.name)};
}"""


def without_cache(page) -> None:
    """Load every file afresh, as on a first visit, so that page_weight counts it."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})


def page_weight(page) -> Weight:
    """The document and the CSS, scripts, fonts and images it loaded, once loaded.

    Call `without_cache(page)` before the first visit: a file taken from the cache
    has no size in the browser's figures.
    """
    page.wait_for_load_state("load")
    figures = page.evaluate(WEIGHT, AXE_PATH)
    cached = figures.pop("cached")
    assert not cached, f"taken from the cache, so not weighed (without_cache): {cached}"
    return Weight(**figures)


def accessible_and_light(page, where: str) -> Weight:
    """Weigh the page as loaded (before axe-core is added to it), print the figures,
    and fail on any axe violation or a page over MAX_UNCOMPRESSED / MAX_COMPRESSED.
    Needs `without_cache(page)` before the first visit."""
    weight = page_weight(page)
    print(f"{where:40} {weight.uncompressed / 1024:6.1f} KB read "
          f"{weight.compressed / 1024:5.1f} KB sent {weight.resources + 1:2} files")
    assert_no_axe_violations(page, where)
    assert weight.uncompressed <= MAX_UNCOMPRESSED, f"{where}: {weight}"
    assert weight.compressed <= MAX_COMPRESSED, f"{where}: {weight}"
    return weight
