"""Public addresses without ``reverse()``'s cost: a page links to dozens, the A–Z page to thousands.

Each address is reversed once per process (and script prefix) with a placeholder id, and the
id is then put in its place.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from encyclopedia import editions

_PLACEHOLDER = "000000"

# The views the Spanish edition has too, under /spanish/ (``encyclopedia:es_<name>``).
EDITION_VIEWS = frozenset(
    f"encyclopedia:{name}"
    for name in (
        "index",
        "feed",
        "letter",
        "search",
        "typeahead",
        "article",
        "article_ris",
        "article_bibtex",
        "article_references_ris",
    )
)


def edition_view(viewname: str, language: str | None = None) -> str:
    """The name of ``viewname`` in ``language``'s edition (the edition being rendered if None)."""
    language = language or editions.current()
    if language == editions.SPANISH and viewname in EDITION_VIEWS:
        return "encyclopedia:es_" + viewname.removeprefix("encyclopedia:")
    return viewname


@functools.lru_cache(maxsize=64)
def _parts(script_prefix: str, viewname: str, with_id: bool) -> tuple[str, str]:
    if not with_id:
        return reverse(viewname), ""
    before, _, after = reverse(viewname, args=[_PLACEHOLDER]).rpartition(_PLACEHOLDER)
    return before, after


def path(viewname: str, public_id: str | None = None, language: str | None = None) -> str:
    """The address of ``viewname``, which takes no argument or an article's six-digit id, in
    ``language``'s edition (by default the one being rendered: a Spanish page links Spanish pages)."""
    before, after = _parts(get_script_prefix(), edition_view(viewname, language), public_id is not None)
    return f"{before}{public_id}{after}" if public_id is not None else before


def article_path(public_id: str, language: str | None = None) -> str:
    """``reverse("encyclopedia:article", args=[public_id])``, cheaply, in ``language``'s edition."""
    return path("encyclopedia:article", public_id, language)


def absolute_url(request: HttpRequest, path: str) -> str:
    """The public URL of ``path``: from ``SITE_URL``, or else the address the request came to."""
    return (settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")) + path


def public_url(path: str) -> str:
    """``path`` on ``SITE_URL`` when it is set; else ``path`` as it is, for the caller (the feed,
    the sitemap) to put on the address the request came to."""
    return settings.SITE_URL + path if settings.SITE_URL else path


# The letters of the A–Z index, in the letter bar's order; Spanish has Ñ after N.
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["0-9"]
SPANISH_LETTERS = [*LETTERS[: LETTERS.index("N") + 1], "Ñ", *LETTERS[LETTERS.index("N") + 1 :]]


def letters(language: str | None = None) -> list[str]:
    """The letter bar of ``language``'s edition (the one being rendered if None)."""
    return SPANISH_LETTERS if (language or editions.current()) == editions.SPANISH else LETTERS


@functools.lru_cache(maxsize=128)
def _letter_path(script_prefix: str, letter: str, viewname: str) -> str:
    return reverse(viewname, args=[letter])


def letter_path(letter: str, language: str | None = None) -> str:
    """``reverse("encyclopedia:letter", args=[letter])``, cheaply: every page has the letter bar."""
    return _letter_path(get_script_prefix(), letter, edition_view("encyclopedia:letter", language))
