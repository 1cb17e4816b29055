"""A reviewer's one-click "Confirmed still accurate" on a live article.

It is a medical review without a content change: a ReviewRecord (no changes needed),
the review date moved to today, the reviewer's current credit, and a new publication
of the live content carrying that date and credit. A draft in progress is untouched.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from editorial import workflow
from editorial.models import ReviewRecord
from encyclopedia import search
from encyclopedia.models import Article, Publication
from encyclopedia.snapshot import freeze


def confirm_still_accurate(article: Article, user: Any, *, notes: str = "") -> Article:
    profile = getattr(user, "reviewer_profile", None)
    today = timezone.localdate()

    def change(locked: Article) -> None:
        locked.review_date = today
        if profile is not None:
            locked.reviewer = profile

    with transaction.atomic():
        locked = workflow.run(
            "confirm",
            article,
            user,
            comment="Confirmed still accurate" + (f": {notes.strip()}" if notes.strip() else ""),
            change=change,
        )
        live = locked.live_publication
        content = {
            field.name: getattr(live, field.name)
            for field in Publication._meta.concrete_fields
            if field.name not in ("id", "published_at", "published_by", "revision")
        }
        reviewer = locked.reviewer
        current = freeze(locked)  # the credits as they stand today, with the live content
        content.update(
            review_date=today,
            updated_by=current["updated_by"],
            review_organization=current["review_organization"],
            also_reviewed_by=current["also_reviewed_by"],
            published_by=user,
            revision=live.revision,
        )
        publication = Publication.objects.create(**content)
        for reference in live.cross_references.all():
            publication.cross_references.create(target_public_id=reference.target_public_id)
        Article.objects.filter(pk=locked.pk).update(live_publication=publication)
        search.sync(locked)
        ReviewRecord.objects.create(
            article=locked,
            reviewer=reviewer,
            user=user,
            reviewed_on=today,
            outcome=ReviewRecord.Outcome.NO_CHANGES_NEEDED,
            notes=notes.strip(),
            publication=publication,
        )
    locked.refresh_from_db()
    return locked
