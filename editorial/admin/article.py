"""The editors' admin for articles: the working copy, its form, and the workflow around it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from editorial import editor_views, readability, views, workflow
from editorial.actions.delete import delete as delete_article
from editorial.actions.edit import check_editable, record_edit
from editorial.actions.reassign import PERMISSION as REASSIGN_PERMISSION
from editorial.actions.recover import PERMISSION as RECOVER_PERMISSION
from editorial.admin.changelist import FastArticleList
from editorial.admin.filters import (
    DashboardFilter,
    EditionFilter,
    ReviewDueFilter,
    SpecialtyFilter,
    StatusFilter,
)
from editorial.admin.inlines import (
    AlternativeNameInline,
    ArticleCitationInline,
    ArticleCreditInline,
    ArticleImageInline,
    CodedConceptInline,
    RelatedArticleInline,
    SectionInline,
)
from editorial.errors import EditorialError
from editorial.links import unpublished_links
from editorial.models import ReviewRecord
from editorial.review_schedule import review_schedule_csv
from encyclopedia import limits
from encyclopedia.admin_widgets import LabelledAutocompleteAdmin
from encyclopedia.forms import NormalizedTextAdmin
from encyclopedia.models import Article, CrossReference, Publication

# Typing a new article's id (instead of taking the next free one) is an editorial director's
# call (editorial.roles): like withdrawing, restoring and merging, it decides an article's identity.
CHOOSE_ID_PERMISSION = "encyclopedia.withdraw_article"


class ArticleForm(forms.ModelForm):
    """The working-copy form; it carries the time it was opened, so a stale save is refused."""

    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        exclude: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            loaded = parse_datetime(self.cleaned_data.get("loaded_at") or "")
            if loaded is None:
                raise forms.ValidationError(
                    "This form does not say when it was opened; reload the article and edit again."
                )
            try:
                check_editable(self.instance, self.user, loaded)
            except EditorialError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class ArticleAdmin(LabelledAutocompleteAdmin, NormalizedTextAdmin, FastArticleList, VersionAdmin):
    form = ArticleForm
    list_display = [
        "public_id",
        "title",
        "language",
        "article_type",
        "status",
        "review_date",
        "next_review_due",
        "reviewer",
        "specialty",
    ]
    list_display_links = ["public_id", "title"]
    list_filter = [
        DashboardFilter,
        StatusFilter,
        EditionFilter,
        ReviewDueFilter,
        "state",
        "article_type",
        "reviewer",
        SpecialtyFilter,
    ]
    list_select_related = ["reviewer"]  # the status needs live_publication_id only, not the page it names
    actions = ["export_review_schedule", "reassign_reviewer"]
    search_fields = ["public_id", "title", "alternative_names__name"]
    autocomplete_fields = ["reviewer", "review_organization"]
    inlines = [
        SectionInline,
        AlternativeNameInline,
        CodedConceptInline,
        ArticleCitationInline,
        ArticleCreditInline,
        ArticleImageInline,
        RelatedArticleInline,
    ]
    readonly_fields = [
        "review_date",
        "next_review_due",
        "live_page",
        "reading_grade",
        "conventional_order",
        "created_at",
        "updated_at",
    ]
    history_latest_first = True
    change_form_template = "admin/editorial/article/change_form.html"
    change_list_template = "admin/editorial/article/change_list.html"
    # Deleting says what readers will get and how to undo it, as withdrawing and merging do.
    delete_confirmation_template = "admin/editorial/article/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/editorial/article/delete_selected_confirmation.html"
    fieldsets = [
        (None, {"fields": ["public_id", "title", "slug", "article_type", "summary", "reading_grade"]}),
        (
            "Review",
            {
                "fields": [
                    "review_date",
                    "next_review_due",
                    "reviewer",
                    "specialty",
                    "review_organization",
                    "review_interval_months",
                ]
            },
        ),
        ("Status", {"fields": ["live_page", "conventional_order", "created_at", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """A Spanish edition names its translator, credited on the Spanish page."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_translation:
            return fieldsets
        first, *rest = fieldsets
        fields = ["edition_id" if name == "public_id" else name for name in first[1]["fields"]]
        return [(first[0], {**first[1], "fields": [*fields, "translated_by"]}), *rest]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["help_text"] = limits.summary_help()  # the limit is a setting: read it now
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["form_max_bytes"] = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # form_size.js checks it
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(REASSIGN_PERMISSION):
            fields.append("review_interval_months")  # the review schedule is the directors' call
        if obj is not None or not request.user.has_perm(CHOOSE_ID_PERMISSION):
            fields.append("public_id")  # never changes; on a new article, typed by a director only
        if obj is not None and obj.is_translation:
            fields.append("edition_id")
        return fields

    @admin.display(description="article id")
    def edition_id(self, obj: Article) -> str:
        """A Spanish edition's id: its English article's, fixed (no help about assigning one)."""
        return f"{obj.public_id} (the English article's id, shared by its Spanish edition)"

    def has_change_permission(self, request, obj=None) -> bool:
        """A draft in review or approved is locked: the admin shows it read-only."""
        if obj is not None and (obj.is_locked or workflow.is_gone(obj)):
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("queue/", wrap(views.review_queue), name="editorial_review_queue"),
            path("editor/preview/", wrap(editor_views.preview_text), name="editorial_preview_text"),
            path("editor/link-search/", wrap(editor_views.link_search), name="editorial_link_search"),
            path("<int:pk>/workspace/", wrap(views.workspace), name="editorial_workspace"),
            path("<int:pk>/preview/", wrap(views.preview), name="editorial_preview"),
            path("<int:pk>/changes/", wrap(views.changes), name="editorial_changes"),
            path("<int:pk>/compare/", wrap(views.compare), name="editorial_compare"),
            path("<int:pk>/revert/<int:version_id>/", wrap(views.revert), name="editorial_revert"),
            path("<int:pk>/workflow/<str:action>/", wrap(views.transition), name="editorial_transition"),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        return views.history(request, int(object_id))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Reverting goes through the workflow's revert (history page), never a raw form save."""
        return redirect(reverse("admin:encyclopedia_article_history", args=[object_id]))

    def recover_view(self, request, version_id, extra_context=None):
        return views.recover(request, int(version_id))

    def recoverlist_view(self, request, extra_context=None):
        """Deleted articles are listed to those who may recover them: directors."""
        if not request.user.has_perm(RECOVER_PERMISSION):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        """A live article is withdrawn (410) before it can be deleted."""
        if obj is not None and obj.is_live:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """An article's publications, review records and links go with it.

        Recovery brings back the working copy and its audit log, as a draft to approve again.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = {model._meta.verbose_name for model in (Publication, ReviewRecord, CrossReference)}
        return deleted, counts, perms_needed - owned, protected

    def delete_model(self, request, obj) -> None:
        delete_article(obj, request.user)

    def delete_queryset(self, request, queryset) -> None:
        """The "Delete selected" action: each article through the delete action, live ones refused."""
        live = [article.public_id for article in queryset if article.is_live]
        if live:
            raise PermissionDenied(
                f"Withdraw {', '.join(live)} before deleting: live articles are not deleted."
            )
        for article in queryset:
            delete_article(article, request.user)

    @admin.action(description="Export the review schedule (CSV)")
    def export_review_schedule(self, request, queryset):
        return review_schedule_csv(queryset)

    @admin.action(description="Reassign the responsible reviewer or specialty", permissions=["reassign"])
    def reassign_reviewer(self, request, queryset):
        return views.reassign(request, queryset)

    def has_reassign_permission(self, request) -> bool:
        return request.user.has_perm(REASSIGN_PERMISSION)

    @admin.display(description="status", ordering="state")
    def status(self, obj: Article) -> str:
        return workflow.status_text(obj)

    @admin.display(description="Public page")
    def live_page(self, obj: Article) -> str:
        if obj.pk and obj.is_live:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())
        return "Not live: the public sees a 404 until the article is published."

    @admin.display(description="Reading grade of the whole article")
    def reading_grade(self, obj: Article) -> str:
        """The plain-language hint for the summary and all sections as saved: a hint, never a block."""
        if not obj.pk:
            return "Shown once the article is saved."
        texts = [obj.summary, *obj.sections.values_list("body", flat=True)]
        return readability.grade(texts, obj.language).message

    @admin.display(description="Conventional section order")
    def conventional_order(self, obj: Article) -> str:
        if not obj.pk:
            return "Save once to see the conventional order of sections for this type."
        return " → ".join(h.name for h in obj.conventional_headings()) or "None for this type."

    def save_model(self, request, obj, form, change) -> None:
        obj._previous_state = (
            Article.objects.filter(pk=obj.pk).values_list("state", flat=True).first() if change else ""
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        summary = self.construct_change_message(request, form, formsets, not change)
        record_edit(article, request.user, article._previous_state, _change_text(summary, created=not change))
        if article.reviewer_id is None and not article.specialty:
            messages.warning(
                request,
                "This article has no responsible reviewer or specialty queue: nobody is reminded to review it.",
            )
        for public_id, reason in unpublished_links(article):
            messages.warning(request, f"The link to article {public_id} will show as plain text: {reason}.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        locked = article is not None and not self.has_change_permission(request, article)
        if request.method == "POST" and locked and super().has_change_permission(request, article):
            messages.error(request, f"Nothing was saved. {views.locked_message(article)}")
            return redirect(request.path)
        extra = dict(extra_context or {})
        if article is not None:
            extra.update(views.workflow_context(request, article))
        if article is not None and article.is_translation:
            extra["show_save_and_add_another"] = False  # a Spanish edition starts from its English article
        return super().change_view(request, object_id, form_url, extra_context=extra)


def _change_text(message: list, *, created: bool) -> str:
    if created:
        return "Created"
    changed = [
        _field_of(entry["changed"], name)
        for entry in message
        if "changed" in entry
        for name in entry["changed"].get("fields", [])
        if name != "loaded_at"
    ]
    parts = [
        name
        for entry in message
        for key in ("added", "deleted")
        for name in [entry.get(key, {}).get("name")]
        if name
    ]
    words = ", ".join([*changed, *parts])
    return f"Edited: {words}" if words else "Saved without changes"


def _field_of(changed: dict, name: str) -> str:
    """A changed field, with the inline row it belongs to: "Body of section “Causes”"."""
    if changed.get("name") and changed.get("object"):
        return f"{name} of {changed['name']} “{changed['object']}”"
    return name
