"""How the booking page is reached, and what is not public (issue 13, points 2, 15).

Point 2: the appointment service (the citizens' booking page) shows in the
navigation and the site maps; an agent finds their agenda from any page.
Point 15: counters and reference weeks are internal: anonymous visitors
cannot open them (closure reasons are working data) nor find them in the
site search; citizens still get the slots of counters through ``@slots``.
"""

from helpers import owner_page_session
from helpers import page_session
from plone import api
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import PASSWORD
from test_agenda import refused_to_anonymous
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from test_slots_api import slots

import datetime
import gzip
import pytest
import transaction


REASON = "Formation interne de Mme Martin"


@pytest.fixture
def closed_counter(site, manager):  # noqa: F811
    """The first counter of `site`, closed one day with an internal reason."""
    counter = site["counters"][0]
    day = datetime.date.today() + datetime.timedelta(days=30)
    response = manager.patch(
        counter["@id"],
        json={
            "closures": [
                {"start": day.isoformat(), "end": day.isoformat(), "label": REASON}
            ]
        },
    )
    assert response.status_code == 204, response.text
    return counter


# -- point 15 ------------------------------------------------------------------


@pytest.mark.parametrize("what", ["counter", "week"])
def test_anonymous_cannot_open_counters_or_weeks(site, closed_counter, what):  # noqa: F811
    url = closed_counter["@id"] if what == "counter" else site["week"]["@id"]
    with page_session() as anonymous_page:
        response = anonymous_page.get(url, allow_redirects=False)
        assert refused_to_anonymous(response), (response.status_code, url)
        assert REASON not in response.text
        # Nor over REST.
        response = anonymous_page.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 401, response.text
        assert REASON not in response.text


def test_counters_and_weeks_are_internal_for_the_manager(site, manager):  # noqa: F811
    for obj in (site["counters"][0], site["week"]):
        body = manager.get(obj["@id"]).json()
        assert body["review_state"] == "internal", obj["@id"]
    # The booking page itself stays public.
    assert manager.get(site["folder"]["@id"]).json()["review_state"] == "public"


def test_the_site_search_does_not_list_counters(
    site,  # noqa: F811
    closed_counter,
    anonymous,
    manager,
    portal_url,
):
    for query in (
        {"portal_type": "Counter"},
        {"SearchableText": "Guichet"},
        {"portal_type": "ReferenceWeek"},
    ):
        found = anonymous.get(f"{site['folder']['@id']}/@search", params=query)
        assert found.status_code == 200, found.text
        assert found.json()["items_total"] == 0, (query, found.json()["items"])
    # The manager still finds them (the back office works on them).
    found = manager.get(
        f"{site['folder']['@id']}/@search", params={"portal_type": "Counter"}
    ).json()
    assert found["items_total"] == 2
    # And the HTML search page for anonymous visitors.
    with page_session() as anonymous_page:
        page = anonymous_page.get(
            f"{portal_url}/@@search", params={"SearchableText": "Guichet"}
        )
        assert page.status_code == 200
        assert closed_counter["@id"] not in page.text


def test_citizens_still_get_the_counters_slots(site, anonymous):  # noqa: F811
    day = next_weekday(2)
    items = slots(anonymous, site, day)
    assert {item["counter"] for item in items} == {
        counter["UID"] for counter in site["counters"]
    }
    with page_session() as anonymous_page:
        page = anonymous_page.get(
            site["folder"]["@id"],
            params={"appointment_type": site["type"]["UID"]},
        )
        assert page.status_code == 200


def test_existing_public_counters_become_internal_on_install(
    site,  # noqa: F811
    manager,
    functional_portal,
):
    """Counters made before this version were public: the install fixes them."""
    transaction.abort()
    with api.env.adopt_roles(["Manager"]):
        counter = api.content.get(UID=site["counters"][0]["UID"])
        api.content.transition(counter, transition="show")
    transaction.commit()
    assert manager.get(site["counters"][0]["@id"]).json()["review_state"] == "public"
    # What the default profile runs after its import steps.
    from collective.rendezvous.setuphandlers import post_install

    post_install(None)
    transaction.commit()
    assert manager.get(site["counters"][0]["@id"]).json()["review_state"] == "internal"


# -- point 2 -------------------------------------------------------------------


def test_the_booking_page_is_in_the_navigation(site):  # noqa: F811
    with page_session() as anonymous_page:
        home = anonymous_page.get(api.portal.get().absolute_url())
    assert home.status_code == 200
    nav = home.text.split('id="portal-globalnav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{site["folder"]["@id"]}"' in nav


def test_the_booking_page_is_in_the_site_maps(site, portal_url, manager):  # noqa: F811
    with page_session() as anonymous_page:
        sitemap = anonymous_page.get(f"{portal_url}/@@sitemap")
        assert sitemap.status_code == 200
        assert f'href="{site["folder"]["@id"]}"' in sitemap.text
        # The XML site map, once the site administrator exposes it (a
        # site-wide choice the add-on leaves to them).
        response = manager.patch(
            f"{portal_url}/@controlpanels/site", json={"enable_sitemap": True}
        )
        assert response.status_code == 204, response.text
        xml = anonymous_page.get(f"{portal_url}/sitemap.xml.gz")
        assert xml.status_code == 200
        assert (
            f"{portal_url}/sitemap.xml.gz?page=1"
            in gzip.decompress(xml.content).decode()
        )
        xml = anonymous_page.get(f"{portal_url}/sitemap.xml.gz", params={"page": 1})
        assert xml.status_code == 200
        text = gzip.decompress(xml.content).decode()
        assert f"<loc>{site['folder']['@id']}</loc>" in text
        # Counters and weeks are not public content: not in the site map.
        assert site["counters"][0]["@id"] not in text
        assert site["week"]["@id"] not in text


def test_an_agent_has_a_link_to_the_agenda(site, agents, portal_url):  # noqa: F811
    home = agents["a"].get(portal_url)
    assert home.status_code == 200
    assert 'id="personaltools-rendezvous_my_agenda"' in home.text
    assert f'href="{portal_url}/@@rendezvous-my-agenda"' in home.text
    # agent_a manages the two counters of one place: one link per counter.
    page = agents["a"].get(f"{portal_url}/@@rendezvous-my-agenda")
    assert page.status_code == 200
    assert f'href="{site["place"]["@id"]}/@@rendezvous-agenda"' in page.text
    for counter in site["counters"]:
        assert f'href="{counter["@id"]}/@@rendezvous-agenda"' in page.text
    assert agents["other_counter"]["@id"] not in page.text
    # agent_b manages one counter: straight to its agenda.
    page = agents["b"].get(f"{portal_url}/@@rendezvous-my-agenda")
    assert page.status_code == 200
    assert page.url == f"{agents['other_counter']['@id']}/@@rendezvous-agenda"


def test_no_agenda_link_for_other_users(site, portal_url):  # noqa: F811
    transaction.abort()
    api.user.create(email="editor@example.org", username="editor", password=PASSWORD)
    transaction.commit()
    with page_session() as anonymous_page, page_session("editor", PASSWORD) as editor:
        for session in (anonymous_page, editor):
            home = session.get(portal_url)
            assert home.status_code == 200
            assert "rendezvous_my_agenda" not in home.text
        page = editor.get(f"{portal_url}/@@rendezvous-my-agenda")
        assert page.status_code == 200
        assert "You do not manage the bookings of any counter" in page.text


def test_the_manager_sees_every_counter(site, portal_url):  # noqa: F811
    with owner_page_session() as owner:
        page = owner.get(f"{portal_url}/@@rendezvous-my-agenda")
    assert page.status_code == 200
    for counter in site["counters"]:
        assert f'href="{counter["@id"]}/@@rendezvous-agenda"' in page.text
