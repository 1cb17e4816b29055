"""Writing uploaded files under MEDIA_ROOT: a disk that is unwritable or full refuses the upload.

An upload is refused with a message that says what happened and what to do, and nothing is
half-saved: ``check_writable`` refuses the form before anything is saved when the media folder
cannot take a file; ``kept_with_row`` removes the files a save wrote when the save fails after
all (a write fails half-way, the disk fills, the row's insert fails), so no file stays without
its row and no row points at a file that is missing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile


def unwritable_message(error: OSError) -> str:
    reason = error.strerror or type(error).__name__
    return (
        f"The file could not be stored ({reason}): nothing was saved. The media folder (MEDIA_ROOT) "
        "is not writable or the disk is full; ask the site's operator, then upload it again."
    )


def check_writable(folder: str) -> None:
    """Refuse an upload before anything is saved when ``folder`` (under MEDIA_ROOT) takes no file."""
    try:
        probe = default_storage.save(f"{folder}/.write-check-{secrets.token_hex(8)}", ContentFile(b"ok"))
        default_storage.delete(probe)
    except OSError as error:
        raise ValidationError(unwritable_message(error), code="media_unwritable") from error


class Written(list):
    """The files one save wrote, as (field file, name) pairs."""

    def store(self, field_file: FieldFile, name: str, content: ContentFile) -> None:
        """Write ``content`` for ``field_file``; a refusal of the disk is a ``ValidationError``
        on that field."""
        try:
            field_file.save(name, content, save=False)
        except OSError as error:
            raise ValidationError(
                {field_file.field.name: unwritable_message(error)}, code="media_unwritable"
            ) from error
        self.append((field_file.storage, field_file.name))


@contextlib.contextmanager
def kept_with_row() -> Iterator[Written]:
    """Files written inside the block are removed again if the block fails."""
    written = Written()
    try:
        yield written
    except BaseException:
        for storage, name in written:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise
