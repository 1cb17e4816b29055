"""Recovering a deleted article, with its sections, alternative names and references."""

from __future__ import annotations

from typing import Any

import reversion
from django.db import transaction
from reversion.models import Version

from editorial import audit
from editorial.errors import EditorialError, NotAllowed
from editorial.models import AuditEvent
from editorial.workflow import has_role
from encyclopedia.models import Article, WorkflowState

PERMISSION = "encyclopedia.delete_article"


def recover(version: Version, user: Any) -> Article:
    """Bring back a deleted article as a draft, as it stood in ``version``.

    Its old publications went with it, so it is not live until it is approved again;
    its id is the same, because ids are never reused.
    """
    if not has_role(user, PERMISSION):
        raise NotAllowed("Only editorial directors may recover deleted articles.")
    if version.content_type.model_class() is not Article:
        raise EditorialError("That version is not an article.")
    with transaction.atomic():
        if Article.objects.filter(pk=version.object_id).exists():
            raise EditorialError("That article exists; use its history to go back to an older version.")
        with reversion.create_revision():
            version.revision.revert(delete=True)
            article = Article.objects.get(pk=version.object_id)
            article.state = WorkflowState.DRAFT
            article.save()
            if user is not None:
                reversion.set_user(user)
            reversion.set_comment("Recovered after deletion")
        # The log outlives the article; give it back its history (and so who wrote the draft).
        AuditEvent.objects.filter(article__isnull=True, article_public_id=article.public_id).update(
            article=article
        )
        audit.record(article, "recover", user, "Recovered after deletion", from_state="deleted")
    return article
