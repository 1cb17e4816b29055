"""Withdrawing a live article: the public gets 410 Gone with a short notice."""

from __future__ import annotations

from typing import Any

from editorial import publishing, translation, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def withdraw(article: Article, user: Any, *, reason: str) -> Article:
    reason = reason.strip()
    if not reason:
        raise EditorialError("Say why the article is withdrawn: a reason is required.")

    comment = f"Withdrawn: {reason}"

    def change(locked: Article) -> None:
        publishing.take_down(locked)  # the public gets 410 Gone; restore brings the page back
        translation.take_down_with(locked, user, "withdraw", comment)  # its Spanish page too

    return workflow.run("withdraw", article, user, comment=comment, change=change)
