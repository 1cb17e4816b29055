class EditorialError(Exception):
    """A write was refused; the message says why, in words an editor understands."""


class NotAllowed(EditorialError):
    """The user lacks the role this action needs."""
