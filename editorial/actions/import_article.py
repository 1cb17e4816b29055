"""Importing one parsed page: create or update the working copy, then publish it.

An imported page is reviewed content (it carries its review date and credits), so it
is published as it is imported. The whole import of one page is one transaction:
a refusal anywhere leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from editorial.actions.edit import LOCKED_STATES
from editorial.actions.publish import can_publish, publish
from editorial.errors import EditorialError, NotAllowed
from editorial.importer.parser import CitationData, CreditData, ParsedPage, ParseError, ReviewerData
from editorial.models import ReviewRecord
from encyclopedia.models import (
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleType,
    Citation,
    EditorialCredit,
    HeadingPlacement,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
)
from encyclopedia.snapshot import is_current


@dataclass
class ImportResult:
    public_id: str
    title: str
    outcome: str  # "new", "updated" or "unchanged"
    article_links: list[str] = field(default_factory=list)


class _Unchanged(Exception):
    """Raised inside the transaction to roll back a re-import that changes nothing."""


def import_page(
    page: ParsedPage, user: Any = None, *, source: str = "", article_type: str | None = None
) -> ImportResult:
    """Create or update the article in ``page`` and publish it, all or nothing."""
    if not can_publish(user):
        raise NotAllowed("You may not import articles: importing publishes them.")
    try:
        with transaction.atomic():
            article = _existing(page)
            if article is not None and article.state in LOCKED_STATES:
                raise EditorialError(
                    f"article {article.public_id} is {LOCKED_STATES[article.state]}; import it after the review"
                )
            outcome = "new" if article is None else "updated"
            article = article or Article(public_id=page.public_id or "")
            article.title = page.title
            article.summary = page.summary
            article.review_date = page.review_date
            article.article_type = article_type or article.article_type or infer_article_type(page)
            article.reviewer = _reviewer(page.reviewer) if page.reviewer else None
            article.review_organization = _organization(page.review_organization)
            _validate(article, exclude=["public_id"] if outcome == "updated" else [])
            article.save()
            _replace_sections(article, page)
            _replace_names(article, page.alternative_names, page.name_lines)
            _replace_citations(article, page.citations)
            _replace_credits(article, page.also_reviewed_by)
            if outcome == "updated" and is_current(article):
                raise _Unchanged
            comment = f"Imported from {source}" if source else "Imported"
            if page.review_date and not article.review_records.filter(reviewed_on=page.review_date).exists():
                # The page's review, as the page states it, so the review history matches the page.
                ReviewRecord.objects.create(
                    article=article,
                    reviewer=article.reviewer,
                    reviewed_on=page.review_date,
                    outcome=ReviewRecord.Outcome.APPROVED,
                    notes=f"As stated on the imported page ({source or 'import'}).",
                )
            publish(article, user, comment=comment)
    except _Unchanged:
        outcome = "unchanged"
    return ImportResult(
        public_id=article.public_id, title=page.title, outcome=outcome, article_links=page.article_links
    )


def _existing(page: ParsedPage) -> Article | None:
    """The article this page updates: by its id, or, for a page without one, by its exact title."""
    if page.public_id:
        return Article.objects.select_for_update().filter(public_id=page.public_id).first()
    same_title = list(Article.objects.select_for_update().filter(title=page.title)[:2])
    return same_title[0] if len(same_title) == 1 else None


def infer_article_type(page: ParsedPage) -> str:
    """The type whose conventional headings the page's headings match best."""
    best = (
        HeadingPlacement.objects.filter(heading__name__in=[s.heading for s in page.sections])
        .values("article_type")
        .annotate(n=Count("id"))
        .order_by("-n", "article_type")
        .first()
    )
    return best["article_type"] if best else ArticleType.SPECIAL_TOPIC


def _validate(obj: Any, line: int = 0, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
        raise ParseError(f"{obj._meta.verbose_name}: {details}", line) from None


def _reviewer(data: ReviewerData) -> Reviewer:
    reviewer = Reviewer.objects.filter(name=data.name, credentials=data.credentials).first()
    reviewer = reviewer or Reviewer(name=data.name, credentials=data.credentials)
    for name, value in data.__dict__.items():
        setattr(reviewer, name, value)
    _validate(reviewer)
    reviewer.save()
    return reviewer


def _organization(name: str) -> ReviewOrganization | None:
    if not name:
        return None
    organization = ReviewOrganization.objects.filter(name=name).first() or ReviewOrganization(name=name)
    if organization.pk is None:
        _validate(organization)
        organization.save()
    return organization


def _replace_sections(article: Article, page: ParsedPage) -> None:
    standard = {h.name.lower(): h for h in SectionHeading.objects.all()}
    article.sections.all().delete()
    for position, data in enumerate(page.sections, start=1):
        heading = standard.get(data.heading.lower())
        section = Section(
            article=article,
            position=position,
            heading=heading,
            custom_heading="" if heading else data.heading,
            body=data.body,
        )
        _validate(section, data.line, exclude=["article"])
        section.save()


def _replace_names(article: Article, names: list[str], lines: dict[str, int]) -> None:
    article.alternative_names.all().delete()
    for position, name in enumerate(names, start=1):
        row = AlternativeName(article=article, name=name, position=position)
        _validate(row, lines.get(name, 0), exclude=["article"])
        row.save()


def _citation(data: CitationData) -> Citation:
    values = data.as_dict()
    existing = Citation.objects.filter(**values).first()
    if existing:
        return existing
    citation = Citation(**values)
    _validate(citation)
    citation.save()
    return citation


def _replace_citations(article: Article, items: list[CitationData]) -> None:
    article.citation_links.all().delete()
    seen: set[int] = set()
    for position, data in enumerate(items, start=1):
        citation = _citation(data)
        if citation.pk not in seen:
            seen.add(citation.pk)
            ArticleCitation.objects.create(article=article, citation=citation, position=position)


def _replace_credits(article: Article, items: list[CreditData]) -> None:
    article.credit_links.all().delete()
    for position, data in enumerate(items, start=1):
        credit = EditorialCredit.objects.filter(
            name=data.name, credentials=data.credentials, role=data.role
        ).first()
        if credit is None:
            credit = EditorialCredit(
                name=data.name, credentials=data.credentials, role=data.role, standing=False
            )
            _validate(credit)
            credit.save()
        ArticleCredit.objects.get_or_create(article=article, credit=credit, defaults={"position": position})
