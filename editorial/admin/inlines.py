"""The inlines of the article form: sections, alternative names, references, credits, images, related."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.utils.html import format_html

from encyclopedia import images
from encyclopedia.forms import NormalizedTextAdmin
from encyclopedia.models import (
    AlternativeName,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    RelatedArticle,
    Section,
)


class SectionInline(NormalizedTextAdmin, admin.StackedInline):
    model = Section
    extra = 0
    fields = [("heading", "custom_heading", "position"), "body"]
    autocomplete_fields = ["heading"]


class AlternativeNameInline(NormalizedTextAdmin, admin.TabularInline):
    model = AlternativeName
    extra = 0
    fields = ["name", "position"]


class ArticleCitationInline(NormalizedTextAdmin, admin.TabularInline):
    model = ArticleCitation
    extra = 0
    fields = ["citation", "position"]
    autocomplete_fields = ["citation"]
    verbose_name = "reference"
    verbose_name_plural = "references"


class ArticleCreditInline(NormalizedTextAdmin, admin.TabularInline):
    model = ArticleCredit
    extra = 0
    fields = ["credit", "position"]
    verbose_name = "“also reviewed by” credit"
    verbose_name_plural = "“also reviewed by” credits (empty: the standing credits)"


class ArticleImageInline(NormalizedTextAdmin, admin.StackedInline):
    """Images with their alt text and caption; the upload is checked and resized on save."""

    model = ArticleImage
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


class RelatedArticleInline(NormalizedTextAdmin, admin.TabularInline):
    model = RelatedArticle
    fk_name = "article"
    extra = 0
    fields = ["related", "position"]
    autocomplete_fields = ["related"]
    verbose_name = "related article"
    verbose_name_plural = "related articles (shown on the page once live)"
