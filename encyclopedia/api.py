"""A read-only JSON API for syndication partners: live content only.

``GET /api/v1/articles/`` lists live articles (newest update first), 50 a page, filtered
by ``updated_since`` (ISO date or date-time) and ``type``; ``GET /api/v1/articles/<id>/``
is one whole article as its public page shows it. ``lang=es`` reads the Spanish edition
instead (``lang=en``, English, by default): its list, or one Spanish edition with its English
article's references.
"""

from __future__ import annotations

import datetime

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from encyclopedia import credits, markup, paths
from encyclopedia.caching.page_cache import public_page
from encyclopedia.models import Article, ArticleType, Language, Publication

PAGE_SIZE = 50


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _since(value: str) -> datetime.datetime:
    """The moment ``value`` names, in UTC; ValueError if it names none (or one out of range)."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        # 0001-01-01T00:00+14:00 and 9999-12-31T23:59-14:00 are dates no database can hold.
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError from None


def _page_number(value: str) -> int:
    """A page number: a positive whole number; ValueError otherwise."""
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ValueError
    return int(value)


def _language(request: HttpRequest) -> str | None:
    """The edition ``lang`` asks for: "en" (the default) or "es"; None for anything else."""
    value = request.GET.get("lang", Language.ENGLISH).strip() or Language.ENGLISH
    return value if value in Language.values else None


def _bad_language(request: HttpRequest) -> JsonResponse:
    return _error(f"lang: “{request.GET.get('lang', '')[:40]}” is not one of {', '.join(Language.values)}.")


def _summary(request: HttpRequest, article: Article) -> dict:
    publication: Publication = article.live_publication
    language = article.language
    api_path = f"/api/v1/articles/{article.public_id}/" + ("?lang=es" if language == Language.SPANISH else "")
    return {
        "id": article.public_id,
        "language": language,
        "title": publication.title,
        "type": publication.article_type,
        "url": paths.absolute_url(request, paths.article_path(article.public_id, language)),
        "api_url": paths.absolute_url(request, api_path),
        "updated": publication.published_at.isoformat(),
        "review_date": publication.review_date.isoformat() if publication.review_date else None,
    }


@public_page
def article_list(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    if language is None:
        return _bad_language(request)
    articles = Article.objects.live().filter(language=language).select_related("live_publication")
    since = request.GET.get("updated_since", "").strip()
    if since:
        try:
            articles = articles.filter(live_publication__published_at__gte=_since(since))
        except (ValueError, OverflowError):
            return _error(
                f"updated_since: “{since[:40]}” is not an ISO date (2026-01-31) or date-time "
                "(2026-01-31T08:00:00Z) from year 1 to 9999."
            )
    kind = request.GET.get("type", "").strip()
    if kind:
        if kind not in ArticleType.values:
            return _error(f"type: “{kind[:40]}” is not one of {', '.join(ArticleType.values)}.")
        articles = articles.filter(live_publication__article_type=kind)
    paginator = Paginator(articles.order_by("-live_publication__published_at", "public_id"), PAGE_SIZE)
    raw_page = request.GET.get("page", "1").strip()
    try:
        number = _page_number(raw_page)
    except ValueError:
        return _error(f"page: “{raw_page[:40]}” is not a page number (1, 2, …).")
    try:
        page = paginator.page(number)
    except EmptyPage:
        return _error(
            f"page: there is no page {number}; the pages are 1 to {paginator.num_pages}.", status=404
        )

    def link(n: int) -> str:
        query = request.GET.copy()
        query["page"] = str(n)
        return paths.absolute_url(request, f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [_summary(request, article) for article in page.object_list],
        }
    )


@public_page
def article_detail(request: HttpRequest, public_id: str) -> JsonResponse:
    language = _language(request)
    if language is None:
        return _bad_language(request)
    live_articles = Article.objects.live().select_related("live_publication")
    article = live_articles.filter(public_id=public_id, language=language).first()
    if article is None:
        edition = " Spanish edition of the" if language == Language.SPANISH else ""
        return _error(f"No live{edition} article has the id {public_id}.", status=404)
    publication = article.live_publication
    references_from = publication
    if language == Language.SPANISH:  # the references are the English article's
        english = live_articles.english().filter(public_id=public_id).first()
        references_from = english.live_publication if english else None
    live = set(
        Article.objects.live()
        .english()
        .filter(public_id__in=publication.linked_article_ids)
        .values_list("public_id", flat=True)
    )
    return JsonResponse(
        {
            **_summary(request, article),
            "summary_html": markup.unlink_articles(publication.summary_html, live),
            "sections": [
                {"heading": s["heading"], "html": markup.unlink_articles(s["html"], live)}
                for s in publication.sections
            ],
            "alternative_names": publication.alternative_names,
            "references_html": references_from.references if references_from else [],
            "images": [
                {
                    **image,
                    "url": paths.absolute_url(request, image["url"]),
                    "thumb_url": paths.absolute_url(request, image["thumb_url"]),
                }
                for image in publication.images
            ],
            "updated_by": publication.updated_by,
            "review_organization": publication.review_organization,
            "also_reviewed_by": publication.also_reviewed_by,
            "credit": credits.credit_line(
                publication.updated_by, publication.review_organization, publication.also_reviewed_by
            ),
        }
    )
