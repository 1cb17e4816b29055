"""Finding the live articles that answer a knowledge request.

The codes looked up are those of live publications only (``encyclopedia.models.CodeEntry``,
kept by the search index's receiver of ``publication_changed``): a draft's codes are in no
entry, a withdrawn article has none, and a merged article's entries answer with the article it
was merged into. The order: the exact code; for ICD-10-CM and ICD-9-CM, then the nearest code
above it that matches (E11.65, E11.6, E11); with no code match and a display name given, the
encyclopedia's own search's best match.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from encyclopedia import coding, markup, search
from encyclopedia.models import Article, CodeEntry, Publication
from infobutton.knowledge_request import KnowledgeRequest

MAX_RESULTS = 3
_MERGE_HOPS = 10  # an article merged into one merged in turn: follow that far
# What an answer shows of a publication (not its sections: they are most of its size).
_SHOWN = (
    "title",
    "summary_html",
    "alternative_names",
    "review_date",
    "published_at",
)


@dataclass(frozen=True)
class Match:
    """One article that answers, as its live publication shows it."""

    public_id: str
    title: str
    summary_html: str
    alternative_names: list[str]
    review_date: datetime.date | None
    updated: datetime.datetime
    matched_by: str  # "code", "parent code" or "display name"
    matched_code: str = ""


def find(request: KnowledgeRequest) -> list[Match]:
    """At most three live articles answering ``request``, best first (none in a language the
    encyclopedia has no edition in)."""
    if request.edition is None:
        return []
    candidates = coding.parents(request.system, request.code)
    # One query reads the entries with what their live publications show; only a merged
    # article's entries need more (the article it was merged into).
    entries = list(
        CodeEntry.objects.filter(system=request.system, code__in=candidates)
        .select_related("article__live_publication")
        .only(
            "code",
            "article__public_id",
            "article__withdrawn_at",
            "article__merged_into_id",
            *(f"article__live_publication__{name}" for name in _SHOWN),
        )
        .order_by("position", "article__title")
    )
    for code in candidates:  # the most specific code that answers at all
        answering = _answering([entry for entry in entries if entry.code == code])
        if answering:
            kind = "code" if code == request.code else "parent code"
            return _matches(answering[:MAX_RESULTS], kind, code)
    if request.display_name:
        return _matches(_search(request.display_name), "display name", "")
    return []


def _answering(entries: list[CodeEntry]) -> list[tuple[str, Publication]]:
    """(public id, live publication) of the articles answering these entries, in order and each
    once: an entry's own article, or, for a merged article, the one it was merged into."""
    answering: list[tuple[str, Publication]] = []
    merged: list[int] = []
    for entry in entries:
        article = entry.article
        if article.merged_into_id is not None:
            merged.append(article.merged_into_id)
        elif article.live_publication is not None and article.withdrawn_at is None:
            answering.append((article.public_id, article.live_publication))
    if merged:
        answering += _publications(_resolve_merges(merged))
    once: dict[str, Publication] = {}
    for public_id, publication in answering:
        once.setdefault(public_id, publication)
    return list(once.items())


def _publications(publication_ids: list[int]) -> list[tuple[str, Publication]]:
    """(public id, publication) of these live publications, in order."""
    rows = (
        Publication.objects.select_related("article")
        .only(*_SHOWN, "article__public_id")
        .in_bulk(publication_ids)
    )
    return [(rows[pk].article.public_id, rows[pk]) for pk in publication_ids if pk in rows]


def _resolve_merges(targets: list[int]) -> list[int]:
    """The live publications of the articles ``targets`` were merged into, following a merge
    into an article merged in turn; a withdrawn target answers nothing."""
    answers: list[int] = []
    for _ in range(_MERGE_HOPS):
        if not targets:
            break
        found = Article.objects.in_bulk(targets)
        following = []
        for pk in targets:
            article = found.get(pk)
            if article is None or article.withdrawn_at is not None:
                continue
            if article.merged_into_id is not None:
                following.append(article.merged_into_id)
            elif article.live_publication_id is not None:
                answers.append(article.live_publication_id)
        targets = following
    return answers


def _search(display_name: str) -> list[tuple[str, Publication]]:
    """The encyclopedia search's best match for ``display_name``: the article it names exactly
    (title or alternative name), else the first search result; with its live publication."""
    query = search.clean(display_name)
    public_id = search.exact(query)
    if public_id is None:
        results = search.search(query).results
        public_id = results[0].public_id if results else None
    if public_id is None:
        return []
    article = (
        Article.objects.live()
        .english()
        .select_related("live_publication")
        .only("public_id", *(f"live_publication__{name}" for name in _SHOWN))
        .filter(public_id=public_id)
        .first()
    )
    return [(article.public_id, article.live_publication)] if article else []


def _matches(answering: list[tuple[str, Publication]], kind: str, code: str) -> list[Match]:
    linked = {i for _, row in answering for i in markup.linked_articles(row.summary_html)}
    live = (
        set(Article.objects.live().english().filter(public_id__in=linked).values_list("public_id", flat=True))
        if linked
        else set()
    )
    return [
        Match(
            public_id=public_id,
            title=row.title,
            summary_html=markup.unlink_articles(row.summary_html, live),
            alternative_names=list(row.alternative_names),
            review_date=row.review_date,
            updated=row.published_at,
            matched_by=kind,
            matched_code=code,
        )
        for public_id, row in answering
    ]
