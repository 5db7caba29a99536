"""Where an agent starts: the agendas of the counters they manage (issue 13).

Agents hold their role on counters only (R14), so after logging in they land
on the home page with nothing leading to their work. The ``user`` action
"My agenda" (profiles/default/actions.xml) shows to whoever manages at least
one counter and opens this page: the agenda itself when there is one counter,
otherwise one link per place (its agenda of the counters the user manages)
and per counter.
"""

from collective.rendezvous.booking import service
from plone import api
from plone.memoize.view import memoize
from Products.Five.browser import BrowserView


class MyAgendaView(BrowserView):
    @memoize
    def counters(self) -> list:
        """The counters the current user manages, sorted by place and title."""
        if api.user.is_anonymous():
            return []
        catalog = api.portal.get_tool("portal_catalog")
        # Restricted search: the counters this user may see (agents see the
        # counters of their services, internal ones included); then only
        # those whose bookings they manage.
        counters = [brain.getObject() for brain in catalog(portal_type="Counter")]
        counters = [counter for counter in counters if service.may_manage(counter)]
        counters.sort(
            key=lambda obj: (obj.__parent__.Title().lower(), obj.Title().lower())
        )
        return counters

    def available(self) -> bool:
        """Whether to show the action: the user manages at least one counter."""
        return bool(self.counters())

    def places(self) -> list[dict]:
        places = {}
        for counter in self.counters():
            place = counter.__parent__
            entry = places.setdefault(place.UID(), {"place": place, "counters": []})
            entry["counters"].append(counter)
        return list(places.values())

    def __call__(self):
        counters = self.counters()
        if len(counters) == 1:
            target = f"{counters[0].absolute_url()}/@@rendezvous-agenda"
            return self.request.response.redirect(target)
        return self.index()
