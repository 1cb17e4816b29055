"""Deleting an article that readers no longer see; "Recover deleted articles" brings it back."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from editorial import audit, publishing
from editorial.errors import EditorialError, NotAllowed
from editorial.workflow import has_role
from encyclopedia.models import Article

PERMISSION = "encyclopedia.delete_article"


def delete(article: Article, user: Any) -> None:
    """Delete ``article`` with its publications; a live article is withdrawn (410) first."""
    if not has_role(user, PERMISSION):
        raise NotAllowed("You may not delete articles.")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.is_live:
            raise EditorialError(f"{locked.public_id} is live: withdraw it before deleting it.")
        if locked.translations.exists():
            raise EditorialError(
                f"{locked.public_id} has a Spanish edition, which translates it: delete that edition first."
            )
        audit.record(locked, "delete", user, "Deleted (recoverable from “Recover deleted articles”)")
        publishing.delete(locked)
