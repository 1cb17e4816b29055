class EditorialError(Exception):
    """A write was refused; the message says why, in words an editor understands."""


class NotAllowed(EditorialError):
    """The user lacks the role this action needs."""


class Untranslated(EditorialError):
    """A Spanish edition still blank where its translator has to write: offered anyway, so that
    its page says what is missing rather than hiding the step."""
