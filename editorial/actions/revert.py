"""Reverting the working copy to an older version; the live page waits for approval."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from reversion.models import Version

from editorial import workflow
from editorial.errors import EditorialError
from encyclopedia import dates
from encyclopedia.models import Article, WorkflowState


def revert(article: Article, user: Any, *, version: Version) -> Article:
    """Restore the working copy (with its sections, names and references) as it was in ``version``."""
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise EditorialError("That version belongs to another article.")
    revision = version.revision
    when = timezone.localtime(revision.date_created)
    who = revision.user.get_username() if revision.user else "the system"

    def change(locked: Article) -> None:
        revision.revert(delete=True)
        locked.refresh_from_db()
        locked.state = WorkflowState.DRAFT

    comment = f"Reverted to the version of {dates.moment(when)} by {who}"
    return workflow.run("revert", article, user, comment=comment, change=change, data={"version": version.pk})
