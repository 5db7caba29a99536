"""What the ANTS hub asks this site: meeting points, free slots, bookings.

Read by ``services.py`` once the hub's token is checked. Nothing here
depends on who calls: the citizens' rules apply (portal-visible types and
places, the type's minimum notice and horizon), since the hub sends citizens
to the public booking page.

Facts about the hub (docs/ants.rst says where they were verified): times
are written as the site's wall-clock time followed by a literal ``Z``
("2026-12-19T10:00Z" is 10:00 in Paris), the hub shows exactly that hour;
repeated query keys carry lists, without brackets.
"""

from bisect import bisect_left
from bisect import bisect_right
from collective.rendezvous.ants.numbers import MAX_NUMBERS
from collective.rendezvous.ants.numbers import requires_numbers
from collective.rendezvous.ants.numbers import served
from collective.rendezvous.booking import service as booking_service
from collective.rendezvous.links import url_of
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import to_datetime
from collective.rendezvous.slots.store import blocks
from collective.rendezvous.slots.store import get_store
from plone import api
from urllib.parse import quote

import datetime
import re


REASONS = ("CNI", "PASSPORT", "CNI-PASSPORT")
# A request's reason -> the type reasons that serve it.
SERVED_BY = {
    "CNI": ("CNI", "CNI-PASSPORT"),
    "PASSPORT": ("PASSPORT", "CNI-PASSPORT"),
    "CNI-PASSPORT": ("CNI-PASSPORT",),
}
APPLICATION_ID = re.compile(r"^[A-Z0-9]{10}$")
SEPARATORS = re.compile(r"[\s,;:\-/.]+")


def meeting_point_id(place) -> str:
    return (getattr(place, "ants_meeting_point_id", "") or "").strip() or place.UID()


def ants_types(reason: str | None = None) -> list:
    """The portal-visible appointment types offered to the hub, by path.

    ``reason`` None: those with any ANTS reason; else those serving it.
    """
    wanted = SERVED_BY[reason] if reason else REASONS
    catalog = api.portal.get_tool("portal_catalog")
    found = []
    for brain in catalog.unrestrictedSearchResults(portal_type="AppointmentType"):
        obj = brain._unrestrictedGetObject()
        if obj.portal_visible and any(r in wanted for r, _o in served(obj)):
            found.append(obj)
    found.sort(key=lambda obj: obj.getPhysicalPath())
    return found


def counters_of(types) -> list:
    """(counter, type) of these types at portal-visible places, by path."""
    if not types:
        return []
    by_uid = {kind.UID(): kind for kind in types}
    catalog = api.portal.get_tool("portal_catalog")
    found = []
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Counter", appointment_type=list(by_uid)
    ):
        counter = brain._unrestrictedGetObject()
        kind = by_uid.get(getattr(counter, "appointment_type", None))
        place = counter.__parent__
        if kind is not None and getattr(place, "portal_visible", True):
            found.append((counter, kind))
    found.sort(key=lambda pair: pair[0].getPhysicalPath())
    return found


def one_line(text: str) -> str:
    return ", ".join(line.strip() for line in (text or "").splitlines() if line.strip())


def meeting_points() -> list[dict]:
    """The places with a counter of an ANTS type, as the hub lists them."""
    places = {}
    for counter, _kind in counters_of(ants_types()):
        place = counter.__parent__
        places.setdefault(place.UID(), place)
    result = []
    for place in places.values():
        point = {
            "id": meeting_point_id(place),
            "name": place.title,
            "longitude": getattr(place, "longitude", None),
            "latitude": getattr(place, "latitude", None),
            "public_entry_address": one_line(place.address),
            "zip_code": getattr(place, "zip_code", "") or "",
            "city_name": getattr(place, "city_name", "") or "",
        }
        if getattr(place, "ants_website", None):
            point["website"] = place.ants_website
        if getattr(place, "ants_logo_url", None):
            point["city_logo"] = place.ants_logo_url
        result.append(point)
    result.sort(key=lambda point: (point["name"], point["id"]))
    return result


def free_of(record) -> tuple[int, ...] | list[int]:
    """``record.free_starts()``, faster on sorted starts (what generation
    makes): a start is taken when it overlaps a taken interval, found by
    bisection rather than by comparing every start with every interval
    (5 times faster on a town's 4,000 day records, see docs/ants.rst)."""
    starts, taken = record.starts, record.taken
    if not taken:
        return starts
    if list(starts) != sorted(starts):
        return record.free_starts()
    duration = record.duration
    blocked = set()
    for taken_start, (taken_end, _uid) in taken.items():
        blocked.update(
            range(
                bisect_right(starts, taken_start - duration),
                bisect_left(starts, taken_end),
            )
        )
    return [start for n, start in enumerate(starts) if n not in blocked]


def block_starts(record, count: int, since: int, until: int) -> list[int]:
    """Starts in [since, until) of ``count`` consecutive free slots."""
    free = free_of(record)
    if count == 1:
        if free and since <= free[0] and free[-1] < until:
            return free
        return [start for start in free if since <= start < until]
    return [
        start
        for start in blocks(free, record.duration, count)
        if since <= start < until
    ]


def available_time_slots(
    ids: list[str],
    first: datetime.date,
    last: datetime.date,
    reason: str,
    documents: int,
    now: datetime.datetime | None = None,
) -> dict[str, list[dict]]:
    """{meeting point id: [{"datetime", "callback_url"}]} for the ids that
    are meeting points (see ``meeting_points``); the others are left out.

    One entry per time and place, whatever the counters and types offering
    it; sorted. An appointment for ``documents`` documents takes as many
    consecutive free slots of one counter.
    """
    tz = site_timezone()
    now = (now or booking_service.now_in_site()).astimezone(tz)
    wanted = set(ids)
    # meeting point id -> {start: callback prefix}
    found: dict[str, dict[int, str]] = {}
    prefixes = {}
    windows = {}
    reasons = SERVED_BY[reason]
    # type UID -> the options (None: the type itself) serving the reason
    options_of: dict[str, list] = {}
    # Every meeting point asked for gets a key, [] when nothing serves the
    # reason there.
    for counter, kind in counters_of(ants_types()):
        place = counter.__parent__
        point = meeting_point_id(place)
        if point not in wanted:
            continue
        starts = found.setdefault(point, {})
        store = get_store(counter)
        options = options_of.get(kind.UID())
        if options is None:
            options = options_of[kind.UID()] = [
                option for r, option in served(kind) if r in reasons
            ]
        if store is None or not options:
            continue
        if documents > MAX_NUMBERS or (documents > 1 and not requires_numbers(kind)):
            # The booking page takes at most MAX_NUMBERS documents in one
            # appointment, and several only for a type that asks one number
            # per document (the others book one person at a time, as @slots
            # says): offering a longer appointment would be a dead end.
            continue
        key = (kind.UID(), place.UID())
        prefix = prefixes.get(key)
        if prefix is None:
            folder = kind.__parent__
            # The first option serving the reason is chosen on the page.
            option = f"&option={quote(options[0], safe='')}" if options[0] else ""
            prefix = prefixes[key] = (
                f"{url_of(folder)}?appointment_type={kind.UID()}{option}"
                f"&place={place.UID()}&documents_number={documents}"
            )
            windows[kind.UID()] = booking_service.window(kind, False, now)
        since, until = windows[kind.UID()]
        for _day, record in store.between(first, last):
            for start in block_starts(record, documents, since, until):
                starts.setdefault(start, prefix)
    texts = {}
    result = {}
    for point in ids:
        if point not in found or point in result:
            continue
        slots = []
        for start, prefix in sorted(found[point].items()):
            text = texts.get(start)
            if text is None:
                moment = to_datetime(start, tz)
                iso = moment.isoformat().replace(":", "%3A").replace("+", "%2B")
                text = texts[start] = (
                    moment.strftime("%Y-%m-%dT%H:%MZ"),
                    f"&month={moment:%Y-%m}&day={moment:%Y-%m-%d}&slot={iso}",
                )
            slots.append({"datetime": text[0], "callback_url": prefix + text[1]})
        result[point] = slots
    return result


def application_ids(values: list[str]) -> list[str]:
    """The numbers in the query's values (several per value allowed), upper
    case, in order, once each; raises ValueError with the first bad one."""
    result = []
    for value in values:
        for part in SEPARATORS.split(value.strip()):
            if not part:
                continue
            number = part.upper()
            if not APPLICATION_ID.match(number):
                raise ValueError(part)
            if number not in result:
                result.append(number)
    return result


def search_application_ids(
    numbers: list[str], now: datetime.datetime | None = None
) -> dict[str, list[dict]]:
    """{number: [{"meeting_point", "datetime", "management_url",
    "cancel_url"}]}: the booked appointments to come carrying a number.

    Bookings are not cataloged (booking/index.py): this reads the taken
    slots of today and later of the counters of ANTS types, and loads only
    the bookings they name. The links open the booking's private page
    without its secret (never stored): the citizen opens it with the link
    of their confirmation e-mail.
    """
    tz = site_timezone()
    now = (now or booking_service.now_in_site()).astimezone(tz)
    wanted = set(numbers)
    result = {number: [] for number in numbers}
    for counter, _kind in counters_of(ants_types()):
        store = get_store(counter)
        if store is None:
            continue
        for _day, record in store.between(now.date(), None):
            for _end, booking_id in record.taken.values():
                booking = counter._getOb(booking_id, None)
                carried = getattr(booking, "application_ids", ()) or ()
                if not wanted.intersection(carried):
                    continue
                if booking.start <= now or booking_service.state_of(booking) != (
                    "booked"
                ):
                    continue
                place = counter.__parent__
                page = f"{url_of(place.__parent__)}/rendezvous-manage/{booking.code}"
                entry = {
                    "meeting_point": place.title,
                    "datetime": booking.start.astimezone(tz).strftime(
                        "%Y-%m-%dT%H:%MZ"
                    ),
                    "management_url": page,
                    "cancel_url": page,
                }
                for number in carried:
                    if number in wanted and entry not in result[number]:
                        result[number].append(entry)
    for entries in result.values():
        entries.sort(key=lambda entry: entry["datetime"])
    return result
