"""Admin for the reference data articles use: citations, reviewers, credits, notices, site data.

Each change here is logged in the admin's log (``LogEntry``), one entry per object; the editorial
app records each as an audit event from there.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models as db_models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from encyclopedia import images, media, models
from encyclopedia.admin_widgets import LabelledAutocompleteAdmin
from encyclopedia.forms import NormalizedTextAdmin

HTTPS_URLS = {db_models.URLField: {"assume_scheme": "https"}}


class SiteDataAdmin(LabelledAutocompleteAdmin, NormalizedTextAdmin, VersionAdmin):
    """Versioned site data: its revision and recovery pages reach this model's versions only."""

    def log_deletions(self, request, queryset):
        """One log entry saved per object: Django bulk-creates several at once, without post_save."""
        entries = []
        for obj in queryset:
            entries += super().log_deletions(request, [obj])
        return entries

    def recover_view(self, request, version_id, extra_context=None):
        """Only a deleted object of this model: reversion looks a version up by its id alone."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Only a version of this very object: another model's version would revert its revision."""
        may = self.has_change_permission if request.method == "POST" else self.has_view_or_change_permission
        if not may(request):
            raise PermissionDenied
        versions = Version.objects.get_for_object_reference(self.model, unquote(object_id))
        get_object_or_404(versions, pk=version_id)
        return super().revision_view(request, object_id, version_id, extra_context)


@admin.register(models.Citation)
class CitationAdmin(SiteDataAdmin):
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

    def response_change(self, request, obj):
        """A changed reference changes every article citing it: say so of each one locked for review.

        Here, not beside the audit events the change makes (``editorial.audit``), because only the
        admin has the request to tell its user.
        """
        for article in models.Article.objects.filter(citation_links__citation=obj).locked().distinct():
            messages.warning(
                request,
                f"“{article.title}” ({article.public_id}) uses this reference and is "
                f"{article.get_state_display().lower()}: its reviewer will see the change.",
            )
        return super().response_change(request, obj)


@admin.register(models.Reviewer)
class ReviewerAdmin(SiteDataAdmin):
    list_display = ["name", "credentials", "specialty", "institution", "languages", "user"]
    list_filter = ["specialty", "languages"]
    search_fields = ["name", "institution", "department", "specialty"]
    autocomplete_fields = ["user"]
    readonly_fields = ["credit_preview"]

    @admin.display(description="Credit line")
    def credit_preview(self, obj: models.Reviewer) -> str:
        return obj.credit() if obj.pk else ""


@admin.register(models.ReviewOrganization)
class ReviewOrganizationAdmin(SiteDataAdmin):
    search_fields = ["name"]


@admin.register(models.EditorialCredit)
class EditorialCreditAdmin(SiteDataAdmin):
    list_display = ["__str__", "position", "standing"]
    list_editable = ["position", "standing"]
    search_fields = ["name", "role"]


class HeadingPlacementInline(NormalizedTextAdmin, admin.TabularInline):
    model = models.HeadingPlacement
    extra = 0


@admin.register(models.SectionHeading)
class SectionHeadingAdmin(SiteDataAdmin):
    list_display = ["name", "name_es"]
    search_fields = ["name", "name_es"]
    inlines = [HeadingPlacementInline]


@admin.register(models.PolicyPage)
class PolicyPageAdmin(SiteDataAdmin):
    list_display = ["title", "slug", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(models.AccreditationNotice)
class AccreditationNoticeAdmin(SiteDataAdmin):
    formfield_overrides = {
        **HTTPS_URLS,
        db_models.FileField: {"widget": AdminFileWidget(attrs={"accept": images.ACCEPT_ATTRIBUTE})},
    }
    list_display = ["body", "program", "valid_from", "valid_until"]
    list_filter = ["body"]

    def get_form(self, request, obj=None, **kwargs):
        """The form refuses a badge upload before anything is saved when the media folder takes no file."""
        form = super().get_form(request, obj, **kwargs)

        class BadgeForm(form):
            def clean_badge(self):
                badge = self.cleaned_data.get("badge")
                if isinstance(badge, UploadedFile):
                    media.check_writable("badges")
                return badge

        return BadgeForm


@admin.register(models.SiteSettings)
class SiteSettingsAdmin(SiteDataAdmin):
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


@admin.register(models.ImageAwaitingUpload)
class ImageAwaitingUploadAdmin(admin.ModelAdmin):
    """The images imported pages showed, to upload through each article's images: written only
    by the importer, never shown publicly; delete a row once its image is uploaded."""

    list_display = ["article_link", "alt_text", "caption", "source_url", "recorded_at"]
    list_select_related = ["article"]
    search_fields = ["article__public_id", "article__title", "alt_text", "caption", "source_url"]
    list_filter = ["recorded_at"]
    readonly_fields = ["article", "alt_text", "caption", "source_url", "position", "recorded_at"]

    @admin.display(description="article", ordering="article__public_id")
    def article_link(self, obj: models.ImageAwaitingUpload) -> str:
        url = reverse("admin:encyclopedia_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{} {}</a>', url, obj.article.public_id, obj.article.title)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
