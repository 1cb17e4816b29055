"""The editors' admin for articles: the working copy, its inlines, and publishing."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from editorial.actions.publish import can_publish, publish
from editorial.errors import EditorialError
from editorial.links import unpublished_links
from editorial.models import AuditEvent
from encyclopedia.models import AlternativeName, Article, ArticleCitation, ArticleCredit, Section


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("heading", "custom_heading", "position"), "body"]
    autocomplete_fields = ["heading"]


class AlternativeNameInline(admin.TabularInline):
    model = AlternativeName
    extra = 0
    fields = ["name", "position"]


class ArticleCitationInline(admin.TabularInline):
    model = ArticleCitation
    extra = 0
    fields = ["citation", "position"]
    autocomplete_fields = ["citation"]
    verbose_name = "reference"
    verbose_name_plural = "references"


class ArticleCreditInline(admin.TabularInline):
    model = ArticleCredit
    extra = 0
    fields = ["credit", "position"]
    verbose_name = "“also reviewed by” credit"
    verbose_name_plural = "“also reviewed by” credits (empty: the standing credits)"


class LiveFilter(admin.SimpleListFilter):
    title = "live"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Live"), ("no", "Never published or not live")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(live_publication__isnull=False)
        if self.value() == "no":
            return queryset.filter(live_publication__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    list_display = ["public_id", "title", "article_type", "state", "live", "review_date", "updated_at"]
    list_display_links = ["public_id", "title"]
    list_filter = [LiveFilter, "state", "article_type", "reviewer"]
    search_fields = ["public_id", "title", "alternative_names__name"]
    list_select_related = ["live_publication"]
    autocomplete_fields = ["reviewer", "review_organization"]
    inlines = [SectionInline, AlternativeNameInline, ArticleCitationInline, ArticleCreditInline]
    actions = ["publish_selected"]
    readonly_fields = ["live_page", "conventional_order", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["public_id", "title", "slug", "article_type", "summary"]}),
        ("Review", {"fields": ["review_date", "reviewer", "review_organization"]}),
        ("Status", {"fields": ["live_page", "conventional_order", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["public_id"] if obj else fields

    @admin.display(boolean=True, description="live")
    def live(self, obj: Article) -> bool:
        return obj.is_live

    @admin.display(description="Public page")
    def live_page(self, obj: Article) -> str:
        if obj.pk and obj.is_live:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())
        return "Not live: the public sees a 404 until the article is published."

    @admin.display(description="Conventional section order")
    def conventional_order(self, obj: Article) -> str:
        if not obj.pk:
            return "Save once to see the conventional order of sections for this type."
        return " → ".join(h.name for h in obj.conventional_headings()) or "None for this type."

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        for public_id, reason in unpublished_links(form.instance):
            messages.warning(
                request,
                f"The link to article {public_id} will show as plain text: {reason}.",
            )

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can_publish(request.user)

    @admin.action(description="Publish the selected articles as they stand", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        if not can_publish(request.user):
            self.message_user(request, "You may not publish articles.", messages.ERROR)
            return
        for article in queryset:
            try:
                publish(article, request.user, comment="Published from the admin")
            except EditorialError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Published “{article.title}” ({article.public_id}).")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "article_public_id", "user", "comment"]
    list_filter = ["action"]
    search_fields = ["article_public_id", "comment"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
