"""Links between articles: checking them before they reach readers, and finding targets for the editor's link picker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from encyclopedia import markup
from encyclopedia.models import GONE, LIVE, AlternativeName, Article


def article_links(article: Article) -> list[str]:
    """Ids linked from the summary and every section of the working copy, in order."""
    ids = markup.article_links(article.summary)
    for body in article.sections.values_list("body", flat=True):
        ids.extend(markup.article_links(body))
    return list(dict.fromkeys(ids))


def unpublished_links(article: Article) -> list[tuple[str, str]]:
    """Each linked id that readers will see as plain text, with the reason."""
    ids = article_links(article)
    # A link names an article by id: the English article (a Spanish edition shares its id).
    found = dict(
        Article.objects.english().filter(public_id__in=ids).values_list("public_id", "live_publication")
    )
    problems = []
    for public_id in ids:
        if public_id not in found:
            problems.append((public_id, "no article has this id yet"))
        elif found[public_id] is None:
            problems.append((public_id, "that article is not live"))
    return problems


@dataclass(frozen=True)
class LinkTarget:
    """An article an editor may link to, as the link picker lists it."""

    public_id: str
    title: str
    live: bool
    matched_name: str  # the alternative name the query matched, or "" when the title did

    @property
    def status(self) -> str:
        if self.live:
            return "Live: readers get the link."
        return "Not live: readers see the link text only, until the article is published."

    def as_dict(self) -> dict:
        return {
            "public_id": self.public_id,
            "title": self.title,
            "live": self.live,
            "matched_name": self.matched_name,
            "status": self.status,
            "markdown": f"[{_link_text(self.title)}]({markup.ARTICLE_SCHEME}{self.public_id})",
        }


PICKER_LIMIT = 20


def _link_text(text: str) -> str:
    """``text`` safe inside a Markdown link's brackets."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def find_link_targets(query: str, *, limit: int = PICKER_LIMIT) -> list[LinkTarget]:
    """Articles whose title or an alternative name contains ``query`` (or whose id it is).

    Drafts are found too, marked as not live: an editor may link ahead to an article in
    preparation, and the page shows the link as text until it goes live. Withdrawn and merged
    articles are left out. Live ones come first, then titles that start with the query.
    """
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    # A subquery rather than a join: an article with several matching names is one row, so no
    # DISTINCT is needed (with server-side parameters, PostgreSQL refuses DISTINCT with ordering
    # expressions that hold parameters of their own).
    named = AlternativeName.objects.filter(name__icontains=query).values("article_id")
    matches = Q(title__icontains=query) | Q(pk__in=named)
    if query.isdigit() and len(query) == 6:
        matches |= Q(public_id=query)
    found = (
        Article.objects.english()
        .exclude(GONE)
        .filter(matches)
        .annotate(
            live_first=Case(When(LIVE, then=Value(0)), default=Value(1), output_field=IntegerField()),
            title_first=Case(
                When(title__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("live_first", "title_first", "title", "public_id")
        .values_list("pk", "public_id", "title", "live_publication_id")[:limit]
    )
    rows = list(found)
    names: dict[int, str] = {}
    for article_id, name in AlternativeName.objects.filter(
        article_id__in=[row[0] for row in rows], name__icontains=query
    ).values_list("article_id", "name"):
        names.setdefault(article_id, name)
    folded = query.casefold()
    return [
        LinkTarget(
            public_id=public_id,
            title=title,
            live=live_publication_id is not None,
            matched_name="" if folded in title.casefold() else names.get(pk, ""),
        )
        for pk, public_id, title, live_publication_id in rows
    ]
