"""in review → approved: a medical reviewer approves; the update goes live now or at its time."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from editorial import notifications, publishing, translation, workflow
from editorial.errors import EditorialError
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia import dates, snapshot
from encyclopedia.models import Article, Publication, Reviewer, WorkflowState


class ChangedSinceShown(EditorialError):
    """What would be published is not what the reviewer was shown."""


def approve(
    article: Article,
    user: Any,
    *,
    notes: str = "",
    go_live_at: datetime.datetime | None = None,
    seen: str | None = None,
) -> Article:
    """Approve the draft: record the review, date it today, credit the reviewer, publish.

    With a future ``go_live_at`` the approved draft waits for ``publish_scheduled``.
    Nobody approves a draft that contains their own changes (checked in the workflow).
    ``seen`` is ``snapshot.fingerprint`` of the draft as the reviewer was shown it: if what would
    be published differs now, nothing is approved (the approve form always sends it).
    """
    now = timezone.now()
    scheduled = go_live_at is not None and go_live_at > now
    if go_live_at is not None and not scheduled and go_live_at < now - datetime.timedelta(minutes=5):
        raise EditorialError("The go-live time is in the past; leave it empty to publish now.")
    profile: Reviewer | None = getattr(user, "reviewer_profile", None)
    author = None

    def change(locked: Article) -> None:
        nonlocal author
        if seen is not None and snapshot.fingerprint(locked) != seen:
            raise ChangedSinceShown(
                "The draft changed after you opened it (it, or a reference, credit or heading it "
                "uses, was edited), so nothing was approved: review the changes again."
            )
        author = locked.submitted_by
        locked.review_date = timezone.localdate()
        if profile is not None:
            locked.reviewer = profile
        locked.state = WorkflowState.APPROVED
        locked.go_live_at = go_live_at if scheduled else None
        if locked.is_translation:
            translation.mark_current(locked, submitted_source(locked))
        ReviewRecord.objects.create(
            article=locked,
            reviewer=locked.reviewer,
            user=user,
            reviewed_on=locked.review_date,
            outcome=ReviewRecord.Outcome.APPROVED,
            notes=notes.strip(),
        )

    comment = "Approved" + (f" to go live at {dates.moment(go_live_at)}" if scheduled else " and published")
    if notes.strip():
        comment += f": {notes.strip()}"
    with transaction.atomic():
        locked = workflow.run("approve", article, user, comment=comment, change=change, publish=not scheduled)
        if scheduled:
            # Frozen now, at review time: the reviewer approved this content with these credits.
            publication = publishing.freeze(
                locked, user, workflow.latest_revision(locked), published_at=locked.go_live_at
            )
            workflow.link_review(locked, publication)
    notifications.approved(locked, author, user)
    return locked


def submitted_source(edition: Article) -> Publication | None:
    """The English publication a Spanish draft was submitted against (its translator saw that
    one); the English live publication if the submission named none."""
    submitted = (
        AuditEvent.objects.filter(article=edition, action="submit")
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    pk = (submitted or {}).get("english_publication")
    found = Publication.objects.filter(pk=pk, article_id=edition.translation_of_id).first() if pk else None
    return found or translation.english_live(edition)
