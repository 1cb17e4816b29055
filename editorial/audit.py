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
