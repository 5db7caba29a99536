"""The Classic UI "Rendez-vous" control panel: the settings form and its page."""

from collective.rendezvous import _
from collective.rendezvous.browser.forms import RefuseForgedInput
from collective.rendezvous.browser.unscheduling import CONFIRM
from collective.rendezvous.browser.unscheduling import ConfirmUnscheduling
from collective.rendezvous.browser.unscheduling import needs_confirmation
from collective.rendezvous.browser.unscheduling import unscheduled_by
from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
from collective.rendezvous.controlpanels.interfaces import PREFIX
from collective.rendezvous.controlpanels.restapi import keep_secrets
from collective.rendezvous.controlpanels.settings import opening_calendar_inputs
from collective.rendezvous.controlpanels.settings import OPENING_FIELDS
from collective.rendezvous.vocabularies.calendar import keep_region_holidays
from collective.z3cform.datagridfield.datagridfield import DataGridValidator
from collective.z3cform.datagridfield.interfaces import IDataGridFieldWidget
from plone import api
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.base import PloneMessageFactory as PMF
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from z3c.form import button
from z3c.form.interfaces import NO_VALUE
from z3c.form.interfaces import NOT_CHANGED
from zope.component import adapter
from zope.interface import Interface
from zope.schema.interfaces import IList


class RendezvousSettingsForm(RefuseForgedInput, ConfirmUnscheduling, RegistryEditForm):
    """Edit ``IRendezvousSettings`` (registry prefix ``collective.rendezvous``).

    A change of the opening days, the holidays or the exceptional closures
    that would unschedule booked appointments is saved only once confirmed
    on the list of those bookings (browser/unscheduling.py).
    """

    schema = IRendezvousSettings
    schema_prefix = PREFIX
    label = _("Rendez-vous")
    description = _(
        "Settings of the appointment module shared by every appointment folder."
    )
    default_fieldset_label = _("Opening days")

    buttons = RegistryEditForm.buttons.copy()
    handlers = RegistryEditForm.handlers.copy()

    @button.handler(RegistryEditForm.buttons["save"])
    def handleSave(self, action):
        self.save(confirmed=False)

    @button.buttonAndHandler(CONFIRM, name="confirm", condition=needs_confirmation)
    def handleConfirm(self, action):
        self.save(confirmed=True)

    # ``ConfirmUnscheduling.save`` is ``RegistryEditForm.handleSave``,
    # asking first when the change unschedules bookings.

    def saved_message(self):
        return PMF("Changes saved.")

    def saved(self) -> None:
        self.request.response.redirect(self.request.getURL())

    def bookings_unscheduled_by(self, data) -> list:
        """The bookings of every counter that the new opening calendar closes."""
        from collective.rendezvous.slots.generation import Context
        from collective.rendezvous.slots.generation import counters

        values = {
            name: data[name]
            for name in OPENING_FIELDS
            if name in data and data[name] is not NOT_CHANGED
        }
        if "holiday_region" in values and "holidays_open" in values:
            # As applyChanges stores them.
            values["holidays_open"] = keep_region_holidays(
                values["holidays_open"], values["holiday_region"]
            )
        opening = opening_calendar_inputs(values)
        if opening == opening_calendar_inputs():
            return []
        context = Context(opening=opening)
        return unscheduled_by((counter, context, {}) for counter in counters())

    def applyChanges(self, data):
        # The tokens are never shown (SecretWidget): empty means "keep it";
        # the hub's is stored as its SHA-256.
        keep_secrets(data)
        # Drop the holidays kept open that the new region does not have.
        if "holiday_region" in data and "holidays_open" in data:
            data["holidays_open"] = keep_region_holidays(
                data["holidays_open"], data["holiday_region"]
            )
        return super().applyChanges(data)


class RendezvousControlPanel(ControlPanelFormWrapper):
    """``@@rendezvous-controlpanel``: the appointment folders, then the form (R4)."""

    form = RendezvousSettingsForm
    index = ViewPageTemplateFile("controlpanel.pt")

    def folders(self) -> list[dict]:
        """The appointment folders the user can see, by title."""
        brains = api.content.find(
            portal_type="RendezvousFolder", sort_on="sortable_title"
        )
        return [
            {"title": brain.Title or brain.getId, "url": brain.getURL()}
            for brain in brains
        ]

    def public_url_missing(self) -> bool:
        """Warn when ``public_url`` is empty: notification links then use the
        address stored at install, or have no host at all (issue 12)."""
        return not api.portal.get_registry_record(f"{PREFIX}.public_url", default="")

    def add_folder_url(self) -> str:
        return f"{api.portal.get().absolute_url()}/++add++RendezvousFolder"


@adapter(IRendezvousSettings, Interface, Interface, IList, IDataGridFieldWidget)
class RowsValidator(DataGridValidator):
    """Check a data grid of the settings as a whole with its field's constraint.

    ``DataGridValidator`` only looks at the cells, and the registry's copy of
    a field drops its constraint, so without this the rules across rows (a
    closure's dates, unique ids) would never be checked by the form.
    Registered for the records proxy (which provides the schema) rather than
    per field: a per-field discriminator marks the schema's field object, and
    the registry then refuses the persistent copy it makes of it.
    """

    def validate(self, value, force=False):
        super().validate(value, force)
        constraint = self.field.constraint
        if value not in (None, NO_VALUE) and constraint is not None:
            constraint(value)
