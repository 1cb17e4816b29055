"""A minor correction (wording, typos, links) published by a director without a new review."""

from __future__ import annotations

from typing import Any

from editorial import workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def publish_correction(article: Article, user: Any, *, reason: str) -> Article:
    """Publish the draft as it stands, keeping the live page's review date and credits."""
    reason = reason.strip()
    if not reason:
        raise EditorialError("Say what the correction is: a reason is required.")
    return workflow.run(
        "publish_correction",
        article,
        user,
        comment=f"Minor correction: {reason}",
        publish=True,
        keep_review=True,
    )
