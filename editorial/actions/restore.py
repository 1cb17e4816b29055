"""Restoring a withdrawn or merged article: the page that was live then is shown again."""

from __future__ import annotations

from typing import Any

from editorial import publishing, translation, workflow
from encyclopedia.models import Article


def restore(article: Article, user: Any) -> Article:
    """Undo a withdrawal or a merge: the publication live at that moment is live again.

    Never a later one: an approved update whose schedule the withdrawal cancelled stays cancelled.
    The Spanish edition that went down with the article comes back with it, as it was then.
    """

    def change(locked: Article) -> None:
        publishing.bring_back(locked)
        translation.bring_back_with(locked, user)

    return workflow.run("restore", article, user, comment="Restored", change=change)
