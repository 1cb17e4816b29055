"""Bulk reassignment of the responsible reviewer or specialty queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from editorial import audit
from editorial.errors import NotAllowed
from editorial.workflow import has_role
from encyclopedia.models import Article, Reviewer

PERMISSION = "encyclopedia.change_reviewer"  # directors manage reviewers


def reassign_reviewer(
    articles: list[Article],
    user: Any,
    *,
    reviewer: Reviewer | None,
    specialty: str = "",
    clear_reviewer: bool = False,
) -> tuple[int, list[Article]]:
    """Give each article a responsible reviewer and/or specialty queue; audited per article.

    Only the assignment changes: the public credit stays as it was reviewed. Articles in
    review or approved are skipped (their credit is being decided) and returned.
    """
    if not has_role(user, PERMISSION):
        raise NotAllowed("Only editorial directors reassign reviewers.")
    changed = 0
    skipped = []
    with transaction.atomic():
        for article in Article.objects.select_for_update().filter(pk__in=[a.pk for a in articles]):
            if article.is_locked:
                skipped.append(article)
                continue
            before = (article.reviewer_id, article.specialty)
            if clear_reviewer:
                article.reviewer = None
            elif reviewer is not None:
                article.reviewer = reviewer
            if specialty.strip():
                article.specialty = specialty.strip()
            if (article.reviewer_id, article.specialty) == before:
                continue
            article.save(update_fields=["reviewer", "specialty", "updated_at"])  # open forms are now stale
            who = article.reviewer.name if article.reviewer else "no reviewer"
            audit.record(
                article,
                "reassign",
                user,
                f"Responsible reviewer: {who}; specialty: {article.specialty or '—'}",
            )
            changed += 1
    return changed, skipped
