"""ReferenceWeek: the opening hours of a typical week (R12)."""

from collective.rendezvous import _
from collective.rendezvous.content import validation
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_RANGES_HELP = _(
    "One opening range per line, written 09h00-12h00. Leave empty when closed."
)


def _day(title):
    return schema.List(
        title=title,
        description=_RANGES_HELP,
        value_type=schema.TextLine(constraint=validation.check_range),
        required=False,
        default=[],
        missing_value=[],
        constraint=validation.check_day,
    )


class IReferenceWeek(model.Schema):
    """A name and, for each weekday, its opening ranges."""

    title = schema.TextLine(title=_("Name"), required=True)
    monday = _day(_("Monday"))
    tuesday = _day(_("Tuesday"))
    wednesday = _day(_("Wednesday"))
    thursday = _day(_("Thursday"))
    friday = _day(_("Friday"))
    saturday = _day(_("Saturday"))
    sunday = _day(_("Sunday"))


@implementer(IReferenceWeek)
class ReferenceWeek(Container):
    """A reference week."""

    def template(self):
        """The week as the slot engine reads it: weekday (0=Monday) -> ranges."""
        from collective.rendezvous import scheduling

        return {
            index: scheduling.parse_day(getattr(self, name, None) or [])
            for index, name in enumerate(WEEKDAYS)
        }
