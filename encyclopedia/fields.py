"""Plain-text model fields: titles, names, citations, credits and alt text.

A right-to-left override or isolate (U+202A–U+202E, U+2066–U+2069) makes the rest of the line it
is in print backwards: in a reference, a credit or a title that is the rest of the page's line.
None belongs in these fields, so they are stripped on the way in, by the field itself, which is
the one place every way in passes: the admin's forms and ``full_clean`` (``to_python``), every
save and ``bulk_create`` (``pre_save``, which also fixes the value in memory), and ``update()``,
the JSON restore and look-ups (``get_prep_value``). Markdown bodies are not plain text and keep
theirs.

The fields are Django's own as far as migrations are concerned (``deconstruct``): what is stored
does not change, so a model switching to them needs no migration.
"""

from __future__ import annotations

from typing import Any

from django.db import models

# Left-to-right/right-to-left embedding, pop and override (U+202A–U+202E) and the isolates
# (U+2066–U+2069).
DIRECTION_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_STRIP = dict.fromkeys(DIRECTION_CONTROLS)


def strip_direction_controls(value: Any) -> Any:
    """``value`` without bidirectional embedding, override and isolate characters (a non-string
    is returned as it is)."""
    if isinstance(value, str) and not value.isascii():
        return value.translate(_STRIP)
    return value


class _PlainText:
    _django_path: str

    def to_python(self, value: Any) -> Any:
        return strip_direction_controls(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        return strip_direction_controls(super().get_prep_value(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        stripped = strip_direction_controls(value)
        if stripped != value:
            setattr(model_instance, self.attname, stripped)
        return stripped

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, _, args, kwargs = super().deconstruct()
        return name, self._django_path, args, kwargs


class PlainCharField(_PlainText, models.CharField):
    """A CharField of plain text: no direction controls."""

    _django_path = "django.db.models.CharField"


class PlainTextField(_PlainText, models.TextField):
    """A TextField of plain text (not Markdown): no direction controls."""

    _django_path = "django.db.models.TextField"
