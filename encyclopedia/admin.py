"""Admin for the reference data articles use: citations, reviewers, credits, notices, site data."""

from django.contrib import admin
from django.db import models as db_models
from reversion.admin import VersionAdmin

from encyclopedia import models

HTTPS_URLS = {db_models.URLField: {"assume_scheme": "https"}}


@admin.register(models.Citation)
class CitationAdmin(VersionAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "kind", "year"]
    list_filter = ["kind"]
    search_fields = ["authors", "title", "container_title", "doi", "pmid"]
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["kind", "authors", "title", "preview"]}),
        (
            "Book or journal",
            {"fields": ["editors", "container_title", "edition", "chapter", "volume", "issue", "pages"]},
        ),
        (
            "Publication",
            {"fields": ["place", "publisher", "year", "doi", "pmid", "url", "updated", "accessed"]},
        ),
    ]

    @admin.display(description="As it appears on the page")
    def preview(self, obj: models.Citation) -> str:
        return obj.as_text() if obj.pk else "Save to see the formatted reference."


@admin.register(models.Reviewer)
class ReviewerAdmin(VersionAdmin):
    list_display = ["name", "credentials", "specialty", "institution", "user"]
    list_filter = ["specialty"]
    search_fields = ["name", "institution", "department", "specialty"]
    autocomplete_fields = ["user"]
    readonly_fields = ["credit_preview"]

    @admin.display(description="Credit line")
    def credit_preview(self, obj: models.Reviewer) -> str:
        return obj.credit() if obj.pk else ""


@admin.register(models.ReviewOrganization)
class ReviewOrganizationAdmin(VersionAdmin):
    search_fields = ["name"]


@admin.register(models.EditorialCredit)
class EditorialCreditAdmin(VersionAdmin):
    list_display = ["__str__", "position", "standing"]
    list_editable = ["position", "standing"]
    search_fields = ["name", "role"]


class HeadingPlacementInline(admin.TabularInline):
    model = models.HeadingPlacement
    extra = 0


@admin.register(models.SectionHeading)
class SectionHeadingAdmin(VersionAdmin):
    search_fields = ["name"]
    inlines = [HeadingPlacementInline]


@admin.register(models.PolicyPage)
class PolicyPageAdmin(VersionAdmin):
    list_display = ["title", "slug", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(models.AccreditationNotice)
class AccreditationNoticeAdmin(VersionAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["body", "program", "valid_from", "valid_until"]
    list_filter = ["body"]


@admin.register(models.SiteSettings)
class SiteSettingsAdmin(VersionAdmin):
    list_display = ["site_name", "publisher_name", "copyright_start_year"]

    def has_add_permission(self, request) -> bool:
        return not models.SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are written by actions only and never edited: publications, the logs."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Publication)
class PublicationAdmin(ReadOnlyAdmin):
    """Publications are frozen: the admin shows them and never changes them."""

    list_display = ["title", "article", "review_date", "published_at", "published_by"]
    list_select_related = ["article", "published_by"]
    search_fields = ["title", "article__public_id"]
    date_hierarchy = "published_at"
