"""Withdrawing a live article: the public gets 410 Gone with a short notice."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from editorial import workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def withdraw(article: Article, user: Any, *, reason: str) -> Article:
    reason = reason.strip()
    if not reason:
        raise EditorialError("Say why the article is withdrawn: a reason is required.")

    def change(locked: Article) -> None:
        locked.withdrawn_at = timezone.now()
        locked.live_publication = None  # the public gets 410 Gone; restore brings it back
        workflow.stop_pending_review(locked)

    return workflow.run("withdraw", article, user, comment=f"Withdrawn: {reason}", change=change)
