"""The review dashboard: what needs attention, for the admin's start page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from editorial.models import AuditEvent
from encyclopedia.models import AccreditationNotice, Article, ArticleQuerySet, WorkflowState

LIST_LENGTH = 10
NOTICE_WARNING_DAYS = 90


@dataclass
class Panel:
    key: str
    title: str
    articles: QuerySet
    link: str  # the full, filterable list in the article admin

    @property
    def count(self) -> int:
        return self.articles.count()

    @property
    def first(self) -> list[Article]:
        return list(self.articles[:LIST_LENGTH])


def _articles() -> ArticleQuerySet:
    return Article.objects.select_related("reviewer", "live_publication").order_by("next_review_due", "title")


def panels(user: Any, today: datetime.date) -> list[Panel]:
    changelist = reverse("admin:encyclopedia_article_changelist")
    live = _articles().live()
    day = datetime.timedelta(days=1)
    windows = [
        Panel(
            "overdue",
            "Overdue for review",
            live.filter(next_review_due__lt=today),
            f"{changelist}?review=overdue",
        ),
    ]
    start = today
    for days in (30, 60, 90):
        end = today + datetime.timedelta(days=days)
        windows.append(
            Panel(
                f"due_{days}",
                "Due within 30 days" if days == 30 else f"Due in {(start - today).days}–{days} days",
                live.filter(next_review_due__gte=start, next_review_due__lte=end),
                f"{changelist}?review=due_{days}",
            )
        )
        start = end + day
    my_edits = AuditEvent.objects.filter(user=user, action__in=("edit", "revert")).values("article")
    return [
        *windows,
        Panel(
            "awaiting_me",
            "Awaiting my review",
            _articles().filter(state=WorkflowState.IN_REVIEW, assigned_reviewer=user)
            | _articles().filter(state=WorkflowState.IN_REVIEW, assigned_reviewer__isnull=True)
            if user.has_perm("encyclopedia.review_article")
            else Article.objects.none(),
            reverse("admin:editorial_review_queue"),
        ),
        Panel(
            "changes_requested",
            "Changes requested",
            _articles().filter(state=WorkflowState.CHANGES_REQUESTED),
            f"{changelist}?state__exact=changes_requested",
        ),
        Panel(
            "my_drafts",
            "My drafts",
            _articles().filter(
                state__in=(WorkflowState.DRAFT, WorkflowState.CHANGES_REQUESTED), pk__in=my_edits
            ),
            f"{changelist}?state__exact=draft",
        ),
        Panel(
            "unassigned",
            "Live with no reviewer or specialty queue",
            live.filter(reviewer__isnull=True, specialty=""),
            f"{changelist}?status=live&reviewer__isnull=True",
        ),
        Panel(
            "scheduled",
            "Scheduled to go live",
            _articles().filter(state=WorkflowState.APPROVED).order_by("go_live_at"),
            f"{changelist}?state__exact=approved",
        ),
    ]


def notice_warnings(today: datetime.date) -> list[str]:
    """Warn 90 days before the valid notice expires, and when no notice is valid at all."""
    valid = list(AccreditationNotice.objects.valid_on(today))
    if not valid:
        return ["No accreditation notice is valid today: public pages show none."]
    later = AccreditationNotice.objects.filter(valid_from__gt=today)
    warnings = []
    for notice in valid:
        left = (notice.valid_until - today).days
        renewed = later.filter(
            body=notice.body, valid_from__lte=notice.valid_until + datetime.timedelta(days=1)
        )
        if left <= NOTICE_WARNING_DAYS and not renewed.exists():
            warnings.append(
                f"The {notice.body} notice ({notice.program}) expires on {notice.valid_until:%m/%d/%Y}, "
                f"in {left} days, and no renewal is entered."
            )
    return warnings
