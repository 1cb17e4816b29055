"""Withdrawing a live article: the public gets 410 Gone with a short notice."""

from __future__ import annotations

from typing import Any

from editorial import publishing, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def withdraw(article: Article, user: Any, *, reason: str) -> Article:
    reason = reason.strip()
    if not reason:
        raise EditorialError("Say why the article is withdrawn: a reason is required.")

    def change(locked: Article) -> None:
        publishing.take_down(locked)  # the public gets 410 Gone; restore brings the page back

    return workflow.run("withdraw", article, user, comment=f"Withdrawn: {reason}", change=change)
