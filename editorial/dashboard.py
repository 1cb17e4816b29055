"""The editorial dashboard: what needs attention, per role, on the admin's start page.

Each panel is a condition on the article row (``Panel.condition``). The dashboard counts and lists
the articles that meet it, and its link opens the article list filtered by the same condition
(``editorial.admin.filters.DashboardFilter``), so a count is always the number of rows its link lists.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from editorial.models import AuditEvent, OutgoingMail
from editorial.workflow import FREEZES
from encyclopedia import dates
from encyclopedia.models import (
    GONE,
    LIVE,
    AccreditationNotice,
    Article,
    Language,
    WorkflowState,
    language_codes,
)

LIST_LENGTH = 10
NOTICE_WARNING_DAYS = 90
DUE_SOON_DAYS = 30
RECENT_DAYS = 30

# Who sees which group of panels: the permission that marks the role (editorial.roles).
EDITOR_PERMISSION = "encyclopedia.submit_article"
REVIEWER_PERMISSION = "encyclopedia.review_article"
DIRECTOR_PERMISSION = "encyclopedia.withdraw_article"

Condition = Callable[[Any, datetime.date], Q]
NOTHING = Q(pk__in=[])


def _edited_by(user: Any) -> Q:
    """Articles whose working copy this user changed (edited or reverted)."""
    return Q(pk__in=AuditEvent.objects.filter(user=user, action__in=("edit", "revert")).values("article"))


def _responsible(user: Any) -> Q:
    """Live pages whose review is in this reviewer's name, or in their specialty's queue."""
    profile = getattr(user, "reviewer_profile", None)
    if profile is None:
        return NOTHING
    mine = Q(reviewer=profile)
    if profile.specialty:
        mine |= Q(reviewer__isnull=True, specialty=profile.specialty)
    return mine


def in_languages_of(user: Any) -> Q:
    """Editions in the languages this reviewer reviews (all, for a login with no reviewer profile)."""
    profile = getattr(user, "reviewer_profile", None)
    if profile is None:
        return Q()
    return Q(language__in=language_codes(profile.languages))


def _due_between(today: datetime.date, low: int, high: int) -> Q:
    return LIVE & Q(
        next_review_due__gte=today + datetime.timedelta(days=low),
        next_review_due__lte=today + datetime.timedelta(days=high),
    )


def _overdue(today: datetime.date) -> Q:
    return LIVE & Q(next_review_due__lt=today)


def _recently_published(today: datetime.date) -> Q:
    since = today - datetime.timedelta(days=RECENT_DAYS)
    frozen = AuditEvent.objects.filter(action__in=FREEZES, at__date__gte=since).values("article")
    return LIVE & Q(state=WorkflowState.PUBLISHED, pk__in=frozen)


def _out_of_date_translations() -> Q:
    """Spanish editions whose English article changed since their translation's source."""
    return Q(language=Language.SPANISH, out_of_date_since__isnull=False) & ~GONE


def _reviews_spanish(user: Any) -> bool:
    """A reviewer qualified for Spanish, who may confirm a translation (others could not act on
    an out-of-date one)."""
    profile = getattr(user, "reviewer_profile", None)
    return profile is not None and profile.qualified_for(Language.SPANISH)


def _in_review() -> Q:
    return Q(state=WorkflowState.IN_REVIEW) & ~GONE


@dataclass(frozen=True)
class PanelKind:
    key: str
    title: str
    group: str
    permission: str
    condition: Condition
    order: tuple[str, ...] = ("next_review_due", "title")
    not_for: str = ""  # a role (permission) whose own panel covers this one already
    only_for: Callable[[Any], bool] | None = None  # within the role, who the panel is for


EDITORS_GROUP = "Your articles"
REVIEWERS_GROUP = "Your reviews"
DIRECTORS_GROUP = "The whole encyclopedia"

KINDS: tuple[PanelKind, ...] = (
    PanelKind(
        "my_drafts",
        "My drafts",
        EDITORS_GROUP,
        EDITOR_PERMISSION,
        lambda user, today: Q(state=WorkflowState.DRAFT) & _edited_by(user) & ~GONE,
        ("-updated_at",),
    ),
    PanelKind(
        "changes_for_me",
        "Changes requested of me",
        EDITORS_GROUP,
        EDITOR_PERMISSION,
        lambda user, today: Q(state=WorkflowState.CHANGES_REQUESTED, submitted_by=user) & ~GONE,
        ("-updated_at",),
    ),
    PanelKind(
        "my_submissions",
        "My submissions waiting for review",
        EDITORS_GROUP,
        EDITOR_PERMISSION,
        lambda user, today: _in_review() & Q(submitted_by=user),
        ("submitted_at",),
    ),
    PanelKind(
        "my_published",
        f"Published in the last {RECENT_DAYS} days, with my changes",
        EDITORS_GROUP,
        EDITOR_PERMISSION,
        lambda user, today: _recently_published(today) & _edited_by(user),
        ("-live_publication__published_at",),
    ),
    PanelKind(
        "out_of_date_translations_to_update",
        "Out-of-date translations to update",
        EDITORS_GROUP,
        EDITOR_PERMISSION,
        lambda user, today: _out_of_date_translations(),
        ("out_of_date_since",),
        not_for=DIRECTOR_PERMISSION,
        only_for=lambda user: Article.objects.spanish().exists(),  # once the site translates
    ),
    PanelKind(
        "awaiting_me",
        "Awaiting my review",
        REVIEWERS_GROUP,
        REVIEWER_PERMISSION,
        lambda user, today: (
            _in_review()
            & (Q(assigned_reviewer=user) | Q(assigned_reviewer__isnull=True))
            & in_languages_of(user)
        ),
        ("submitted_at",),
    ),
    PanelKind(
        "my_overdue",
        "Overdue for review: mine or my specialty's",
        REVIEWERS_GROUP,
        REVIEWER_PERMISSION,
        lambda user, today: _overdue(today) & _responsible(user),
    ),
    PanelKind(
        "my_due_soon",
        f"Due within {DUE_SOON_DAYS} days: mine or my specialty's",
        REVIEWERS_GROUP,
        REVIEWER_PERMISSION,
        lambda user, today: _due_between(today, 0, DUE_SOON_DAYS) & _responsible(user),
    ),
    PanelKind(
        "in_review",
        "All awaiting review",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _in_review(),
        ("submitted_at",),
    ),
    PanelKind(
        "changes_requested",
        "All with changes requested",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: Q(state=WorkflowState.CHANGES_REQUESTED) & ~GONE,
        ("-updated_at",),
    ),
    PanelKind(
        "overdue",
        "Overdue for review",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _overdue(today),
    ),
    PanelKind(
        "due_30",
        "Due within 30 days",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _due_between(today, 0, 30),
    ),
    PanelKind(
        "due_60",
        "Due in 31–60 days",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _due_between(today, 31, 60),
    ),
    PanelKind(
        "due_90",
        "Due in 61–90 days",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _due_between(today, 61, 90),
    ),
    PanelKind(
        "unassigned",
        "Live with no reviewer or specialty queue",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: LIVE & Q(reviewer__isnull=True, specialty=""),
        ("title",),
    ),
    PanelKind(
        "out_of_date_translations_to_confirm",
        "Out-of-date translations to confirm",
        REVIEWERS_GROUP,
        REVIEWER_PERMISSION,
        lambda user, today: _out_of_date_translations(),
        ("out_of_date_since",),
        not_for=DIRECTOR_PERMISSION,
        only_for=_reviews_spanish,
    ),
    PanelKind(
        "out_of_date_translations",
        "Out-of-date translations",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: _out_of_date_translations(),
        ("out_of_date_since",),
    ),
    PanelKind(
        "scheduled",
        "Approved, scheduled to go live",
        DIRECTORS_GROUP,
        DIRECTOR_PERMISSION,
        lambda user, today: Q(state=WorkflowState.APPROVED) & ~GONE,
        ("go_live_at", "title"),
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass
class Panel:
    key: str
    title: str
    group: str
    articles: QuerySet
    link: str  # the article list filtered to exactly these articles

    @property
    def count(self) -> int:
        return self.articles.count()

    @property
    def first(self) -> list[Article]:
        return list(self.articles[:LIST_LENGTH])


def kinds_for(user: Any) -> list[PanelKind]:
    """The panels of the user's roles: an editor's, a reviewer's, a director's.

    A director's own panels cover the whole encyclopedia: every draft waiting for review or sent
    back, every review due; the reviewer's panels are for those who review.
    """
    return [
        kind
        for kind in KINDS
        if user.has_perm(kind.permission)
        and not (kind.not_for and user.has_perm(kind.not_for))
        and (kind.only_for is None or kind.only_for(user))
    ]


def condition(key: str, user: Any, today: datetime.date | None = None) -> Q | None:
    """The condition of panel ``key`` for ``user``, as the article list's filter applies it."""
    kind = KINDS_BY_KEY.get(key)
    if kind is None:
        return None
    return kind.condition(user, today or timezone.localdate())


def panels(user: Any, today: datetime.date) -> list[Panel]:
    changelist = reverse("admin:encyclopedia_article_changelist")
    articles = Article.objects.select_related("reviewer", "live_publication", "submitted_by")
    return [
        Panel(
            kind.key,
            kind.title,
            kind.group,
            articles.filter(kind.condition(user, today)).order_by(*kind.order, "pk"),
            f"{changelist}?panel={kind.key}",
        )
        for kind in kinds_for(user)
    ]


def groups(user: Any, today: datetime.date) -> list[tuple[str, list[Panel]]]:
    """The panels in their role groups, in the order the dashboard shows them."""
    grouped: dict[str, list[Panel]] = {}
    for panel in panels(user, today):
        grouped.setdefault(panel.group, []).append(panel)
    if user.has_perm(DIRECTOR_PERMISSION) and not any(p.count for p in grouped.get(EDITORS_GROUP, [])):
        grouped.pop(EDITORS_GROUP, None)  # a director who is not editing: the whole site is theirs
    return list(grouped.items())


def accreditation(today: datetime.date) -> list[AccreditationNotice]:
    """The notices valid today and those entered to follow them, for the directors' panel."""
    return list(AccreditationNotice.objects.filter(valid_until__gte=today).order_by("valid_from", "body"))


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
                f"The {notice.body} notice ({notice.program}) expires on {dates.day(notice.valid_until)}, "
                f"in {left} days, and no renewal is entered."
            )
    return warnings


def delivery_warnings(user: Any) -> list[str]:
    """For those who may see the mail outbox: email the mail server has not taken, and why."""
    if not user.has_perm("editorial.view_outgoingmail"):
        return []
    waiting = OutgoingMail.objects.filter(sent_at__isnull=True)
    count = waiting.count()
    if not count:
        return []
    last = waiting.exclude(last_error="").order_by("-next_attempt_at").first()
    why = f" The mail server said: {last.last_error}" if last else ""
    return [
        ngettext(
            "%(count)d email not sent yet: it is sent again by send_queued_mail",
            "%(count)d emails not sent yet: they are sent again by send_queued_mail",
            count,
        )
        % {"count": count}
        + f" (Editorial workflow → Outgoing emails).{why}"
    ]
