"""Publishing as it stands: for the importer and the demo loader, which bring reviewed content."""

from __future__ import annotations

from typing import Any

from editorial import workflow
from encyclopedia.models import Article, Publication

PERMISSION = workflow.TRANSITIONS["publish"].permission


def can_publish(user: Any) -> bool:
    return workflow.has_role(user, PERMISSION)


def publish(article: Article, user: Any, *, comment: str = "Published") -> Publication:
    """Freeze ``article`` as it stands into a new live Publication, with its own review date.

    People publish updates by approval (``approve``) or as minor corrections; this is
    for content that arrives already reviewed.
    """
    locked = workflow.run("publish", article, user, comment=comment, publish=True)
    return locked.live_publication
