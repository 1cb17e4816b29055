"""The public pages. They read live publications only, never the working copy."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from encyclopedia import citations, markup
from encyclopedia.models import Article, PolicyPage, Publication, SiteSettings


def _live_ids(public_ids: list[str]) -> set[str]:
    if not public_ids:
        return set()
    return set(
        Article.objects.filter(public_id__in=public_ids, live_publication__isnull=False).values_list(
            "public_id", flat=True
        )
    )


def _readable(publication: Publication) -> dict:
    """The publication's HTML with links to articles that are not live turned into text."""
    live = _live_ids(publication.linked_article_ids)
    return {
        "summary_html": markup.unlink_articles(publication.summary_html, live),
        "sections": [
            {"heading": s["heading"], "html": markup.unlink_articles(s["html"], live)}
            for s in publication.sections
        ],
    }


def article(request: HttpRequest, public_id: str) -> HttpResponse:
    found = (
        Article.objects.select_related("live_publication")
        .only("public_id", "live_publication")
        .filter(public_id=public_id, live_publication__isnull=False)
        .first()
    )
    if found is None:
        raise Http404("No live article has this id.")
    publication = found.live_publication
    site_settings = SiteSettings.load()
    page_url = settings.SITE_URL + request.path if settings.SITE_URL else request.build_absolute_uri()
    cite = citations.page_citation(
        title=publication.title,
        site_name=site_settings.site_name,
        place=site_settings.publisher_place,
        publisher=site_settings.publisher_name,
        reviewed=publication.review_date,
        today=timezone.localdate(),
        url=page_url,
    )
    context = {
        "publication": publication,
        "public_id": public_id,
        "site": site_settings,
        "page_citation": cite,
        "canonical_url": page_url,
        **_readable(publication),
    }
    return render(request, "encyclopedia/article.html", context)


def index(request: HttpRequest) -> HttpResponse:
    """Every live article by its published title (the A–Z pages build on this)."""
    entries = (
        Article.objects.filter(live_publication__isnull=False)
        .order_by("live_publication__title")
        .values_list("public_id", "live_publication__title")
    )
    return render(request, "encyclopedia/index.html", {"entries": entries})


def policy(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(PolicyPage, slug=slug)
    return render(
        request, "encyclopedia/policy.html", {"page": page, "body_html": markup.render(page.body).html}
    )
