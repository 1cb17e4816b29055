"""Writing audit events. Every action calls ``record`` inside its transaction.

Changes to site data in the admin (citations, reviewers, notices...) are recorded from the admin's
own log: ``record_admin_change`` receives each ``LogEntry`` as it is saved (connected in
``EditorialConfig.ready()``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType

from editorial.models import AuditEvent
from encyclopedia.models import (
    AccreditationNotice,
    Article,
    Citation,
    EditorialCredit,
    PolicyPage,
    Reviewer,
    ReviewOrganization,
    SectionHeading,
    SiteSettings,
    WorkflowState,
)

# The site data whose admin changes are audit events; a changed citation is an edit of each
# article that cites it too.
SITE_DATA = (
    Citation,
    Reviewer,
    ReviewOrganization,
    EditorialCredit,
    SectionHeading,
    AccreditationNotice,
    PolicyPage,
    SiteSettings,
)
ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def record(
    article: Article,
    action: str,
    user: Any = None,
    comment: str = "",
    *,
    from_state: str = "",
    to_state: str = "",
    **data: Any,
) -> AuditEvent:
    event = unsaved(article, action, user, comment, from_state=from_state, to_state=to_state, **data)
    event.save(force_insert=True)
    return event


def unsaved(
    article: Article,
    action: str,
    user: Any = None,
    comment: str = "",
    *,
    from_state: str = "",
    to_state: str = "",
    **data: Any,
) -> AuditEvent:
    """The event ``record`` saves, for a caller that saves many at once (an import's batch)."""
    return AuditEvent(
        article=article,
        article_public_id=article.public_id,
        action=action,
        from_state=from_state,
        to_state=to_state or article.state,
        user=user if getattr(user, "is_authenticated", False) else None,
        comment=comment,
        data=data,
    )


def record_change(obj: Any, action: str, user: Any, comment: str = "") -> AuditEvent:
    """An admin change to site data (a citation, reviewer, notice, policy page...), not to one article."""
    return record_site(
        action,
        user,
        comment or f"{obj._meta.verbose_name.capitalize()} “{obj}”",
        {"model": obj._meta.label_lower, "pk": obj.pk, "object": str(obj)[:200]},
    )


def record_site(action: str, user: Any, comment: str, data: dict[str, Any]) -> AuditEvent:
    """An event of the whole site (a site-data change, a restore), not of one article."""
    return AuditEvent.objects.create(
        article=None,
        article_public_id="",
        action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        comment=comment,
        data=data,
    )


def record_admin_change(sender: type, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    """The admin logged an addition, change or deletion: if of site data, it is an audit event.

    The admin logs as it saves, in the same transaction, and logs a deletion before deleting, so
    the object is still there to name. A changed citation also counts as an edit of each article
    that cites it, so its editor cannot approve those articles' drafts, and they see it in the history.
    (The admin also warns its user when such an article is locked: ``CitationAdmin.response_change``.)
    """
    if not created or raw or instance.action_flag not in ADMIN_ACTIONS:
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model not in SITE_DATA:
        return
    action = ADMIN_ACTIONS[instance.action_flag]
    obj = model._default_manager.filter(pk=instance.object_id).first()
    if obj is None:  # not logged before its deletion: name it as the log does
        opts = model._meta
        record_site(
            action,
            instance.user,
            f"{opts.verbose_name.capitalize()} “{instance.object_repr}”",
            {
                "model": opts.label_lower,
                "pk": opts.pk.to_python(instance.object_id),
                "object": instance.object_repr,
            },
        )
        return
    record_change(obj, action, instance.user)
    if isinstance(obj, Citation) and action == "change":
        for article in Article.objects.filter(citation_links__citation=obj).distinct():
            record(article, "edit", instance.user, f"Reference changed: {obj}", from_state=article.state)


# How people read the log: "Submitted for review", "In review → Published", never internal names.
ACTION_NAMES = {
    "edit": "Edited",
    "revert": "Draft reverted to an earlier version",
    "submit": "Submitted for review",
    "request_changes": "Changes requested",
    "approve": "Approved",
    "confirm": "Confirmed still accurate",
    "publish": "Published",
    "publish_correction": "Minor correction published",
    "publish_scheduled": "Published as scheduled",
    "withdraw": "Withdrawn",
    "merge": "Merged into another article",
    "restore": "Restored",
    "delete": "Deleted",
    "recover": "Recovered after deletion",
    "import": "Imported",
    "discard_draft": "Draft discarded by an import",
    "reassign": "Reviewer reassigned",
    "restore_content": "Export restored",
    "add": "Added",
    "change": "Changed",
}
STATE_NAMES = {**dict(WorkflowState.choices), "deleted": "Deleted"}


def action_name(action: str) -> str:
    """The action in words ("Submitted for review" for "submit"); an unnamed one reads as its words."""
    return ACTION_NAMES.get(action) or action.replace("_", " ").capitalize()


def state_name(state: str) -> str:
    """The state in words: "In review" for "in_review"."""
    return STATE_NAMES.get(state) or state.replace("_", " ").capitalize()


def state_change(event: AuditEvent) -> str:
    """The change of state in words ("In review → Published"); one name when it stayed, none for site data."""
    if not event.to_state:
        return ""
    if not event.from_state or event.from_state == event.to_state:
        return state_name(event.to_state)
    return f"{state_name(event.from_state)} → {state_name(event.to_state)}"
