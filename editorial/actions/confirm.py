"""A reviewer's one-click "Confirmed still accurate" on a live article.

It is a medical review without a content change: a ReviewRecord (no changes needed), the
review date moved to today, and the live publication re-issued with that date and the
confirming reviewer's credit. It vouches for the page readers see, so the working copy (and
any draft in it, with its credits and organization) is neither read nor touched, except that
the article's review date, which schedules the next review, moves to today.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from editorial import publishing, workflow
from editorial.models import ReviewRecord
from encyclopedia.models import Article


def confirm_still_accurate(article: Article, user: Any, *, notes: str = "") -> Article:
    profile = getattr(user, "reviewer_profile", None)
    today = timezone.localdate()
    comment = "Confirmed still accurate" + (f": {notes.strip()}" if notes.strip() else "")

    def change(locked: Article) -> None:
        locked.review_date = today
        live = locked.live_publication
        credit = profile.credit() if profile is not None else live.updated_by
        publication = publishing.reissue(locked, user, review_date=today, updated_by=credit)
        publishing.replace_live(locked, publication)
        ReviewRecord.objects.create(
            article=locked,
            reviewer=profile,
            user=user,
            reviewed_on=today,
            outcome=ReviewRecord.Outcome.NO_CHANGES_NEEDED,
            notes=notes.strip(),
            credit=credit,
            publication=publication,
        )

    with transaction.atomic():
        locked = workflow.run("confirm", article, user, comment=comment, change=change)
    locked.refresh_from_db()
    return locked
