"""Review reminders: one digest a day to each reviewer, listing their overdue and due-soon articles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from editorial import outbox
from editorial.models import ReminderLog
from editorial.notifications import admin_url, person_name, render_email
from encyclopedia.models import Article, Reviewer

DUE_SOON_DAYS = 30


@dataclass
class Digest:
    reviewer: Reviewer
    email: str
    overdue: list[Article]
    due_soon: list[Article]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_soon)

    def subject(self) -> str:
        return f"Medical reviews due: {len(self.overdue)} overdue, {len(self.due_soon)} due within {DUE_SOON_DAYS} days"

    def context(self) -> dict:
        return {
            "name": self.reviewer.name or person_name(self.reviewer.user),
            "groups": [
                (heading, [(article, admin_url(article)) for article in articles])
                for heading, articles in (
                    ("Overdue", self.overdue),
                    (f"Due within {DUE_SOON_DAYS} days", self.due_soon),
                )
                if articles
            ],
        }

    def body(self) -> str:
        """The plain-text digest (``templates/editorial/email/review_reminder.txt``)."""
        return render_email("review_reminder", self.context())[0].rstrip("\n")


def digests(today: datetime.date) -> list[Digest]:
    """What each reviewer would get today: only reviewers with a login email and something due."""
    due = (
        Article.objects.due_within(DUE_SOON_DAYS, today)
        .filter(reviewer__user__isnull=False, reviewer__user__is_active=True)
        .exclude(reviewer__user__email="")
        .select_related("reviewer__user")
        .order_by("next_review_due", "title")
    )
    by_reviewer: dict[int, Digest] = {}

    def add(reviewer: Reviewer, article: Article) -> None:
        digest = by_reviewer.setdefault(reviewer.pk, Digest(reviewer, reviewer.user.email, [], []))
        (digest.overdue if article.next_review_due < today else digest.due_soon).append(article)

    for article in due:
        add(article.reviewer, article)
    # Articles with no responsible reviewer go to everyone in their specialty's queue.
    queued = (
        Article.objects.due_within(DUE_SOON_DAYS, today).filter(reviewer__isnull=True).exclude(specialty="")
    )
    if queued:
        specialists = (
            Reviewer.objects.filter(
                specialty__in={a.specialty for a in queued}, user__isnull=False, user__is_active=True
            )
            .exclude(user__email="")
            .select_related("user")
        )
        for article in queued.order_by("next_review_due", "title"):
            for reviewer in specialists:
                # A Spanish edition goes only to specialists who review Spanish.
                if reviewer.specialty == article.specialty and reviewer.qualified_for(article.language):
                    add(reviewer, article)
    return sorted(by_reviewer.values(), key=lambda d: d.reviewer.name)


def send_digests(today: datetime.date) -> tuple[list[Digest], list[Digest]]:
    """Send today's digests; a reviewer already reminded today is skipped. Returns (sent, skipped).

    Each digest goes into the mail outbox with its reminder record, in one transaction, and is
    sent from there: a mail server that is down delays it (``send_queued_mail`` sends it later),
    and running the command again the same day neither loses it nor sends it twice.
    """
    sent, skipped, queued = [], [], []
    for digest in digests(today):
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    reviewer=digest.reviewer, sent_on=today, article_count=digest.count
                )
                text, html = render_email("review_reminder", digest.context())
                mail = outbox.enqueue("review_reminder", digest.subject(), text, html, [digest.email])
        except IntegrityError:
            skipped.append(digest)
            continue
        sent.append(digest)
        queued.append(mail.pk)
    outbox.deliver(pks=queued)  # those not sent yet (on commit) and not claimed by another run
    return sent, skipped


def already_sent(today: datetime.date) -> set[int]:
    """Reviewers who had today's digest already."""
    return set(ReminderLog.objects.filter(sent_on=today).values_list("reviewer_id", flat=True))


def unreachable(today: datetime.date) -> list[Article]:
    """Due articles nobody can be reminded about: no reviewer with an active login and an email."""
    reached = {article.pk for digest in digests(today) for article in digest.overdue + digest.due_soon}
    due = Article.objects.due_within(DUE_SOON_DAYS, today).order_by("next_review_due")
    return [article for article in due if article.pk not in reached]
