"""The two editions of the public site, English and Spanish, and which one a request reads.

The edition follows the address alone: ``/spanish/...`` is the Spanish edition, everything else
English. Never the reader's Accept-Language: a page is cached per address
(``caching/page_cache.py``), so two readers of one address must get the same page.
``EditionLanguageMiddleware`` activates the edition's language for the request (templates,
``gettext``, date formats) and the helpers here tell the views and templates which edition they
render.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

ENGLISH = "en"
SPANISH = "es"
EDITIONS = (ENGLISH, SPANISH)
SPANISH_PREFIX = "/spanish/"

# How each edition names itself in its language switch and its hreflang code.
NAMES = {ENGLISH: "English", SPANISH: "Español"}


def of_path(path_info: str) -> str:
    """The edition an address belongs to."""
    return SPANISH if path_info.startswith(SPANISH_PREFIX) else ENGLISH


def current() -> str:
    """The edition being rendered: the active language, reduced to an edition code."""
    return SPANISH if (translation.get_language() or "").startswith(SPANISH) else ENGLISH


def other(language: str) -> str:
    return ENGLISH if language == SPANISH else SPANISH


class EditionLanguageMiddleware:
    """Activate Spanish for ``/spanish/...`` and the site's language for every other address.

    Placed after the page cache: a cached page is answered before it runs, and was rendered in
    its address's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = of_path(request.path_info)
        request.LANGUAGE_CODE = language
        with translation.override(language if language == SPANISH else settings.LANGUAGE_CODE):
            response = self.get_response(request)
            if language == SPANISH:
                response.headers.setdefault("Content-Language", SPANISH)
            return response
