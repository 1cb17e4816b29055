"""in review → changes requested: a reviewer sends the draft back with a comment."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from editorial import notifications, workflow
from editorial.errors import EditorialError
from editorial.models import ReviewRecord
from encyclopedia.models import Article, WorkflowState


def request_changes(article: Article, user: Any, *, comment: str) -> Article:
    """Send the draft back to its editor; the comment stays visible on the draft."""
    comment = comment.strip()
    if not comment:
        raise EditorialError("Say what should change: a comment is required.")

    def change(locked: Article) -> None:
        locked.state = WorkflowState.CHANGES_REQUESTED
        locked.review_comment = comment
        ReviewRecord.objects.create(
            article=locked,
            reviewer=getattr(user, "reviewer_profile", None),
            user=user,
            reviewed_on=timezone.localdate(),
            outcome=ReviewRecord.Outcome.CHANGES_REQUESTED,
            notes=comment,
        )

    locked = workflow.run(
        "request_changes", article, user, comment=f"Changes requested: {comment}", change=change
    )
    notifications.changes_requested(locked, locked.submitted_by, user, comment)
    return locked
