"""A Spanish-qualified reviewer's "Confirm translation still matches".

The English article changed since the translation was made, but not in a way the Spanish page
has to follow (a typo, a link). The reviewer says so: the current English publication becomes
the translation's source and the out-of-date mark is cleared. No text changes and nothing is
republished: the Spanish page stays as it is.
"""

from __future__ import annotations

from typing import Any

from editorial import translation, workflow
from editorial.errors import EditorialError
from encyclopedia.models import Article


def confirm_translation(article: Article, user: Any, *, notes: str = "") -> Article:
    data: dict[str, int] = {}

    def change(locked: Article) -> None:
        current = translation.english_live(locked)
        if current is None:
            raise EditorialError("The English article is not live, so there is nothing to match.")
        translation.mark_current(locked, current)
        data["english_publication"] = current.pk

    comment = "Confirmed the translation still matches the English page" + (
        f": {notes.strip()}" if notes.strip() else ""
    )
    # ``run`` checks the role and the reviewer's languages; the audit event names the English source.
    return workflow.run("confirm_translation", article, user, comment=comment, change=change, data=data)
