"""Checking an article's links to other articles before they reach readers."""

from __future__ import annotations

from encyclopedia import markup
from encyclopedia.models import Article


def article_links(article: Article) -> list[str]:
    """Ids linked from the summary and every section of the working copy, in order."""
    ids = markup.article_links(article.summary)
    for body in article.sections.values_list("body", flat=True):
        ids.extend(markup.article_links(body))
    return list(dict.fromkeys(ids))


def unpublished_links(article: Article) -> list[tuple[str, str]]:
    """Each linked id that readers will see as plain text, with the reason."""
    ids = article_links(article)
    found = dict(Article.objects.filter(public_id__in=ids).values_list("public_id", "live_publication"))
    problems = []
    for public_id in ids:
        if public_id not in found:
            problems.append((public_id, "no article has this id yet"))
        elif found[public_id] is None:
            problems.append((public_id, "that article is not live"))
    return problems
