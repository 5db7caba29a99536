"""Form converters that refuse bad input with a message instead of a 500."""

from collective.rendezvous.content.fields import IStrictDate
from plone.app.z3cform.converters import DateWidgetConverter
from plone.app.z3cform.interfaces import IDateWidget
from zope.component import adapter


@adapter(IStrictDate, IDateWidget)
class StrictDateConverter(DateWidgetConverter):
    """plone.app.z3cform's date converter, for dates that are not dates.

    z3c.form shows a ValueError as a field error; the base converter lets
    "2026" (a TypeError), "2026-02-30" (a ValueError already) and a field
    posted twice (a list: an AttributeError) escape as server errors.
    """

    def toFieldValue(self, value):
        if isinstance(value, list | tuple):
            # A browser posts a date once; a repeated field is not a date.
            raise ValueError("one date expected")
        if value and not isinstance(value, str):
            raise ValueError("a date is text")
        try:
            return super().toFieldValue(value)
        except (TypeError, AttributeError, OverflowError) as error:
            raise ValueError("not a date") from error
