"""The rows widget of the add-on's forms (schedules, closures, notification rows).

Its validator checks the whole field, as plone.restapi does: the grid's own
validator (collective.z3cform.datagridfield's ``DataGridValidator``) checks
the cells only, so the forms saved what the field refuses (overlapping
schedule rows, a period that ends before it starts).

The widget is collective.z3cform.datagridfield's grid, which reads how many rows were
posted from ``<field>.count`` with z3c.form's ``int(...)``: a forged count
("", "abc") is then a ValueError, a 500, and a huge one makes the form build
that many rows. Here such a count is refused with a 400 before anything is
read; a browser always posts the number it was given. The grid's empty new
row is not validated (it showed "Required input is missing" after any other
error of the form).

The secret widget (the SMS gateway token) is a password input that is
always rendered empty.
"""

from collective.z3cform.datagridfield.datagridfield import DataGridFieldWidget
from collective.z3cform.datagridfield.datagridfield import DataGridValidator
from collective.z3cform.datagridfield.interfaces import IDataGridFieldWidget
from z3c.form.browser.password import PasswordWidget
from z3c.form.interfaces import IFieldWidget
from z3c.form.interfaces import NO_VALUE
from z3c.form.validator import SimpleFieldValidator
from z3c.form.widget import FieldWidget
from zExceptions import BadRequest
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Interface
from zope.schema.interfaces import IList


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

    def getWidget(self, idx):
        widget = super().getWidget(idx)
        if idx in ("AA", "TT"):
            # The empty new row and the template row are not rows of the
            # value, but z3c.form's ObjectWidget validates the cells it
            # reads back from a posted form: after any other error, they
            # said "Required input is missing".
            for cell in widget.widgets.values():
                cell.error = None
        return widget


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


@adapter(Interface, Interface, Interface, IList, RowsWidget)
class RowsValidator(DataGridValidator):
    """The cells' errors first (as the grid does), then the field's own rules.

    The field's rules are those of the REST API (``zope.schema`` validation
    with the field's constraint), so a form and the API refuse the same
    values with the same message.
    """

    def validate(self, value, force=False):
        super().validate(value, force)
        return SimpleFieldValidator.validate(self, value, force)
