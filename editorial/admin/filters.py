"""The article list's filters: status, review due, specialty, edition.

Each choice is a condition on the article row itself, which serves both the filter and its counts.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone

from editorial import dashboard
from encyclopedia.models import GONE, LIVE, Article, Language, WorkflowState


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


class DashboardFilter(admin.SimpleListFilter):
    """The dashboard's panels (``editorial.dashboard``): each count links here, to exactly its articles.

    The panels of editors and reviewers depend on who is looking ("my drafts"), so the condition
    is the signed-in user's.
    """

    title = "dashboard"
    parameter_name = "panel"

    def lookups(self, request, model_admin):
        return [(kind.key, kind.title) for kind in dashboard.kinds_for(request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        condition = dashboard.condition(self.value(), request.user)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)


class EditionFilter(ConditionFilter):
    """English articles, Spanish editions, and the Spanish editions the English page has outrun."""

    title = "edition"
    parameter_name = "edition"

    def lookups(self, request, model_admin):
        return [
            ("en", "English"),
            ("es", "Spanish"),
            ("out_of_date", "Spanish, out of date"),
        ]

    def condition(self, value: str) -> Q | None:
        return {
            "en": Q(language=Language.ENGLISH),
            "es": Q(language=Language.SPANISH),
            "out_of_date": Q(language=Language.SPANISH, out_of_date_since__isnull=False),
        }.get(value)
