"""The record of how articles change."""

from django.conf import settings
from django.db import models

from encyclopedia.models import Article


class AuditEvent(models.Model):
    """One write that mattered: who did what to which article, and when."""

    article = models.ForeignKey(Article, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    article_public_id = models.CharField(max_length=6, db_index=True)
    action = models.CharField(max_length=40, db_index=True)
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
