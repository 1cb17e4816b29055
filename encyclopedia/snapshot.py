"""Freezing the working copy into the self-contained content of a publication."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from encyclopedia import credits, markup
from encyclopedia.models import (
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    Citation,
    CodedConcept,
    EditorialCredit,
    RelatedArticle,
    Section,
)
from encyclopedia.versioning import ARTICLE_FOLLOWS

# The rows a version of an article follows, each with the row that its name (a version's
# ``object_repr``) and its frozen form show: read with them, not one query per row.
FOLLOWED: dict[str, QuerySet] = {
    "sections": Section.objects.select_related("heading"),
    "citation_links": ArticleCitation.objects.select_related("citation"),
    "credit_links": ArticleCredit.objects.select_related("credit"),
    "related_links": RelatedArticle.objects.select_related("related"),
}


def freeze(article: Article, *, as_approved: bool = False) -> dict[str, Any]:
    """The fields of a Publication of ``article`` as it stands now.

    Text is rendered and sanitized once, here, so the public page only reads it.
    The reviewer credit is frozen as it stands: a later change to a reviewer's
    affiliation does not rewrite this page. ``as_approved``: as an approval would publish it,
    with its credits even before its first review date (what a reviewer is shown and vouches for).
    """
    sections = list(article.sections.select_related("heading").order_by("position", "id"))
    names = list(article.alternative_names.order_by("position", "id").values_list("name", flat=True))
    citations = [
        link.citation for link in article.citation_links.select_related("citation").order_by("position", "id")
    ]
    images = list(article.images.order_by("position", "id"))
    related = list(
        article.related_links.order_by("position", "id").values_list("related__public_id", flat=True)
    )
    credit_rows = [
        link.credit for link in article.credit_links.select_related("credit").order_by("position", "id")
    ]
    return freeze_rows(
        article,
        sections=sections,
        names=names,
        citations=citations,
        images=images,
        related=related,
        credit_rows=EditorialCredit.shown(credit_rows),
        codes=list(article.codes.order_by("position", "id")),
        as_approved=as_approved,
    )


def prefetch_followed(articles: Iterable[Article]) -> None:
    """Read the rows each of ``articles`` follows (``versioning.ARTICLE_FOLLOWS``), one query per
    relation, into the articles' related managers: a revision saved next, and ``freeze_followed``,
    read them from there. What changes the rows afterwards is not seen: read them last."""
    prefetch_related_objects(
        list(articles), *(Prefetch(name, queryset=FOLLOWED.get(name)) for name in ARTICLE_FOLLOWS)
    )


def freeze_followed(article: Article) -> dict[str, Any]:
    """``freeze(article)`` from the rows ``prefetch_followed`` read (each relation's order is the
    position, then the id, as ``freeze`` orders them)."""
    return freeze_rows(
        article,
        sections=article.sections.all(),
        names=[row.name for row in article.alternative_names.all()],
        citations=[link.citation for link in article.citation_links.all()],
        images=article.images.all(),
        related=[link.related.public_id for link in article.related_links.all()],
        credit_rows=EditorialCredit.shown([link.credit for link in article.credit_links.all()]),
        codes=article.codes.all(),
    )


def freeze_rows(
    article: Article,
    *,
    sections: Iterable[Section],
    names: Iterable[str],
    citations: Iterable[Citation],
    images: Iterable[ArticleImage],
    related: Iterable[str],
    credit_rows: Iterable[EditorialCredit],
    codes: Iterable[CodedConcept] = (),
    as_approved: bool = False,
) -> dict[str, Any]:
    """What ``freeze`` makes of ``article`` with these rows, each in its order; it reads nothing,
    so a caller that holds the rows already (the importer) freezes without reading them back.

    ``related`` is the related articles' public ids; ``credit_rows`` the credits the page shows
    (the standing ones for an article that names none of its own); ``codes`` its coded concepts.
    """
    summary = markup.render(article.summary)
    linked = list(summary.article_ids)
    frozen_sections = []
    for section in sections:
        body = markup.render(section.body)
        linked.extend(body.article_ids)
        frozen_sections.append({"heading": section.heading_text, "html": body.html})
    return {
        "title": article.title,
        "slug": article.slug,
        "article_type": article.article_type,
        "summary_html": summary.html,
        "sections": frozen_sections,
        "alternative_names": list(names),
        "references": [citation.as_html() for citation in citations],
        "linked_article_ids": list(dict.fromkeys(i for i in linked if i != article.public_id)),
        "images": [image.frozen() for image in images],
        "related_article_ids": list(related),
        "codes": [code.frozen().as_dict() for code in codes],
        "review_date": article.review_date,
        "updated_by": article.reviewer.credit() if article.reviewer else "",
        "review_organization": article.review_organization.name if article.review_organization else "",
        # Credits vouch for a review: without a review date there is none to credit.
        "also_reviewed_by": credits.join_credits([c.credit() for c in credit_rows])
        if article.review_date or as_approved
        else "",
        # A Spanish edition's translator is credited on its page as a reviewer approved it.
        "translated_by": article.translated_by,
    }


# What an approval itself sets: the rest of a freeze is what the reviewer was shown.
_SET_BY_REVIEW = ("review_date", "updated_by")


def fingerprint(article: Article) -> str:
    """A digest of what the working copy would publish, as a reviewer is shown it (the review's
    own date and reviewer credit left out): the approve form carries it, and approval refuses if the
    draft, or a reference, credit or heading it uses, changed since."""
    frozen = freeze(article, as_approved=True)
    fields = {name: value for name, value in frozen.items() if name not in _SET_BY_REVIEW}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def is_current(article: Article, frozen: dict[str, Any] | None = None) -> bool:
    """Whether the live publication already shows the working copy exactly as it stands.

    ``frozen`` is ``freeze(article)`` if the caller has it already (it publishes it next).
    """
    live = article.live_publication
    if live is None:
        return False
    if frozen is None:
        frozen = freeze(article)
    return all(getattr(live, name) == value for name, value in frozen.items())
