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
