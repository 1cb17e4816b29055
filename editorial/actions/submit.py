"""draft → in review: an editor asks for a medical review."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from editorial import notifications, translation, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article, WorkflowState


def submit(article: Article, user: Any, *, note: str = "", reviewer: Any = None) -> Article:
    """Submit the draft for review, optionally to one reviewer; the draft is then locked."""
    if reviewer is not None and not reviewer.has_perm("encyclopedia.review_article"):
        raise EditorialError(f"{reviewer.get_username()} is not a medical reviewer.")
    # Assigned, a reviewer must be able to approve this edition (an English draft may go to a
    # reviewer who is yet to be linked to a profile, as before editions had languages).
    profile = getattr(reviewer, "reviewer_profile", None) if reviewer is not None else None
    unqualified = profile is not None and not profile.qualified_for(article.language)
    if reviewer is not None and (unqualified or (profile is None and article.is_translation)):
        raise EditorialError(
            f"{reviewer.get_username()} does not review the {article.get_language_display()} edition."
        )
    # A translation is reviewed against the English page its translator saw when submitting.
    data: dict[str, int] = {}

    def change(locked: Article) -> None:
        locked.state = WorkflowState.IN_REVIEW
        locked.submitted_by = user
        locked.submitted_at = timezone.now()
        locked.submission_note = note.strip()
        locked.assigned_reviewer = reviewer
        source = translation.english_live(locked) if locked.is_translation else None
        if source is not None:
            data["english_publication"] = source.pk

    comment = "Submitted for medical review" + (f": {note.strip()}" if note.strip() else "")
    locked = workflow.run("submit", article, user, comment=comment, change=change, data=data)
    notifications.submitted(locked, user)
    return locked
