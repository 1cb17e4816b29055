"""Public addresses without ``reverse()``'s cost: a page links to dozens, the A–Z page to thousands.

Each address is reversed once per process (and script prefix) with a placeholder id, and the
id is then put in its place.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

_PLACEHOLDER = "000000"


@functools.lru_cache(maxsize=64)
def _parts(script_prefix: str, viewname: str, with_id: bool) -> tuple[str, str]:
    if not with_id:
        return reverse(viewname), ""
    before, _, after = reverse(viewname, args=[_PLACEHOLDER]).rpartition(_PLACEHOLDER)
    return before, after


def path(viewname: str, public_id: str | None = None) -> str:
    """The address of ``viewname``, which takes no argument or an article's six-digit id."""
    before, after = _parts(get_script_prefix(), viewname, public_id is not None)
    return f"{before}{public_id}{after}" if public_id is not None else before


def article_path(public_id: str) -> str:
    """``reverse("encyclopedia:article", args=[public_id])``, cheaply."""
    return path("encyclopedia:article", public_id)


def absolute_url(request: HttpRequest, path: str) -> str:
    """The public URL of ``path``: from ``SITE_URL``, or else the address the request came to."""
    return (settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")) + path


def public_url(path: str) -> str:
    """``path`` on ``SITE_URL`` when it is set; else ``path`` as it is, for the caller (the feed,
    the sitemap) to put on the address the request came to."""
    return settings.SITE_URL + path if settings.SITE_URL else path


# The letters of the A–Z index, in the letter bar's order.
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["0-9"]


@functools.lru_cache(maxsize=64)
def _letter_path(script_prefix: str, letter: str) -> str:
    return reverse("encyclopedia:letter", args=[letter])


def letter_path(letter: str) -> str:
    """``reverse("encyclopedia:letter", args=[letter])``, cheaply: every page has the letter bar."""
    return _letter_path(get_script_prefix(), letter)
