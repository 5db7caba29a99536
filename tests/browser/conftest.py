"""Browser tests: Debian's chromium driven by Playwright's Python API (issue 6).

The pages are served by the functional layer's real WSGI server
(``functional_portal`` / ``portal_url``) and the site is built over REST by
the ``site`` fixture of ``tests/functional/test_slots_api.py``.

``make browser-deps`` installs what they need: Debian's ``chromium`` (apt-get,
when missing) and the pinned ``axe-core`` (npm, into ``.browser/``). Without
chromium the whole folder is skipped, loudly; with ``CI=true`` it fails
instead, since CI must run these tests.
"""

from pathlib import Path

import json
import os
import pytest
import shutil
import sys


HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# test_slots_api (the `site` fixture) lives beside the functional tests.
sys.path.insert(0, str(HERE.parent / "functional"))

from test_slots_api import site  # noqa: E402, F401 - fixture


CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
# The flags known to work on these machines: no sandbox as root, and no
# background connections (the network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# AXE_JS=/path/to/axe.min.js gives another copy (a missing one shows what
# the tests do without axe-core).
AXE_JS = Path(
    os.environ.get("AXE_JS")
    or ROOT / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
)
AXE_MISSING = f"AXE-CORE NOT INSTALLED at {AXE_JS}: run `make browser-deps`"
# Where the screenshots go: a temporary folder, unless asked for, e.g.
# RENDEZVOUS_SCREENSHOTS=docs/screenshots to refresh the guides' images
# (a relative path is from the repository's root). Tests must not rewrite
# tracked files by themselves.
SCREENSHOTS_ENV = "RENDEZVOUS_SCREENSHOTS"
VIEWPORT = {"width": 1280, "height": 900}
# Playwright waits this long (ms) at most for a page or an element.
TIMEOUT = 15_000


def _missing() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        return (
            f"chromium not found at {CHROMIUM}"
            + (f" (there is one at {found}: set CHROMIUM={found})" if found else "")
            + ": run `make browser-deps` (apt-get install chromium, as root)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing: run `make install`"
    return None


MISSING = _missing()
SKIP_REASON = f"BROWSER TESTS NOT RUN: {MISSING}" if MISSING else None


def pytest_collection_modifyitems(config, items):
    if not MISSING:
        return
    if os.environ.get("CI") == "true":
        return  # CI must run them: the `browser` fixture fails instead.
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter):
    if MISSING:
        terminalreporter.write_sep("!", SKIP_REASON, red=True, bold=True)


@pytest.fixture(scope="session")
def browser():
    if MISSING:  # only with CI=true: the tests are skipped otherwise
        pytest.fail(f"{SKIP_REASON} (CI=true: CI must run the browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives each launch a new, empty user data directory.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, portal_url):
    # After portal_url: closed before the test server's site goes away.
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def citizen_site(site, manager):  # noqa: F811
    """The `site` of the slots tests, its type with two options, and a second type."""
    response = manager.patch(
        site["type"]["@id"],
        json={
            "options": ["CNI", "Passeport"],
            "detail": "Carte nationale d'identité ou passeport, demande ou retrait",
        },
    )
    assert response.status_code == 204, response.text
    response = manager.post(
        site["folder"]["@id"],
        json={
            "@type": "AppointmentType",
            "title": "État civil",
            "detail": "Mariage, PACS, reconnaissance, livret de famille",
            "duration": 30,
            "horizon": "6m",
            "portal_visible": True,
        },
    )
    assert response.status_code == 201, response.text
    return site


# Plone's own chrome (Barceloneta, Plone 6.2.2), not ours, fails WCAG's 4.5:1
# contrast (axe color-contrast, serious). Only that rule, only there, is left
# out; everything else on those elements, and all of our content, is checked.
CHROME_CONTRAST = {
    # white on #007bb1: 4.45:1
    "#portal-searchbox .searchButton": "the search button of the global nav",
    # #007bb1 on #e9ecef: 3.96:1
    "#portal-breadcrumbs a": "the breadcrumbs' links",
    # #007bb1 on #212529: 3.28:1
    "#portal-footer-wrapper a": "the footer's links (colophon, site actions)",
}

AXE_RUN = """async ([options, chrome]) => {
  const result = await axe.run(document, options);
  for (const violation of result.violations) {
    if (violation.id !== "color-contrast") continue;
    violation.nodes = violation.nodes.filter((node) => {
      const element = document.querySelector(node.target[0]);
      return !(element && element.closest(chrome));
    });
  }
  return result.violations.filter((violation) => violation.nodes.length);
}"""


class AxeMissing(Exception):
    """axe-core is not installed (and CI is not set): the page is not checked."""


def axe_check(page, name: str) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page: no serious or critical.

    The other violations are printed (``pytest -s`` shows them) and returned.
    Without axe-core, fails with ``CI=true``, else raises ``AxeMissing`` so
    that a test can go on with what does not need axe-core.
    """
    if not AXE_JS.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE_MISSING} (CI=true: CI must run the axe checks)")
        raise AxeMissing(AXE_MISSING)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    options = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
        },
        "resultTypes": ["violations"],
    }
    violations = page.evaluate(AXE_RUN, [options, ", ".join(CHROME_CONTRAST)])
    for violation in violations:
        print(
            f"axe [{name}] {violation['impact']}: {violation['id']}: "
            f"{violation['help']} -> "
            + json.dumps([node["target"] for node in violation["nodes"]])
        )
    severe = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not severe, f"axe on {name}: " + json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "html": n["html"][:200]} for n in v["nodes"]
                ],
            }
            for v in severe
        ],
        indent=1,
        ensure_ascii=False,
    )
    return violations


# What a test catches to go on without axe-core: ``except axe.Missing``.
axe_check.Missing = AxeMissing
axe_check.reason = AXE_MISSING


@pytest.fixture
def axe():
    return axe_check


def screenshots_folder(tmp_path_factory) -> Path:
    """``$RENDEZVOUS_SCREENSHOTS`` when set, else a temporary folder."""
    wanted = os.environ.get(SCREENSHOTS_ENV)
    if not wanted:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(wanted)
    return folder if folder.is_absolute() else ROOT / folder


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory):
    """Save what the 1280x900 viewport shows as <folder>/<name>.png."""
    folder = screenshots_folder(tmp_path_factory)

    def save_screenshot(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled", caret="hide")
        assert path.stat().st_size > 0
        return path

    return save_screenshot


@pytest.fixture
def bookings(manager):
    """The bookings of a site's folder, as the agents' API lists them."""

    def bookings(site):  # noqa: F811
        response = manager.get(f"{site['folder']['@id']}/@bookings")
        assert response.status_code == 200, response.text
        return response.json()["items"]

    return bookings
