"""The rows widget of the add-on's forms (schedules, closures, notification rows).

collective.z3cform.datagridfield's grid, which reads how many rows were
posted from ``<field>.count`` with z3c.form's ``int(...)``: a forged count
("", "abc") is then a ValueError, a 500, and a huge one makes the form build
that many rows. Here such a count is refused with a 400 before anything is
read; a browser always posts the number it was given.

The secret widget (the SMS gateway token) is a password input that is
always rendered empty.
"""

from collective.z3cform.datagridfield.datagridfield import DataGridFieldWidget
from collective.z3cform.datagridfield.interfaces import IDataGridFieldWidget
from z3c.form.browser.password import PasswordWidget
from z3c.form.interfaces import IFieldWidget
from z3c.form.interfaces import NO_VALUE
from z3c.form.widget import FieldWidget
from zExceptions import BadRequest
from zope.interface import implementer


MAX_ROWS = 1000


@implementer(IDataGridFieldWidget)
class RowsWidget(DataGridFieldWidget):
    def extract(self, default=NO_VALUE):
        count = self.request.get(self.counterName)
        if count is not None and not (
            isinstance(count, str) and count.isdigit() and int(count) <= MAX_ROWS
        ):
            raise BadRequest(
                f"{self.counterName} must be a number of rows from 0 to {MAX_ROWS}."
            )
        return super().extract(default)


@implementer(IFieldWidget)
def RowsFieldWidget(field, request):
    return FieldWidget(field, RowsWidget(request))


class SecretWidget(PasswordWidget):
    """A password input that never shows the stored value.

    plone.app.z3cform's password template writes the value into the page:
    this one is always rendered empty, also when the form comes back with
    an error, so a secret is never sent back to the browser. The form
    keeps the stored value when the field is left empty.
    """

    def update(self):
        super().update()
        self.value = ""

    @property
    def _html_attributes(self) -> list:
        # Browsers must not offer to fill in a saved login password here.
        return [*super()._html_attributes, "autocomplete"]

    autocomplete = "new-password"


@implementer(IFieldWidget)
def SecretFieldWidget(field, request):
    return FieldWidget(field, SecretWidget(request))
