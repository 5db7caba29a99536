"""Plone's add and edit forms of the add-on's types, refusing forged posts.

z3c.form reads what a text, number or date widget posted as one string. A
field posted twice (``duration=1&duration=2``), or a file where text was
expected, reaches its converter as a list or an upload, and the converter
fails with a TypeError or an AttributeError: a 500, where the visitor should
be told the request is wrong. Browsers never post such forms, so the forms
of the add-on's types (and its control panel and Apply form) answer them
with a 400 and change nothing: the data is extracted before anything is
written.
"""

from collective.rendezvous import _
from collective.rendezvous import logger
from collective.rendezvous.content.booking import IBooking
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.browser.edit import DefaultEditForm
from plone.dexterity.interfaces import IDexterityEditForm
from plone.z3cform import layout
from zExceptions import BadRequest
from zope.i18n import translate
from zope.interface import classImplements


class RefuseForgedInput:
    """Mixin for z3c forms: a value no widget can read is a 400, not a 500."""

    def extractData(self, setErrors=True):
        try:
            return super().extractData(setErrors=setErrors)
        except (TypeError, AttributeError, ValueError, LookupError) as error:
            logger.info("Refused a forged form post to %s: %r", self.request.URL, error)
            raise BadRequest(
                translate(
                    _(
                        "This form was sent with values that no browser sends: "
                        "reload the page and try again."
                    ),
                    context=self.request,
                )
            ) from error


class EditForm(RefuseForgedInput, DefaultEditForm):
    pass


EditView = layout.wrap_form(EditForm)
classImplements(EditView, IDexterityEditForm)


class AddForm(RefuseForgedInput, DefaultAddForm):
    pass


class AddView(DefaultAddView):
    form = AddForm


class BookingEditForm(EditForm):
    """A booking's @@edit: its details go through the booking service.

    The same checks as a PATCH of the booking (``service.edit``): a refused
    value is shown under its field and nothing is stored; a change is
    recorded in the booking's history.
    """

    def applyChanges(self, data):
        from collective.rendezvous.booking import service
        from z3c.form.interfaces import ActionExecutionError
        from z3c.form.interfaces import NOT_CHANGED
        from z3c.form.interfaces import WidgetActionExecutionError
        from zope.interface import Invalid

        values = {
            name: value
            for name, value in data.items()
            if name in service.EDITABLE and value is not NOT_CHANGED
        }
        try:
            changed = service.edit(self.context, values)
        except service.BookingError as error:
            if error.field in self.widgets:
                raise WidgetActionExecutionError(
                    error.field, Invalid(error.message)
                ) from None
            raise ActionExecutionError(Invalid(error.message)) from None
        return {IBooking: changed} if changed else {}


BookingEditView = layout.wrap_form(BookingEditForm)
classImplements(BookingEditView, IDexterityEditForm)
