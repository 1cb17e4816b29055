"""Publishing: freeze the working copy into a Publication and make it live."""

from __future__ import annotations

from typing import Any

import reversion
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from editorial import audit
from editorial.errors import NotAllowed
from encyclopedia.models import Article, CrossReference, Publication, WorkflowState
from encyclopedia.snapshot import freeze

PERMISSION = "encyclopedia.publish_article"


def can_publish(user: Any) -> bool:
    """``None`` is the system itself (management commands); people need the permission."""
    return user is None or user.has_perm(PERMISSION)


def publish(article: Article, user: Any, *, comment: str = "Published") -> Publication:
    """Freeze ``article`` as it stands into a new live Publication.

    Records a revision of the working copy (with the user and comment) and an audit
    event, all in one transaction, so a failure leaves the live page as it was.
    """
    if not can_publish(user):
        raise NotAllowed(f"You may not publish “{article.title}”.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        with reversion.create_revision():
            article.save()
            if user is not None:
                reversion.set_user(user)
            reversion.set_comment(comment)
        version = Version.objects.get_for_object(article).select_related("revision").first()
        publication = Publication.objects.create(
            article=article,
            published_at=timezone.now(),
            published_by=user if user is not None else None,
            revision=version.revision if version else None,
            **freeze(article),
        )
        CrossReference.objects.bulk_create(
            CrossReference(publication=publication, target_public_id=target)
            for target in publication.linked_article_ids
        )
        article.live_publication = publication
        article.state = WorkflowState.APPROVED
        article.save(update_fields=["live_publication", "state"])
        audit.record(article, "publish", user, comment, publication=publication.pk)
    return publication
