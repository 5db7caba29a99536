"""In a real browser: reaching the agenda, French everywhere, a clean uninstall
(issue 13, points 2, 13 and 16).

Point 13: with the site in French, every back-office and citizen page shows
no English message of the add-on: none of its ``collective.rendezvous``
messages, none of the titles Plone translates in the ``plone`` domain
(object actions, workflow states and transitions, Sharing roles; the add-on
ships them in ``locales/fr/LC_MESSAGES/plone.po``), no "Add row"/"Delete
row" of the datagrid widget (``collective.z3cform.datagridfield.po``), and
the folder's view is named in the Display menu.
"""

from pathlib import Path
from playwright.sync_api import expect
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import PASSWORD
from test_slots_api import next_weekday

import base64
import pytest
import re
import sys


LOCALES = Path(__file__).resolve().parents[2] / "src/collective/rendezvous/locales"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))

from test_i18n import read_po  # noqa: E402


def english_messages() -> set[str]:
    """English texts that a French page must not show.

    Each message whose French differs from its English (so "Agenda" or
    "Public", the same in both, are left out), without ${placeholders}.
    """
    english = set()
    for domain in (
        "collective.rendezvous",
        "plone",
        "collective.z3cform.datagridfield",
    ):
        for entry in read_po(LOCALES / "fr" / "LC_MESSAGES" / f"{domain}.po"):
            text = entry.default or entry.msgid
            if "${" in text or not entry.msgstr or entry.msgstr == text:
                continue
            english.add(" ".join(text.split()))
    return english


# Every text node and the attributes people read or hear, whitespace folded.
TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(
    document.documentElement, NodeFilter.SHOW_TEXT
  );
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    // Scripts are not read; a textarea holds data (e.g. the settings' texts,
    // written in the site's language of the day), not the interface.
    const skip = ["SCRIPT", "STYLE", "NOSCRIPT", "TEXTAREA"];
    if (parent && skip.includes(parent.tagName)) continue;
    texts.push(walker.currentNode.textContent);
  }
  const read = "[title], [aria-label], [placeholder], [alt], input[type=submit]";
  for (const element of document.querySelectorAll(read)) {
    // Plone's listings give an item's type id (e.g. Counter) as its title.
    if (element.matches(".summary, a.url")) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt", "value"]) {
      const shown = name !== "value" || element.type === "submit";
      if (shown && element.hasAttribute(name)) {
        texts.push(element.getAttribute(name));
      }
    }
  }
  return texts.map((t) => t.replace(/\\s+/g, " ").trim()).filter((t) => t);
}"""


def english_on(page, english: set[str]) -> list[str]:
    return sorted({text for text in page.evaluate(TEXTS) if text in english})


@pytest.fixture
def french(manager, portal_url):
    response = manager.patch(
        f"{portal_url}/@controlpanels/language",
        json={"default_language": "fr", "available_languages": ["fr", "en"]},
    )
    assert response.status_code == 204, response.text


def context_for(browser, user=None, password=PASSWORD, locale="fr-FR"):
    from conftest import TIMEOUT
    from conftest import VIEWPORT

    options = {"viewport": VIEWPORT, "locale": locale}
    if user:
        # Sent with every request: Plone answers anonymous pages without
        # the 401 challenge that http_credentials would wait for.
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        options["extra_http_headers"] = {"Authorization": f"Basic {token}"}
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT)
    return context


def owner_context(browser, locale="fr-FR"):
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD

    return context_for(browser, SITE_OWNER_NAME, SITE_OWNER_PASSWORD, locale)


# The first "Book for a citizen" link of the agenda page before it.
BOOK_FOR = "book-for"


# -- point 13 --------------------------------------------------------------------


def test_every_page_is_in_french(
    browser,
    portal_url,
    site,
    agents,  # noqa: F811
    french,
    manager,
):
    english = english_messages()
    assert {"Calendar feed", "Internal", "Back office", "Apply to a counter"} <= english
    assert "Add row" in english and "Books appointments (agent)" in english
    folder = site["folder"]["@id"]
    counter = site["counters"][0]["@id"]
    place = site["place"]["@id"]
    week = site["week"]["@id"]
    day = next_weekday(2).isoformat()
    back_office = [
        portal_url,
        f"{portal_url}/@@rendezvous-controlpanel",
        f"{portal_url}/@@rendezvous-my-agenda",
        folder,
        f"{folder}/edit",
        f"{folder}/@@rendezvous-unscheduled",
        site["type"]["@id"],
        f"{site['type']['@id']}/edit",
        place,
        f"{place}/@@rendezvous-agenda?view=week&date={day}",
        week,
        f"{week}/edit",
        f"{week}/@@apply-week",
        counter,
        f"{counter}/edit",
        f"{counter}/@@sharing",
        f"{counter}/@@rendezvous-agenda?date={day}",
        BOOK_FOR,
        f"{counter}/@@rendezvous-feed",
    ]
    citizen = [
        folder,
        f"{folder}?appointment_type={site['type']['UID']}",
    ]
    found = {}
    contexts = [
        (owner_context(browser), back_office),
        (context_for(browser, "agent_a"), back_office[2:3] + back_office[-4:]),
        (context_for(browser), citizen),
    ]
    try:
        for context, urls in contexts:
            page = context.new_page()
            for url in urls:
                if url == BOOK_FOR:
                    link = page.locator("a[href*='@@rendezvous-book-for']").first
                    url = link.get_attribute("href")
                response = page.goto(url)
                assert response.status < 400, (url, response.status)
                assert "login" not in page.url, url
                assert (page.locator("#personaltools-menulink").count() > 0) == (
                    context is not contexts[-1][0]
                ), url
                # The toolbar's menus (Display, state, Add) are in the page.
                left = english_on(page, english)
                if left:
                    found[url] = left
    finally:
        for context, _urls in contexts:
            context.close()
    assert not found, "English messages on French pages:\n" + "\n".join(
        f"{url}: {texts}" for url, texts in found.items()
    )


def test_french_toolbar_names(browser, portal_url, site, french):
    """What the issue saw in English, now in French, where the user sees it."""
    context = owner_context(browser)
    page = context.new_page()
    page.goto(site["week"]["@id"])
    expect(page.locator("#plone-contentmenu-workflow")).to_contain_text("Interne")
    expect(page.get_by_text("Appliquer à un guichet").first).to_be_attached()
    page.goto(site["counters"][0]["@id"])
    expect(page.get_by_text("Flux de calendrier").first).to_be_attached()
    page.goto(f"{site['counters'][0]['@id']}/@@sharing")
    expect(page.get_by_text("Prend les rendez-vous (agent)").first).to_be_attached()
    page.goto(site["folder"]["@id"])
    expect(page.get_by_text("Back-office").first).to_be_attached()
    expect(page.locator("#plone-contentmenu-display")).to_contain_text(
        "Page de prise de rendez-vous"
    )
    page.goto(f"{site['counters'][0]['@id']}/edit")
    expect(page.locator("[aria-label='Ajouter une ligne']").first).to_be_attached()
    context.close()


# -- point 2 ---------------------------------------------------------------------


def test_an_agent_goes_from_the_home_page_to_the_agenda(
    browser,
    portal_url,
    site,
    agents,  # noqa: F811
):
    context = context_for(browser, "agent_a", locale="en-GB")
    page = context.new_page()
    page.goto(portal_url)
    # The booking page is in the main navigation.
    expect(
        page.locator("#portal-globalnav").get_by_role("link", name="Rendez-vous")
    ).to_have_attribute("href", site["folder"]["@id"])
    # The personal menu (toolbar) offers "My agenda".
    page.locator("#personaltools-menulink").click()
    link = page.locator("#personaltools-rendezvous_my_agenda")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Agenda of Mairie").click()
    expect(page.get_by_role("heading", name=re.compile("^Agenda"))).to_be_visible()
    assert "/@@rendezvous-agenda" in page.url
    context.close()


# -- point 16 --------------------------------------------------------------------


def test_uninstall_then_reinstall(browser, portal_url, site, manager):
    response = manager.patch(
        f"{portal_url}/@controlpanels/rendezvous", json={"reminder_hours": 36}
    )
    assert response.status_code == 204, response.text
    context = owner_context(browser, locale="en-GB")
    page = context.new_page()
    # The control panel says what stays and how to delete it.
    page.goto(f"{portal_url}/@@rendezvous-controlpanel")
    notice = page.locator("#rendezvous-uninstall")
    expect(notice).to_contain_text("personal data")
    expect(notice).to_contain_text("delete the appointment services")

    page.goto(f"{portal_url}/prefs_install_products_form")
    form = page.locator(
        "form[action='uninstall_products']:has(input[value='collective.rendezvous'])"
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Uninstall").click()
    installed = manager.get(f"{portal_url}/@addons/collective.rendezvous").json()
    assert installed["is_installed"] is False
    # The folder left behind still opens (Plone's listing), nothing to add.
    response = page.goto(site["folder"]["@id"])
    assert response.status == 200
    page.goto(portal_url)
    expect(page.locator("#plone-contentmenu-factories")).not_to_contain_text(
        "Appointment service"
    )

    # Installing again (same process, another connection) finds the
    # settings as they were, and the booking page back.
    response = manager.post(f"{portal_url}/@addons/collective.rendezvous/install")
    assert response.status_code in (200, 204), response.text
    settings = manager.get(f"{portal_url}/@controlpanels/rendezvous").json()
    assert settings["data"]["reminder_hours"] == 36
    page.goto(site["folder"]["@id"])
    expect(page.locator("#step-type")).to_be_attached()
    context.close()
