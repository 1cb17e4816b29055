"""What a change of what is live makes stale, worked out once and told to each keeper of pages.

``on_publication_changed`` is the one receiver of ``publication_changed`` for pages (connected in
``encyclopedia/apps.py``), called inside the change's transaction. It finds the articles whose
pages show something of the changed ones (``cdn.neighbours_of``: three queries however many
articles a batch announces), then tells each keeper: the stored pages get a new version
(``rendered_pages.mark_stale``), the cache generations are bumped and the CDN is asked to drop the
pages (``cdn.pages_changed``). One lookup, so the keepers cannot disagree on what is stale.
"""

from __future__ import annotations

from encyclopedia.caching import cdn, rendered_pages
from encyclopedia.models import Article, Publication


def on_publication_changed(
    sender, articles: list[Article], before: dict[int, Publication | None] | None = None, **kwargs
) -> None:
    """``publication_changed``: the pages of ``articles`` and of their neighbours are stale."""
    found = cdn.neighbours_of(articles, before)
    rendered_pages.mark_stale(
        {public_id for article in articles for public_id in (article.public_id, *found[article.pk])}
    )
    cdn.pages_changed(articles, found)
