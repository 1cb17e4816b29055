"""Admin widgets whose markup validates (the Nu HTML checker runs on the admin pages in CI)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import widgets

EMPTY_CHOICE_LABEL = "None"


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's autocomplete select, with its empty choice labelled.

    Django renders the empty choice of an optional field as ``<option value=""></option>``: select2
    needs it to clear the field, but HTML forbids an empty option without a ``label``. The label
    names it for assistive technology; select2 still shows the text, which stays empty.
    """

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict | None = None,
    ) -> dict:
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if value == "" and not label:
            option["attrs"]["label"] = EMPTY_CHOICE_LABEL
        return option


class LabelledAutocompleteAdmin:
    """For a ModelAdmin or an inline: its ``autocomplete_fields`` use the select above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
