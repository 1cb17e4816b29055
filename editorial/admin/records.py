"""The logs, read-only: audit events and review records."""

from __future__ import annotations

from django.contrib import admin

from editorial.models import AuditEvent
from encyclopedia.admin import ReadOnlyAdmin


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "subject", "from_state", "to_state", "user", "comment"]
    list_filter = ["action", "to_state", ("at", admin.DateFieldListFilter), "user"]
    search_fields = ["article_public_id", "comment"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    @admin.display(description="article or record")
    def subject(self, event: AuditEvent) -> str:
        return event.article_public_id or event.data.get("object", "")


class ReviewRecordAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_on", "article", "outcome", "reviewer", "user"]
    list_filter = ["outcome", "reviewer"]
    search_fields = ["article__public_id", "article__title", "notes"]
    list_select_related = ["article", "reviewer", "user"]
