"""Plain-text model fields: titles, names, citations, credits and alt text.

A right-to-left override or isolate (U+202A–U+202E, U+2066–U+2069) makes the rest of the line it
is in print backwards: in a reference, a credit or a title that is the rest of the page's line.
None belongs in these fields, so they are stripped on the way in, by the field itself, which is
the one place every way in passes: the admin's forms and ``full_clean`` (``to_python``), every
save and ``bulk_create`` (``pre_save``, which also fixes the value in memory), and ``update()``,
the JSON restore and look-ups (``get_prep_value``). Markdown bodies are not plain text and keep
theirs.

A one-line field (every ``PlainCharField``, and a ``PlainTextField(one_line=True)``) holds no line
break, tab or other control character either: a title with a line feed once went into an email's
Subject and stopped the outbox. Each run of line breaks and tabs becomes one space, other control
characters are dropped, on the same ways in.

The fields are Django's own as far as migrations are concerned (``deconstruct``): what is stored
does not change, so a model switching to them needs no migration.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

# Left-to-right/right-to-left embedding, pop and override (U+202A–U+202E) and the isolates
# (U+2066–U+2069).
DIRECTION_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_STRIP = dict.fromkeys(DIRECTION_CONTROLS)


# Line and paragraph breaks (those str.splitlines knows) and tabs, with the spaces around them.
_BREAKS = re.compile(" *[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]+ *")
# Every other C0 and C1 control character, and DEL.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value: Any) -> Any:
    """``value`` as one line: each run of line breaks and tabs one space, other control characters
    dropped, and the ends trimmed if that left a space there (a non-string is returned as it is)."""
    if not isinstance(value, str) or not _ANY_CONTROL.search(value):
        return value
    return _CONTROLS.sub("", _BREAKS.sub(" ", value)).strip()


def strip_direction_controls(value: Any) -> Any:
    """``value`` without bidirectional embedding, override and isolate characters (a non-string
    is returned as it is)."""
    if isinstance(value, str) and not value.isascii():
        return value.translate(_STRIP)
    return value


class _PlainText:
    _django_path: str
    one_line: bool

    def _clean_value(self, value: Any) -> Any:
        value = strip_direction_controls(value)
        return one_line(value) if self.one_line else value

    def to_python(self, value: Any) -> Any:
        return self._clean_value(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        return self._clean_value(super().get_prep_value(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        cleaned = self._clean_value(value)
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)
        return cleaned

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, _, args, kwargs = super().deconstruct()
        return name, self._django_path, args, kwargs


class PlainCharField(_PlainText, models.CharField):
    """A CharField of plain text on one line: no direction controls, line breaks or tabs."""

    _django_path = "django.db.models.CharField"
    one_line = True


class PlainTextField(_PlainText, models.TextField):
    """A TextField of plain text (not Markdown): no direction controls; with ``one_line``, no line
    breaks either (a citation's title or authors: printed on the reference's one line)."""

    _django_path = "django.db.models.TextField"

    def __init__(self, *args: Any, one_line: bool = False, **kwargs: Any) -> None:
        self.one_line = one_line
        super().__init__(*args, **kwargs)
