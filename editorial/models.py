"""The record of how articles change: medical reviews and the audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from encyclopedia.models import Article, Publication, Reviewer


class ReviewRecord(models.Model):
    """One medical review of an article: who reviewed it, when, and what they decided."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        NO_CHANGES_NEEDED = "no_changes_needed", "Confirmed still accurate"
        IMPORTED = "imported", "Imported with its review"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_records")
    reviewer = models.ForeignKey(
        Reviewer, null=True, blank=True, on_delete=models.PROTECT, related_name="review_records"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    credit = models.TextField(
        blank=True, help_text="The reviewer credit as the review stated it (an imported page's “Updated by”)."
    )
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        who = self.reviewer or self.user or "unknown reviewer"
        return f"{self.reviewed_on:%Y-%m-%d} {self.get_outcome_display()} by {who}"


class AuditEvent(models.Model):
    """One write that mattered: who did what to which article, when, and from which state."""

    article = models.ForeignKey(Article, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    article_public_id = models.CharField(max_length=6, db_index=True)
    action = models.CharField(max_length=40, db_index=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        who = self.user or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.article_public_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are immutable.")


class ReminderLog(models.Model):
    """One review-reminder digest sent to one reviewer on one day: at most one a day."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    article_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-sent_on"]
        constraints = [models.UniqueConstraint(fields=["reviewer", "sent_on"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.sent_on}: {self.reviewer.name} ({self.article_count} articles)"


class OutgoingMail(models.Model):
    """An email the workflow sends (a notification, a review reminder), kept until the mail
    server accepts it: written in the transaction of what it announces, so it is never lost,
    and marked sent once accepted, so it is never sent twice (``editorial/outbox.py``)."""

    kind = models.CharField(max_length=40, help_text="The template it was made from.")
    subject = models.CharField(max_length=300)
    from_email = models.CharField(max_length=254)
    recipients = models.JSONField()
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(
        max_length=200, unique=True, help_text="The Message-ID header: the same on every attempt."
    )
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A process is sending it until then; no other may."
    )
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing email"
        verbose_name_plural = "outgoing emails"

    def __str__(self) -> str:
        return self.subject
