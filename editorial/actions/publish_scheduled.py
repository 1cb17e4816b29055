"""Publishing approved updates whose go-live time has come (run by ``publish_scheduled``)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from editorial import audit, publishing
from editorial.workflow import scheduled_publication
from encyclopedia import dates
from encyclopedia.models import Article, WorkflowState

logger = logging.getLogger(__name__)


def publish_due(now: datetime.datetime | None = None) -> list[Article]:
    """Publish every approved article whose go-live time has passed.

    What goes live is the publication frozen at approval, the content the reviewer saw; an
    article without one is left alone and logged, never published from its working copy.
    Each article is locked with SKIP LOCKED, so two copies running at once never
    publish the same update twice; running again finds nothing left to do.
    """
    now = now or timezone.now()
    published = []
    due = (
        Article.objects.filter(
            state=WorkflowState.APPROVED,
            go_live_at__lte=now,
            withdrawn_at__isnull=True,
            merged_into__isnull=True,
        )
        # A Spanish edition waits while its English article is withdrawn or merged.
        .exclude(translation_of__withdrawn_at__isnull=False)
        .exclude(translation_of__merged_into__isnull=False)
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=WorkflowState.APPROVED, go_live_at__lte=now, withdrawn_at__isnull=True)
                .first()
            )
            if article is None:
                continue  # another copy has it, or it is no longer due
            go_live_at = article.go_live_at
            publication = scheduled_publication(article)
            if publication is None:
                logger.error(
                    "Article %s is due but has no approved publication; not published", article.public_id
                )
                continue
            publishing.go_live(article, publication)
            audit.record(
                article,
                "publish_scheduled",
                None,
                f"Published as scheduled for {dates.moment(go_live_at)}",
                from_state=WorkflowState.APPROVED,
                publication=publication.pk,
            )
            published.append(article)
    return published
