"""The inlines of the article form: sections, alternative names, codes, references, credits, images, related."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from editorial import readability
from encyclopedia import images, limits, media
from encyclopedia.admin_widgets import LabelledAutocompleteAdmin
from encyclopedia.forms import NormalizedTextAdmin
from encyclopedia.models import (
    AlternativeName,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    CodedConcept,
    RelatedArticle,
    Section,
    SectionHeading,
)


class RowLabelledFormSet(BaseInlineFormSet):
    """A table's inputs have no label of their own (the column heading names them for the eye
    only): each gets one for assistive technology, "Name, alternative name 2"."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        name = self.model._meta.verbose_name
        row = f"new {name}" if index is None else f"{name} {index + 1}"
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", f"{field.label}, {row}")


class RowLabelledTabularInline(admin.TabularInline):
    formset = RowLabelledFormSet


class SectionFormSet(BaseInlineFormSet):
    """An article's sections: with its summary, within the limit of a whole article."""

    def clean(self) -> None:
        super().clean()
        bodies = [
            form.cleaned_data.get("body") or ""
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        too_long = limits.article_error(self.instance.summary, bodies)
        if too_long:
            raise ValidationError(too_long)


def spanish_heading_label(heading: SectionHeading) -> str:
    """A standard heading as a Spanish edition's translator chooses it."""
    if not heading.name_es:
        return f"{heading.name} (no Spanish name yet: it prints in English)"
    return f"{heading.name_es} ({heading.name})"


class SectionInline(LabelledAutocompleteAdmin, NormalizedTextAdmin, admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = [("heading", "custom_heading", "position"), "body", "reading_grade"]
    readonly_fields = ["reading_grade"]
    autocomplete_fields = ["heading"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["help_text"] = limits.section_help()  # the limits are settings: read them now
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        """A Spanish edition's translator picks headings by their Spanish names (the English one
        in brackets), from a plain list: the standard headings are few."""
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.is_translation:
            field = formset.form.base_fields["heading"]
            field.label_from_instance = spanish_heading_label
            field.widget = forms.Select()
            field.queryset = field.queryset  # hands the Spanish labels to the new widget
        return formset

    @admin.display(description="Reading grade")
    def reading_grade(self, obj: Section | None) -> str:
        """The plain-language hint for the section as saved; the editor's script updates it as they type."""
        if obj is None or not obj.pk:
            return "Shown once the section has text."
        return readability.grade(obj.body, obj.article.language).message


class AlternativeNameInline(NormalizedTextAdmin, RowLabelledTabularInline):
    model = AlternativeName
    extra = 0
    fields = ["name", "position"]


class CodedConceptInline(NormalizedTextAdmin, RowLabelledTabularInline):
    """The clinical codes an EHR's Infobutton request finds the article by, once it is live."""

    model = CodedConcept
    extra = 0
    fields = ["system", "code", "display_name", "position"]
    verbose_name = "coded concept (ICD-10-CM, ICD-9-CM, SNOMED CT, LOINC, CPT)"
    verbose_name_plural = "coded concepts: the codes an EHR's Infobutton finds this article by"


class ArticleCitationInline(LabelledAutocompleteAdmin, NormalizedTextAdmin, RowLabelledTabularInline):
    model = ArticleCitation
    extra = 0
    fields = ["citation", "position"]
    autocomplete_fields = ["citation"]
    verbose_name = "reference"
    verbose_name_plural = "references"


class ArticleCreditInline(NormalizedTextAdmin, RowLabelledTabularInline):
    model = ArticleCredit
    extra = 0
    fields = ["credit", "position"]
    verbose_name = "“also reviewed by” credit"
    verbose_name_plural = "“also reviewed by” credits (empty: the standing credits)"


class ArticleImageFormSet(BaseInlineFormSet):
    """An article's images: a new upload is refused, before anything is saved, when the media
    folder cannot take a file (unwritable, full), with a message that says so."""

    def clean(self) -> None:
        super().clean()
        uploading = any(
            isinstance(data.get("image"), UploadedFile) and not data.get("DELETE")
            for data in (getattr(form, "cleaned_data", None) or {} for form in self.forms)
        )
        if uploading:
            media.check_writable("images")


class ArticleImageInline(NormalizedTextAdmin, admin.StackedInline):
    """Images with their alt text and caption; the upload is checked and resized on save."""

    model = ArticleImage
    formset = ArticleImageFormSet
    extra = 0
    fields = [("image", "current_thumbnail"), "alt_text", "caption", "position"]
    readonly_fields = ["current_thumbnail"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("widgets", {"image": AdminFileWidget(attrs={"accept": images.ACCEPT_ATTRIBUTE})})
        kwargs.setdefault("error_messages", {"alt_text": {"required": images.ALT_TEXT_REQUIRED}})
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="thumbnail")
    def current_thumbnail(self, obj: ArticleImage) -> str:
        if obj and obj.pk and obj.thumbnail:
            return format_html(
                '<img src="{}" alt="" width="{}" height="{}"> {} × {} px',
                obj.thumbnail.url,
                obj.thumb_width,
                obj.thumb_height,
                obj.width,
                obj.height,
            )
        return "Made when the article is saved."


class RelatedArticleInline(LabelledAutocompleteAdmin, NormalizedTextAdmin, RowLabelledTabularInline):
    model = RelatedArticle
    fk_name = "article"
    extra = 0
    fields = ["related", "position"]
    autocomplete_fields = ["related"]
    verbose_name = "related article"
    verbose_name_plural = "related articles (shown on the page once live)"
