"""Place: where appointments happen (R11); holds the counters."""

from collective.rendezvous import _
from collective.rendezvous.content import validation
from collective.rendezvous.content.fields import IPeriodRow
from collective.rendezvous.widgets import RowsFieldWidget
from collective.z3cform.datagridfield.row import DictRow
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IPlace(model.Schema):
    """A place: name, address, portal visibility and its own closures (X7)."""

    title = schema.TextLine(title=_("Name"), required=True)

    address = schema.Text(
        title=_("Address"),
        description=_("Postal address, shown to citizens and in notifications."),
        required=True,
    )

    portal_visible = schema.Bool(
        title=_("Visible on the portal"),
        description=_("Unticked: only agents can book at this place."),
        required=False,
        default=True,
    )

    phone_region = schema.Choice(
        title=_("Region of phone numbers"),
        description=_(
            "How phone numbers written without their country code are read "
            "for bookings at this place, e.g. La Réunion for 0692 12 34 56. "
            "Empty: the region of the Rendez-vous settings."
        ),
        vocabulary="collective.rendezvous.PhoneRegions",
        required=False,
        default=None,
    )

    directives.widget("closures", RowsFieldWidget, allow_reorder=False)
    closures = schema.List(
        title=_("Closures of this place"),
        description=_("Dates when every counter of this place is closed."),
        value_type=DictRow(title=_("Closure"), schema=IPeriodRow),
        required=False,
        default=[],
        missing_value=[],
        constraint=validation.check_periods,
    )


@implementer(IPlace)
class Place(Container):
    """A place."""
