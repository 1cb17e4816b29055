"""How long an article's texts may be: a section, the summary, and the whole article.

A real section is a few thousand characters and a long article some tens of thousands, so the
defaults are generous; they exist so that a pasted log or a runaway paste (a 2 MB paragraph
once went live and slowed every search matching it to seconds) is refused with a message
instead. Settings override them: ``ARTICLE_SECTION_MAX_CHARS``, ``ARTICLE_SUMMARY_MAX_CHARS``,
``ARTICLE_MAX_CHARS`` (the summary and all sections together), ``ARTICLE_MAX_SECTIONS``,
``ARTICLE_MAX_ALTERNATIVE_NAMES``.

A file to import is refused before it is read when it is larger than any article could need
(``FILE_BYTES_PER_CHAR`` bytes of markup for each character the article may have) or, for a
saved HTML page, has more sections than an article may: a 100,000-section page once took minutes.

Sizes are counted in characters of the text as stored (``encyclopedia.text.normalize_text``).
The admin's forms, the model's ``clean`` and the page importer all use the messages below, so a
refusal reads the same wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

SECTION_DEFAULT = 20_000
SUMMARY_DEFAULT = 3_000
ARTICLE_DEFAULT = 150_000
SECTIONS_DEFAULT = 200
NAMES_DEFAULT = 100
# A saved page's markup, scripts and styles around its text: generous, a real page is 2-4 times.
FILE_BYTES_PER_CHAR = 10


def section_limit() -> int:
    """The most characters one section's body may have."""
    return int(getattr(settings, "ARTICLE_SECTION_MAX_CHARS", SECTION_DEFAULT))


def summary_limit() -> int:
    """The most characters the summary (the lead paragraph) may have."""
    return int(getattr(settings, "ARTICLE_SUMMARY_MAX_CHARS", SUMMARY_DEFAULT))


def article_limit() -> int:
    """The most characters the summary and all the sections' bodies may have together."""
    return int(getattr(settings, "ARTICLE_MAX_CHARS", ARTICLE_DEFAULT))


def sections_limit() -> int:
    """The most sections an article may have."""
    return int(getattr(settings, "ARTICLE_MAX_SECTIONS", SECTIONS_DEFAULT))


def names_limit() -> int:
    """The most alternative names an article may have (each is a row, a search entry and a version)."""
    return int(getattr(settings, "ARTICLE_MAX_ALTERNATIVE_NAMES", NAMES_DEFAULT))


def file_limit() -> int:
    """The most bytes a file to import may have: the longest article, with its markup."""
    return FILE_BYTES_PER_CHAR * article_limit()


def file_error(size: int) -> str | None:
    """Why a file of ``size`` bytes is too large to be a page, or None if it is not."""
    if size <= file_limit():
        return None
    return (
        f"the file is {size:,} bytes; a page is at most {file_limit():,} bytes (an article is at most "
        f"{article_limit():,} characters, with its markup). Split it into several articles."
    )


def sections_error(count: int) -> str | None:
    """Why a page of ``count`` sections has too many, or None if it has not."""
    if count <= sections_limit():
        return None
    return (
        f"the page has {count:,} sections; an article has at most {sections_limit():,}. "
        "Split it into several articles."
    )


def names_error(count: int) -> str | None:
    """Why a page of ``count`` alternative names has too many, or None if it has not."""
    if count <= names_limit():
        return None
    return f"the page has {count:,} alternative names; an article has at most {names_limit():,}"


def _too_long(what: str, size: int, limit: int, advice: str) -> str | None:
    if size <= limit:
        return None
    return (
        f"{what} is {size:,} characters long; the limit is {limit:,} characters "
        f"({size - limit:,} too many). {advice}"
    )


def section_error(body: str, heading: str = "") -> str | None:
    """Why ``body`` is too long for one section, or None if it is not."""
    what = f"The section “{heading}”" if heading else "This section"
    return _too_long(what, len(body or ""), section_limit(), "Shorten it or split it into two sections.")


def summary_error(summary: str) -> str | None:
    """Why ``summary`` is too long, or None if it is not."""
    return _too_long(
        "The summary", len(summary or ""), summary_limit(), "Shorten it: it is the lead paragraph."
    )


def article_size(summary: str, bodies: Iterable[str]) -> int:
    """The size the article limit counts: the summary and every section's body."""
    return len(summary or "") + sum(len(body or "") for body in bodies)


def article_error(summary: str, bodies: Iterable[str]) -> str | None:
    """Why the article is too long as a whole, or None if it is not."""
    return _too_long(
        "The article (its summary and sections together)",
        article_size(summary, bodies),
        article_limit(),
        "Shorten it, or split it into two articles.",
    )


def section_help() -> str:
    """The section body's help text: what it holds and how long it may be."""
    return (
        f"Markdown: paragraphs, lists, emphasis and links. At most {section_limit():,} characters, "
        f"and {article_limit():,} for the summary and all sections together."
    )


def summary_help() -> str:
    """The summary's help text: what it holds and how long it may be."""
    return f"The lead paragraph (Markdown). At most {summary_limit():,} characters."
