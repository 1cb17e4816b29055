"""Form fields for text as it is stored: normalised as it comes in (``encyclopedia.text``).

A browser sends every textarea back with CRLF line endings, so without this each box would
look changed on every save, and the history and audit log would name fields nobody touched.
The article admin, the site-data admins and the workflow forms all use these.
"""

from __future__ import annotations

from django import forms
from django.db import models

from encyclopedia.text import normalize_text


class NormalizedTextField(forms.CharField):
    """A CharField whose value has LF line endings and no trailing blanks on any line; it has
    changed only if its normalised value differs from the normalised initial value."""

    def to_python(self, value):
        return normalize_text(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        before = normalize_text("" if initial is None else str(initial))
        after = self.to_python(data)
        return before != ("" if after is None else after)


class NormalizedTextAdmin:
    """For a ModelAdmin or an inline: each TextField of the model gets a NormalizedTextField."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", NormalizedTextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
