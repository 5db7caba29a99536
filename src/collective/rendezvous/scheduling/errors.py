"""The error raised by the slot engine, carrying a translatable message."""

from string import Template


class SchedulingError(ValueError):
    """A value given by an administrator that the slot engine refuses.

    ``msgid`` is stable (the Plone layer uses it as the i18n message id),
    ``default`` is the English text with zope.i18n ``${name}`` placeholders and
    ``mapping`` fills them; ``str(err)`` is the interpolated English text.
    """

    msgid: str
    default: str
    mapping: dict[str, str]

    def __init__(self, msgid: str, default: str, **mapping: str) -> None:
        self.msgid = msgid
        self.default = default
        self.mapping = {name: str(value) for name, value in mapping.items()}
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """Return the English message with its placeholders filled."""
        return Template(self.default).safe_substitute(self.mapping)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"SchedulingError({self.msgid!r}, {self.text!r})"
