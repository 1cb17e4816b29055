"""Publishing approved updates whose go-live time has come (run by ``publish_scheduled``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from editorial import audit
from editorial.workflow import freeze_publication, latest_revision, make_live, scheduled_publication
from encyclopedia import search
from encyclopedia.models import Article, WorkflowState


def publish_due(now: datetime.datetime | None = None) -> list[Article]:
    """Publish every approved article whose go-live time has passed.

    Each article is locked with SKIP LOCKED, so two copies running at once never
    publish the same update twice; running again finds nothing left to do.
    """
    now = now or timezone.now()
    published = []
    due = Article.objects.filter(
        state=WorkflowState.APPROVED, go_live_at__lte=now, withdrawn_at__isnull=True, merged_into__isnull=True
    ).values_list("pk", flat=True)
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
            publication = scheduled_publication(article) or freeze_publication(
                article, None, latest_revision(article), published_at=go_live_at
            )
            make_live(article, publication)
            audit.record(
                article,
                "publish_scheduled",
                None,
                f"Published as scheduled for {go_live_at:%Y-%m-%d %H:%M}",
                from_state=WorkflowState.APPROVED,
                publication=publication.pk,
            )
            search.sync(article)
            published.append(article)
    return published
