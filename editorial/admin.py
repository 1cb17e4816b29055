"""The editors' admin for articles: the working copy, its inlines, and the workflow around it."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Version

from editorial import audit, views, workflow
from editorial.actions.delete import delete as delete_article
from editorial.actions.edit import check_editable, record_edit
from editorial.actions.reassign import PERMISSION as REASSIGN_PERMISSION
from editorial.actions.recover import PERMISSION as RECOVER_PERMISSION
from editorial.errors import EditorialError
from editorial.links import unpublished_links
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia import images
from encyclopedia.admin import ReadOnlyAdmin
from encyclopedia.models import (
    GONE,
    LIVE,
    AccreditationNotice,
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    Citation,
    CrossReference,
    EditorialCredit,
    PolicyPage,
    Publication,
    RelatedArticle,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
    SiteSettings,
    WorkflowState,
)


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


class ArticleImageInline(admin.StackedInline):
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


class RelatedArticleInline(admin.TabularInline):
    model = RelatedArticle
    fk_name = "article"
    extra = 0
    fields = ["related", "position"]
    autocomplete_fields = ["related"]
    verbose_name = "related article"
    verbose_name_plural = "related articles (shown on the page once live)"


class ConditionFilter(admin.SimpleListFilter):
    """A list filter whose every choice is a condition on the article row itself.

    The condition serves both the filter and its counts ("Show counts"): Django's own counts
    repeat the whole filtered list (search included) as a subquery for each choice.
    """

    def condition(self, value: str) -> Q | None:
        raise NotImplementedError

    def queryset(self, request, queryset):
        condition = self.condition(self.value()) if self.value() else None
        return queryset if condition is None else queryset.filter(condition)

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": Count(pk_attname, filter=condition)
            for i, (value, _title) in enumerate(self.lookup_choices)
            if (condition := self.condition(str(value))) is not None
        }


class StatusFilter(ConditionFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("live_draft", "Live + draft"),
            ("never", "Never published"),
            ("gone", "Withdrawn or merged"),
        ]

    def condition(self, value: str) -> Q | None:
        return {
            "live": LIVE,
            "live_draft": LIVE & ~Q(state=WorkflowState.PUBLISHED),
            "never": Q(live_publication__isnull=True, withdrawn_at__isnull=True, merged_into__isnull=True),
            "gone": GONE,
        }.get(value)


class ReviewDueFilter(ConditionFilter):
    title = "review due"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due_30", "Due within 30 days"),
            ("due_60", "Due in 31–60 days"),
            ("due_90", "Due in 61–90 days"),
            ("current", "Not due for 90 days"),
            ("unscheduled", "Never reviewed"),
        ]

    def condition(self, value: str) -> Q | None:
        today = timezone.localdate()
        bounds = {"due_30": (0, 30), "due_60": (31, 60), "due_90": (61, 90)}
        if value == "overdue":
            due = Q(next_review_due__lt=today)
        elif value in bounds:
            low, high = bounds[value]
            due = Q(
                next_review_due__gte=today + datetime.timedelta(days=low),
                next_review_due__lte=today + datetime.timedelta(days=high),
            )
        elif value == "current":
            due = Q(next_review_due__gt=today + datetime.timedelta(days=90))
        elif value == "unscheduled":
            due = Q(next_review_due__isnull=True)
        else:
            return None
        return LIVE & due  # the schedule is for live pages, as in Article.objects.due_within()


class SpecialtyFilter(ConditionFilter):
    title = "specialty"
    parameter_name = "specialty"

    def lookups(self, request, model_admin):
        # order_by(): the model's ordering by title would join the DISTINCT, one choice per article.
        values = (
            Article.objects.exclude(specialty="").order_by().values_list("specialty", flat=True).distinct()
        )
        return [(value, value) for value in sorted(values)]

    def condition(self, value: str) -> Q | None:
        return Q(specialty=value)


class ArticleChangeList(ChangeList):
    """Django's change list, with each row's links made from one reverse() per page.

    The list links two columns of each of its 100 rows to the article; Django makes each link with
    a reverse() and, when filters or a search are to be kept, a resolve() of that link too.
    """

    _PK = "__pk__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sample = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self._PK,),
            current_app=self.model_admin.admin_site.name,
        )
        sample = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, sample
        )
        path, mark, query = sample.partition("?")
        self._url_around_pk = path.split(self._PK, 1)
        self._url_query = mark + query
        # Already in every row's link: items_for_result() must not resolve and add them again.
        self.preserved_filters = ""

    def url_for_result(self, result) -> str:
        return str(quote(getattr(result, self.pk_attname))).join(self._url_around_pk) + self._url_query


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


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleForm
    list_display = [
        "public_id",
        "title",
        "article_type",
        "status",
        "review_date",
        "next_review_due",
        "reviewer",
        "specialty",
    ]
    list_display_links = ["public_id", "title"]
    list_filter = [StatusFilter, ReviewDueFilter, "state", "article_type", "reviewer", SpecialtyFilter]
    list_select_related = ["reviewer"]  # the status needs live_publication_id only, not the page it names
    actions = ["export_review_schedule", "reassign_reviewer"]
    search_fields = ["public_id", "title", "alternative_names__name"]
    autocomplete_fields = ["reviewer", "review_organization"]
    inlines = [
        SectionInline,
        AlternativeNameInline,
        ArticleCitationInline,
        ArticleCreditInline,
        ArticleImageInline,
        RelatedArticleInline,
    ]
    readonly_fields = [
        "review_date",
        "next_review_due",
        "live_page",
        "conventional_order",
        "created_at",
        "updated_at",
    ]
    history_latest_first = True
    change_form_template = "admin/editorial/article/change_form.html"
    change_list_template = "admin/editorial/article/change_list.html"
    fieldsets = [
        (None, {"fields": ["public_id", "title", "slug", "article_type", "summary", "loaded_at"]}),
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj: Article) -> str:
        """Django's checkbox, without rendering a widget template for each row."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def get_search_results(self, request, queryset, search_term):
        """Each word of the search in the article id, the title or an alternative name.

        Django's own search joins the alternative names, so the list, and both its counts, need a
        DISTINCT over every column; a subquery of the matching names needs none.
        """
        if not search_term:
            return queryset, False
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            named = AlternativeName.objects.filter(name__icontains=bit).values("article_id")
            queryset = queryset.filter(
                Q(public_id__icontains=bit) | Q(title__icontains=bit) | Q(pk__in=named)
            )
        return queryset, False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(REASSIGN_PERMISSION):
            fields.append("review_interval_months")  # the review schedule is the directors' call
        return fields + ["public_id"] if obj else fields

    def has_change_permission(self, request, obj=None) -> bool:
        """A draft in review or approved is locked: the admin shows it read-only."""
        if obj is not None and (obj.is_locked or workflow.is_gone(obj)):
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("queue/", wrap(views.review_queue), name="editorial_review_queue"),
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
        return views.review_schedule_csv(queryset)

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
        return super().change_view(request, object_id, form_url, extra_context=extra)


def _change_text(message: list, *, created: bool) -> str:
    if created:
        return "Created"
    changed = [
        name
        for entry in message
        for name in entry.get("changed", {}).get("fields", [])
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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "subject", "from_state", "to_state", "user", "comment"]
    list_filter = ["action", "to_state", ("at", admin.DateFieldListFilter), "user"]
    search_fields = ["article_public_id", "comment"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    @admin.display(description="article or record")
    def subject(self, event: AuditEvent) -> str:
        return event.article_public_id or event.data.get("object", "")


@admin.register(ReviewRecord)
class ReviewRecordAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_on", "article", "outcome", "reviewer", "user"]
    list_filter = ["outcome", "reviewer"]
    search_fields = ["article__public_id", "article__title", "notes"]
    list_select_related = ["article", "reviewer", "user"]


class AuditedAdmin:
    """Mixed into the admin of site data: every change there is an audit event too.

    A changed citation also counts as an edit of each article that cites it, so its
    editor cannot approve those articles' drafts, and they see it in the history.
    """

    def log_addition(self, request, obj, message):
        audit.record_change(obj, "add", request.user)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record_change(obj, "change", request.user)
        if isinstance(obj, Citation):
            for article in Article.objects.filter(citation_links__citation=obj).distinct():
                audit.record(
                    article, "edit", request.user, f"Reference changed: {obj}", from_state=article.state
                )
                if article.is_locked:
                    messages.warning(
                        request,
                        f"“{article.title}” ({article.public_id}) uses this reference and is "
                        f"{article.get_state_display().lower()}: its reviewer will see the change.",
                    )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record_change(obj, "delete", request.user)
        return super().log_deletions(request, queryset)

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


for _model in (
    Citation,
    Reviewer,
    ReviewOrganization,
    EditorialCredit,
    SectionHeading,
    AccreditationNotice,
    PolicyPage,
    SiteSettings,
):
    _base = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (AuditedAdmin, _base), {}))
