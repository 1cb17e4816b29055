"""draft → in review: an editor asks for a medical review."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from editorial import notifications, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article, WorkflowState


def submit(article: Article, user: Any, *, note: str = "", reviewer: Any = None) -> Article:
    """Submit the draft for review, optionally to one reviewer; the draft is then locked."""
    if reviewer is not None and not reviewer.has_perm("encyclopedia.review_article"):
        raise EditorialError(f"{reviewer.get_username()} is not a medical reviewer.")

    def change(locked: Article) -> None:
        locked.state = WorkflowState.IN_REVIEW
        locked.submitted_by = user
        locked.submitted_at = timezone.now()
        locked.submission_note = note.strip()
        locked.assigned_reviewer = reviewer

    comment = "Submitted for medical review" + (f": {note.strip()}" if note.strip() else "")
    locked = workflow.run("submit", article, user, comment=comment, change=change)
    notifications.submitted(locked, user)
    return locked
