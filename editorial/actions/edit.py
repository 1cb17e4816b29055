"""Editing the working copy in the admin: refused while locked or stale, then recorded.

The admin saves the form and its inlines itself (so django-reversion records the
revision with the user); these two functions are the checks before and the record
after, in the admin's transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from editorial import audit, workflow
from editorial.errors import EditorialError, NotAllowed
from encyclopedia import dates
from encyclopedia.models import Article, WorkflowState

# How the refusal names each locked state; which states lock is Article.is_locked's rule.
LOCKED_WORDING = {
    WorkflowState.IN_REVIEW: "in review",
    WorkflowState.APPROVED: "approved and waiting to go live",
}


class StaleEdit(EditorialError):
    """Someone saved the article after this form was opened."""


def check_editable(article: Article, user: Any, loaded_at: datetime.datetime | None) -> Article:
    """Lock the row and refuse an edit of a locked, gone or changed-since-opened article."""
    if not workflow.has_role(user, "encyclopedia.change_article"):
        raise NotAllowed("You may not edit articles.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.is_locked:
        raise EditorialError(
            f"This article is {LOCKED_WORDING[locked.state]}, so its draft is locked. "
            "A reviewer can send it back for changes."
        )
    if workflow.is_gone(locked):
        raise EditorialError("This article is withdrawn or merged; a director can restore it.")
    if loaded_at is not None and locked.updated_at != loaded_at:
        revision = workflow.latest_revision(locked)
        who = "someone"
        when = timezone.localtime(locked.updated_at)
        if revision is not None:
            who = revision.user.get_username() if revision.user else "the system"
            when = timezone.localtime(revision.date_created)
        raise StaleEdit(
            f"{who} saved this article at {dates.moment(when)} after you opened it. "
            "Nothing was saved, so their changes are kept: copy your edits, reload the article and apply them again."
        )
    return locked


def record_edit(article: Article, user: Any, previous_state: str, summary: str) -> None:
    """After the save: a live article's edit starts a new draft ("live + draft"); audit it."""
    if previous_state == WorkflowState.PUBLISHED:
        article.state = WorkflowState.DRAFT
        article.save(update_fields=["state"])
    audit.record(article, "edit", user, summary, from_state=previous_state, to_state=article.state)
