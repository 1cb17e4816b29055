"""Merging an article into another: its id answers 301 to the other article from then on."""

from __future__ import annotations

from typing import Any

from editorial import publishing, translation, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def merge(article: Article, user: Any, *, into: Article, reason: str = "") -> Article:
    if into.pk == article.pk:
        raise EditorialError("An article cannot be merged into itself.")
    if not into.is_live or workflow.is_gone(into):
        raise EditorialError(f"Merge into a live article; {into.public_id} is not live.")
    if into.merged_into_id == article.pk:
        raise EditorialError(f"{into.public_id} is already merged into {article.public_id}.")

    comment = f"Merged into {into.public_id} “{into.title}”" + (
        f": {reason.strip()}" if reason.strip() else ""
    )

    def change(locked: Article) -> None:
        publishing.take_down(locked, merged_into=into)  # the old id answers 301 to ``into``
        translation.take_down_with(locked, user, "merge", comment)  # its Spanish page too

    return workflow.run("merge", article, user, comment=comment, change=change, data={"into": into.public_id})
