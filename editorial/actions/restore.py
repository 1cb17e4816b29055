"""Restoring a withdrawn or merged article: its live publication is shown again."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from editorial import workflow
from encyclopedia.models import Article


def restore(article: Article, user: Any) -> Article:
    """Undo a withdrawal or a merge: the latest publication is live again."""

    def change(locked: Article) -> None:
        locked.withdrawn_at = None
        locked.merged_into = None
        locked.live_publication = (
            locked.publications.filter(published_at__lte=timezone.now())
            .order_by("-published_at", "-id")
            .first()
        )

    return workflow.run("restore", article, user, comment="Restored", change=change)
