"""PATCH ``@controlpanels/rendezvous``: check every value, then store them all.

plone.restapi's registry deserializer stores each field as soon as it is read
and answers "Constraint not satisfied" for a wrong choice, and the
datagridfield row deserializer refuses a row without its optional columns.
This one reads choices by token against the right vocabulary (the holidays of
the region sent in the same PATCH), reads grid rows column by column, refuses
unknown names, and names the field, the row and the value in its messages.
Nothing is stored unless everything is valid. Fields added later without a
special reader go through plone.restapi's own field deserializers.
"""

from collective.rendezvous import _
from collective.rendezvous.content.validation import RendezvousValidationError
from collective.rendezvous.controlpanels.restapi import IRendezvousControlpanel
from collective.rendezvous.controlpanels.restapi import keep_secrets
from collective.rendezvous.vocabularies.calendar import holidays_terms
from collective.rendezvous.vocabularies.calendar import keep_region_holidays
from collective.z3cform.datagridfield.interfaces import IRow
from copy import copy
from datetime import date
from plone.restapi.deserializer import json_body
from plone.restapi.deserializer.controlpanels import ControlpanelDeserializeFromJson
from plone.restapi.deserializer.controlpanels import FakeDXContext
from plone.restapi.interfaces import IDeserializeFromJson
from plone.restapi.interfaces import IFieldDeserializer
from zExceptions import BadRequest
from zope.component import adapter
from zope.component import getUtility
from zope.component import queryMultiAdapter
from zope.i18n import translate
from zope.interface import implementer
from zope.interface import Invalid
from zope.schema import getFields
from zope.schema import getFieldsInOrder
from zope.schema.interfaces import IChoice
from zope.schema.interfaces import ICollection
from zope.schema.interfaces import IDate
from zope.schema.interfaces import IDatetime
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.interfaces import RequiredMissing
from zope.schema.interfaces import ValidationError
from zope.schema.interfaces import WrongContainedType
from zope.schema.vocabulary import SimpleVocabulary


HOLIDAYS = "collective.rendezvous.Holidays"


class Refused(Exception):
    """A value refused with a translatable message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def error_message(field, error: ValidationError):
    """A person's message for a zope.schema validation error of a field."""
    if isinstance(error, RendezvousValidationError):
        return error.doc()
    if isinstance(error, WrongContainedType) and error.errors:
        return error_message(field, error.errors[0])
    if isinstance(error, RequiredMissing):
        return _('"${field}" is required.', mapping={"field": field.title})
    return error.doc()


@implementer(IDeserializeFromJson)
@adapter(IRendezvousControlpanel)
class RendezvousControlpanelDeserializer(ControlpanelDeserializeFromJson):
    """Validate a PATCH of the "Rendez-vous" settings as a whole, then store it."""

    def __call__(self, mask_validation_errors=True):
        data = json_body(self.request)
        fields = getFields(self.schema)
        errors = []
        for name in data:
            if name not in fields and not name.startswith("@"):
                errors.append(
                    (
                        name,
                        _(
                            'Unknown setting "${name}"; the settings are: ${names}.',
                            mapping={"name": name, "names": ", ".join(fields)},
                        ),
                    )
                )
        values = {}
        # Schema order: holiday_region is read before holidays_open.
        for name, field in fields.items():
            if name not in data or field.readonly:
                continue
            try:
                values[name] = self.read(field, data[name], values)
            except Refused as error:
                errors.append((name, error.message))
            except ValidationError as error:
                errors.append((name, error_message(field, error)))
            except (ValueError, Invalid) as error:
                errors.append((name, str(error)))
        if errors:
            raise BadRequest(
                [
                    {
                        "field": name,
                        "message": translate(message, context=self.request),
                        "error": "ValidationError",
                    }
                    for name, message in errors
                ]
            )
        proxy = self.registry.forInterface(self.schema, prefix=self.schema_prefix)
        keep_secrets(values, drop_empty=False)
        if "holiday_region" in values:
            values["holidays_open"] = keep_region_holidays(
                values.get("holidays_open", proxy.holidays_open),
                values["holiday_region"],
            )
        for name, value in values.items():
            # Like the form, write only what changes: every write notifies
            # IRecordModifiedEvent, and front ends PATCH the whole panel.
            if getattr(proxy, name) != value:
                setattr(proxy, name, value)

    def read(self, field, value, values):
        """Turn the JSON value of one field into a valid stored value."""
        if value is None and not field.required:
            value = field.missing_value
        if IChoice.providedBy(field) and field.vocabularyName:
            vocabulary = self.vocabulary(field, values)
            result = None if value is None else self.choice(field, vocabulary, value)
            self.checked(field, vocabulary).validate(result)
            return result
        if ICollection.providedBy(field):
            value_type = field.value_type
            if not isinstance(value, list | tuple):
                raise Refused(
                    _('"${field}" must be a list.', mapping={"field": field.title})
                )
            if IChoice.providedBy(value_type) and value_type.vocabularyName:
                vocabulary = self.vocabulary(value_type, values)
                result = []
                for item in value:
                    choice = self.choice(field, vocabulary, item)
                    if choice not in result:
                        result.append(choice)
                result = field._type(result)
                self.checked(field, vocabulary).validate(result)
                return result
            if IRow.providedBy(value_type):
                result = field._type(self.row(field, n, r) for n, r in enumerate(value))
                field.validate(result)
                return result
        deserializer = queryMultiAdapter(
            (field, FakeDXContext(), self.request), IFieldDeserializer
        )
        result = deserializer(value)
        field.validate(result)
        return result

    def vocabulary(self, choice_field, values):
        """The vocabulary of a choice; the holidays of the region being set."""
        name = choice_field.vocabularyName
        if name == HOLIDAYS and "holiday_region" in values:
            return SimpleVocabulary(holidays_terms(values["holiday_region"]))
        return getUtility(IVocabularyFactory, name)(self.context)

    @staticmethod
    def checked(field, vocabulary):
        """A copy of the field whose choices come from that vocabulary."""
        field = copy(field)
        if IChoice.providedBy(field):
            field.vocabulary = vocabulary
        else:
            field.value_type = copy(field.value_type)
            field.value_type.vocabulary = vocabulary
        return field

    @staticmethod
    def choice(field, vocabulary, item):
        """The value of a token (or of a ``{"token": ...}`` object as GET gives)."""
        token = item.get("token") if isinstance(item, dict) else item
        try:
            return vocabulary.getTermByToken(token).value
        except (LookupError, TypeError, AttributeError):
            tokens = [term.token for term in vocabulary]
            raise Refused(
                _(
                    '"${value}" is not a choice of "${field}"; choose among: '
                    "${choices}.",
                    mapping={
                        "value": token,
                        "field": field.title,
                        "choices": ", ".join(tokens) or "-",
                    },
                )
            ) from None

    def row(self, field, index, raw) -> dict:
        """One grid row from a JSON object, column by column."""
        row_field = field.value_type
        columns = dict(getFieldsInOrder(row_field.schema))
        mapping = {
            "row": row_field.title,
            "number": index + 1,
            "columns": ", ".join(columns),
        }
        if not isinstance(raw, dict):
            raise Refused(
                _(
                    "${row} ${number} must be an object with: ${columns}.",
                    mapping=mapping,
                )
            )
        for key in raw:
            if key not in columns and not key.startswith("@"):
                raise Refused(
                    _(
                        '${row} ${number}: unknown column "${column}"; the columns '
                        "are: ${columns}.",
                        mapping=dict(mapping, column=key),
                    )
                )
        row = {}
        for name, column in columns.items():
            cell = raw.get(name)
            if isinstance(cell, str):
                cell = cell.strip()
            mapping.update(column=column.title, value=cell)
            if cell is None or cell == "":
                if column.required:
                    raise Refused(
                        _('${row} ${number}: "${column}" is missing.', mapping=mapping)
                    )
                row[name] = column.missing_value
                continue
            if IDate.providedBy(column) and not IDatetime.providedBy(column):
                cell = self.day(cell, mapping)
            try:
                column.validate(cell)
            except ValidationError as error:
                mapping["message"] = error_message(column, error)
                raise Refused(
                    _('${row} ${number}, "${column}": ${message}', mapping=mapping)
                ) from None
            row[name] = cell
        return row

    @staticmethod
    def day(cell, mapping) -> date:
        """A date cell: ``YYYY-MM-DD``."""
        try:
            if isinstance(cell, str) and len(cell) == 10:
                return date.fromisoformat(cell)
        except ValueError:
            pass
        raise Refused(
            _(
                '${row} ${number}, "${column}": "${value}" is not a date; write '
                "it YYYY-MM-DD.",
                mapping=mapping,
            )
        )
