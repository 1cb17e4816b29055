"""Writing audit events. Every action calls ``record`` inside its transaction."""

from __future__ import annotations

from typing import Any

from editorial.models import AuditEvent
from encyclopedia.models import Article


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
    return AuditEvent.objects.create(
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
