"""Citation downloads of an article page: RIS and BibTeX of the page, RIS of its references.

Like the article page they read the live publication only: an unknown or unpublished
article is a 404, a withdrawn one a 410, a merged one redirects to its successor's file. A
Spanish edition's (``language="es"``) cite its Spanish page; its references are its English
article's, read from the English live publication.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone

from encyclopedia import page_citation, paths
from encyclopedia.caching import site_data
from encyclopedia.models import Article, Publication


def _live_publication(
    request: HttpRequest, public_id: str, url_name: str, language: str = "en"
) -> Publication | HttpResponse:
    """The live publication of ``public_id`` in ``language``'s edition, or the response the
    article page would give."""
    found = (
        Article.objects.select_related("live_publication", "merged_into")
        .only("public_id", "withdrawn_at", "live_publication", "merged_into__public_id")
        .filter(public_id=public_id, language=language)
        .first()
    )
    if found is None:
        raise Http404("No article has this id.")
    if found.merged_into_id:
        target = paths.path(url_name, found.merged_into.public_id, language)
        return HttpResponsePermanentRedirect(target)
    if found.withdrawn_at:
        return render(request, "encyclopedia/withdrawn.html", {"public_id": public_id}, status=410)
    if found.live_publication is None:
        raise Http404("This article is not published.")
    return found.live_publication


def _download(text: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page_download(
    request: HttpRequest,
    public_id: str,
    url_name: str,
    write: Callable[[page_citation.PageCitation], str],
    content_type: str,
    filename: str,
    language: str,
) -> HttpResponse:
    publication = _live_publication(request, public_id, url_name, language)
    if isinstance(publication, HttpResponse):
        return publication
    page = page_citation.PageCitation.of(
        publication,
        site_data.settings(),
        paths.absolute_url(request, paths.article_path(public_id, language)),
        timezone.localdate(),
        public_id,
        language,
    )
    return _download(write(page), content_type, filename)


def page_ris(request: HttpRequest, public_id: str, language: str = "en") -> HttpResponse:
    return _page_download(
        request,
        public_id,
        "encyclopedia:article_ris",
        page_citation.ris,
        page_citation.RIS_CONTENT_TYPE,
        f"{public_id}.ris",
        language,
    )


def page_bibtex(request: HttpRequest, public_id: str, language: str = "en") -> HttpResponse:
    return _page_download(
        request,
        public_id,
        "encyclopedia:article_bibtex",
        page_citation.bibtex,
        page_citation.BIBTEX_CONTENT_TYPE,
        f"{public_id}.bib",
        language,
    )


def references_ris(request: HttpRequest, public_id: str, language: str = "en") -> HttpResponse:
    publication = _live_publication(request, public_id, "encyclopedia:article_references_ris", language)
    if isinstance(publication, HttpResponse):
        return publication
    if language != "en":  # the references are the English article's
        publication = _live_publication(request, public_id, "encyclopedia:article_references_ris")
        if isinstance(publication, HttpResponse):
            raise Http404("The English article is not live.")
    return _download(
        page_citation.references_ris(publication),
        page_citation.RIS_CONTENT_TYPE,
        f"{public_id}-references.ris",
    )
