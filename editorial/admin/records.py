"""The logs, read-only: audit events, review records and the mail outbox."""

from __future__ import annotations

from django.contrib import admin

from editorial import audit
from editorial.models import AuditEvent, OutgoingMail
from editorial.notifications import person_name
from encyclopedia import dates
from encyclopedia.admin import ReadOnlyAdmin


class NamedValueFilter(admin.SimpleListFilter):
    """A filter on one column of the log, its choices named in words ("Submitted for review")."""

    field = ""

    def name(self, value: str) -> str:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        values = (
            model_admin.model.objects.exclude(**{self.field: ""})
            .order_by()
            .values_list(self.field, flat=True)
        )
        return sorted(((value, self.name(value)) for value in set(values)), key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class ActionFilter(NamedValueFilter):
    title = "what happened"
    parameter_name = field = "action"

    def name(self, value: str) -> str:
        return audit.action_name(value)


class ToStateFilter(NamedValueFilter):
    title = "state afterwards"
    parameter_name = field = "to_state"

    def name(self, value: str) -> str:
        return audit.state_name(value)


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "what", "subject", "state", "who", "comment"]
    list_filter = [ActionFilter, ToStateFilter, ("at", admin.DateFieldListFilter), "user"]
    search_fields = ["article_public_id", "comment"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    @admin.display(description="article or record")
    def subject(self, event: AuditEvent) -> str:
        return event.article_public_id or event.data.get("object", "")

    @admin.display(description="what", ordering="action")
    def what(self, event: AuditEvent) -> str:
        return audit.action_name(event.action)

    @admin.display(description="state")
    def state(self, event: AuditEvent) -> str:
        return audit.state_change(event) or "—"

    @admin.display(description="who", ordering="user")
    def who(self, event: AuditEvent) -> str:
        return person_name(event.user)


class ReviewRecordAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_on", "article", "outcome", "reviewer", "user"]
    list_filter = ["outcome", "reviewer"]
    search_fields = ["article__public_id", "article__title", "notes"]
    list_select_related = ["article", "reviewer", "user"]


class UnsentFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting (not sent yet)"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


class OutgoingMailAdmin(ReadOnlyAdmin):
    """The mail outbox: what the mail server has not taken yet, and why (``editorial/outbox.py``)."""

    list_display = ["created_at", "subject", "to", "delivery", "attempts", "next_attempt_at", "last_error"]
    list_filter = [UnsentFilter, "kind"]
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"

    @admin.display(description="to")
    def to(self, mail: OutgoingMail) -> str:
        return ", ".join(mail.recipients)

    @admin.display(description="delivery")
    def delivery(self, mail: OutgoingMail) -> str:
        return f"sent {dates.moment(mail.sent_at)}" if mail.sent_at else "waiting"
