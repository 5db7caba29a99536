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

    model.fieldset(
        "ants",
        label=_("ANTS"),
        fields=[
            "ants_meeting_point_id",
            "latitude",
            "longitude",
            "zip_code",
            "city_name",
            "ants_website",
            "ants_logo_url",
        ],
    )

    ants_meeting_point_id = schema.TextLine(
        title=_("ANTS meeting point id"),
        description=_(
            "The identifier of this place on the national identity card and "
            "passport site (ANTS). Empty: the place's own identifier."
        ),
        required=False,
        default="",
        missing_value="",
        max_length=64,
    )

    latitude = schema.Float(
        title=_("Latitude"),
        description=_("In decimal degrees, e.g. 48.8566."),
        required=False,
        min=-90.0,
        max=90.0,
    )

    longitude = schema.Float(
        title=_("Longitude"),
        description=_("In decimal degrees, e.g. 2.3522."),
        required=False,
        min=-180.0,
        max=180.0,
    )

    zip_code = schema.TextLine(
        title=_("Postal code"),
        required=False,
        default="",
        missing_value="",
        max_length=10,
    )

    city_name = schema.TextLine(
        title=_("City"),
        required=False,
        default="",
        missing_value="",
        max_length=100,
    )

    ants_website = schema.URI(
        title=_("Website shown on the ANTS site"),
        required=False,
    )

    ants_logo_url = schema.URI(
        title=_("Address of the city's logo shown on the ANTS site"),
        required=False,
    )


@implementer(IPlace)
class Place(Container):
    """A place."""
