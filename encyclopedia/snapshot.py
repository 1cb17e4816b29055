"""Freezing the working copy into the self-contained content of a publication."""

from __future__ import annotations

from typing import Any

from encyclopedia import credits, markup
from encyclopedia.models import Article, EditorialCredit


def freeze(article: Article) -> dict[str, Any]:
    """The fields of a Publication of ``article`` as it stands now.

    Text is rendered and sanitized once, here, so the public page only reads it.
    The reviewer credit is frozen as it stands: a later change to a reviewer's
    affiliation does not rewrite this page.
    """
    summary = markup.render(article.summary)
    linked = list(summary.article_ids)
    sections = []
    for section in article.sections.select_related("heading").order_by("position", "id"):
        body = markup.render(section.body)
        linked.extend(body.article_ids)
        sections.append({"heading": section.heading_text, "html": body.html})
    names = list(article.alternative_names.order_by("position", "id").values_list("name", flat=True))
    references = [
        link.citation.as_html()
        for link in article.citation_links.select_related("citation").order_by("position", "id")
    ]
    images = [image.frozen() for image in article.images.order_by("position", "id")]
    related = list(
        article.related_links.order_by("position", "id").values_list("related__public_id", flat=True)
    )
    credit_rows = [
        link.credit for link in article.credit_links.select_related("credit").order_by("position", "id")
    ]
    if not credit_rows:
        credit_rows = list(EditorialCredit.objects.filter(standing=True))
    return {
        "title": article.title,
        "slug": article.slug,
        "article_type": article.article_type,
        "summary_html": summary.html,
        "sections": sections,
        "alternative_names": names,
        "references": references,
        "linked_article_ids": list(dict.fromkeys(i for i in linked if i != article.public_id)),
        "images": images,
        "related_article_ids": related,
        "review_date": article.review_date,
        "updated_by": article.reviewer.credit() if article.reviewer else "",
        "review_organization": article.review_organization.name if article.review_organization else "",
        "also_reviewed_by": credits.join_credits([c.credit() for c in credit_rows]),
    }


def is_current(article: Article) -> bool:
    """Whether the live publication already shows the working copy exactly as it stands."""
    live = article.live_publication
    if live is None:
        return False
    return all(getattr(live, name) == value for name, value in freeze(article).items())
