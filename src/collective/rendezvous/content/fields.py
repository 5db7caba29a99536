"""Schema fields and row schemas shared by the content types."""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.content.validation import engine_check
from collective.rendezvous.content.validation import RendezvousValidationError
from plone.supermodel import model
from zope import schema
from zope.interface import implementer
from zope.schema.interfaces import ConstraintNotSatisfied
from zope.schema.interfaces import IChoice
from zope.schema.interfaces import IDate
from zope.schema.interfaces import WrongType

import datetime


class IStrictDate(IDate):
    """A date whose form widget refuses what is not a date (see ``StrictDate``)."""


@implementer(IStrictDate)
class StrictDate(schema.Date):
    """A date field whose Classic UI widget answers a clear error to any input.

    plone.app.z3cform's date converter turns "2026" or "0000" into a
    TypeError and a repeated field into an AttributeError: a 500 instead of
    "not a date". The converter of ``browser/converters.py``, registered for
    this field, makes them validation errors. Everything else (REST, the
    stored value) is as for ``schema.Date``.
    """


class ISafeChoice(IChoice):
    """A Choice of text values (see ``SafeChoice``)."""


@implementer(ISafeChoice)
class SafeChoice(schema.Choice):
    """A Choice of text values that refuses other types with a clear error.

    zope.schema looks the value up in the vocabulary first, and a list or a
    dict sent over REST then fails with a TypeError (a 500) instead of a
    validation error.
    """

    def _validate(self, value):
        if not isinstance(value, str):
            raise WrongType(value, str, self.__name__)
        super()._validate(value)


class IPeriodRow(model.Schema):
    """A closure: from a first to a last date (inclusive), with a label."""

    start = StrictDate(title=_("First date"), required=True)
    end = StrictDate(title=_("Last date"), required=True)
    label = schema.TextLine(title=_("Reason"), required=False, default="")


class IScheduleRow(model.Schema):
    """A reference week applied to a counter from a first to a last date."""

    week = SafeChoice(
        title=_("Reference week"),
        vocabulary="collective.rendezvous.ReferenceWeeks",
        required=True,
    )
    start = StrictDate(title=_("First date"), required=True)
    end = StrictDate(title=_("Last date"), required=True)


class IContentChoice(ISafeChoice):
    """A Choice of content by UID: REST reads and writes the bare UID."""


@implementer(IContentChoice)
class ContentChoice(SafeChoice):
    """A Choice of content by UID that says which content it expected."""

    missing_message = _("This value does not exist.")

    def _validate(self, value):
        try:
            super()._validate(value)
        except ConstraintNotSatisfied as error:
            raise RendezvousValidationError(self.missing_message) from error


class AppointmentTypeChoice(ContentChoice):
    missing_message = _(
        "There is no appointment type with this identifier: choose one of the "
        "appointment types of the site."
    )


def _date(value, what):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise RendezvousValidationError(
        _(
            "Each period needs a ${what} written as a date (YYYY-MM-DD).",
            mapping={"what": what},
        )
    )


def schedule_rows(value) -> list[scheduling.ScheduleRow]:
    """The engine's rows for the schedule field's value (a list of dicts)."""
    rows = []
    for row in value or ():
        if not row.get("week"):
            raise RendezvousValidationError(
                _("Each period of the schedule needs a reference week.")
            )
        rows.append(
            scheduling.ScheduleRow(
                week=row["week"],
                start=_date(row.get("start"), _("first date")),
                end=_date(row.get("end"), _("last date")),
            )
        )
    return rows


class ScheduleField(schema.List):
    """The schedule of a counter: rows that never overlap (R12)."""

    def _validate(self, value):
        # Checked before the rows' own validation, which only knows how to
        # say "wrong contained type".
        from collective.rendezvous.content.vocabularies import reference_week_uids

        rows = schedule_rows(value)
        if rows:
            known = reference_week_uids()
            engine_check(lambda r: scheduling.validate_rows(r, known), rows)
        super()._validate(value)
