"""What the reviewer's workspace shows beside the diff: the article's references with their age.

A common editorial rule is that a consumer health page should not rest on evidence older than
about five years; the threshold is ``settings.REFERENCE_MAX_AGE_YEARS``. An old reference is
flagged for the reviewer's judgement (a classic textbook may still be the right source), never
refused.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from encyclopedia.models import Article, Citation

_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")


@dataclass(frozen=True)
class ReferenceAge:
    html: SafeString  # the reference as readers see it (NLM/AMA, escaped by the renderer)
    year: int | None
    age: int | None  # whole years since its year; None when it names no year

    @property
    def old(self) -> bool:
        return self.age is not None and self.age > max_age_years()

    @property
    def age_text(self) -> str:
        if self.age is None:
            return "No year given"
        if self.age <= 0:
            return "This year"
        return f"{self.age} year{'s' if self.age != 1 else ''} old"


def max_age_years() -> int:
    return int(getattr(settings, "REFERENCE_MAX_AGE_YEARS", 5))


def citation_year(citation: Citation) -> int | None:
    """The year a reference was published, or (for a web page) last updated, if it says."""
    for text in (citation.year, citation.updated):
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def reference_ages(article: Article, today: datetime.date | None = None) -> list[ReferenceAge]:
    """The working copy's references, in their order, each with its age."""
    today = today or timezone.localdate()
    ages = []
    for link in article.citation_links.select_related("citation"):
        year = citation_year(link.citation)
        ages.append(
            ReferenceAge(
                html=_html(link.citation),
                year=year,
                age=None if year is None else today.year - year,
            )
        )
    return ages


def _html(citation: Citation) -> SafeString:
    """The citation's own rendering: ``references.render_html`` escapes every field it joins."""
    return mark_safe(citation.as_html())  # noqa: S308 - every field escaped by references.render_html
