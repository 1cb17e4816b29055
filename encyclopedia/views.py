"""The public pages. They read live publications only, never the working copy."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from encyclopedia import credits, markup, paths, references, search
from encyclopedia.caching import generations, keys, publication_cache, site_data
from encyclopedia.caching.page_cache import MAX_AGE, last_modified, public_page
from encyclopedia.models import Article, ArticleType, CrossReference, PolicyPage
from encyclopedia.page_citation import page_context as cite_context
from encyclopedia.paths import article_path


def _templates_digest() -> str:
    """Changes with any include, so a deploy with new templates never serves an old article body."""
    digest = hashlib.sha256()
    for path in sorted((settings.BASE_DIR / "templates" / "jinja2" / "includes").glob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


BODY_VERSION = _templates_digest()


def _live_titles(public_ids: list[str], generation: int) -> dict[str, str]:
    """The published titles of those of ``public_ids`` that are live (one query, or none).

    Kept in the cache under the live ``generation`` (of ``keys.LIVE``): until the next
    publish, withdrawal or restore, which may change them.
    """
    if not public_ids:
        return {}

    def find() -> dict[str, str]:
        return dict(
            Article.objects.live()
            .filter(public_id__in=public_ids)
            .values_list("public_id", "live_publication__title")
        )

    return cache.get_or_set(keys.live_titles(generation, public_ids), find, 3600)


def links_here(public_id: str, generation: int) -> list[tuple[str, str]]:
    """(id, title) of the live articles whose live page links to ``public_id``.

    Cached under the live ``generation``, like ``_live_titles``: until the next publish.
    """

    def find() -> list[tuple[str, str]]:
        rows = (
            CrossReference.objects.filter(
                target_public_id=public_id, publication__article__live_publication=F("publication")
            )
            .exclude(publication__article__public_id=public_id)
            .order_by("publication__title")
            .values_list("publication__article__public_id", "publication__title")
        )
        return list(dict.fromkeys(rows))[:50]

    return cache.get_or_set(keys.links_here(generation, public_id), find, 3600)


def _body_html(content: Any, preview: bool) -> str:
    """The article's own text (summary, images, sections, names, references) as HTML.

    A publication never changes, so its rendering is kept in the cache; it is then only
    adjusted for which linked articles are live. A preview is rendered afresh.
    """

    def render_body() -> str:
        return render_to_string("includes/article_body.html", {"publication": content, "preview": preview})

    pk = getattr(content, "pk", None)
    if preview or pk is None:
        return render_body()
    return cache.get_or_set(keys.article_body(BODY_VERSION, pk), render_body, 24 * 3600)


def _readable(content: Any, public_id: str, preview: bool) -> dict:
    """The content's HTML with links to articles that are not live turned into text, and its related articles."""
    related_ids = list(getattr(content, "related_article_ids", []))
    generation = generations.current(keys.LIVE)
    live = _live_titles(list(dict.fromkeys([*content.linked_article_ids, *related_ids])), generation)
    return {
        "body_html": mark_safe(markup.unlink_articles(_body_html(content, preview), live)),  # noqa: S308 - rendered escaped, sanitized at freeze
        "related": [(pid, live[pid]) for pid in related_ids if pid in live],
        "see_also": [
            (pid, live[pid]) for pid in content.linked_article_ids if pid in live and pid not in related_ids
        ],
        "links_here": links_here(public_id, generation) if public_id else [],
    }


def preview_parts(content: Any) -> dict:
    """A draft's body, credit line and related articles exactly as its public page renders them,
    for a page that shows a draft inside another page (the reviewer's workspace). Never cached."""
    return {
        **_readable(content, "", True),
        "credit_line": credits.credit_line(
            content.updated_by, content.review_organization, content.also_reviewed_by
        ),
    }


# What an article is about, as a schema.org type, by article type.
ABOUT_TYPES = {
    ArticleType.DISEASE: "MedicalCondition",
    ArticleType.SYMPTOM: "MedicalSignOrSymptom",
    ArticleType.TEST: "MedicalTest",
    ArticleType.SURGERY: "MedicalProcedure",
    ArticleType.INJURY: "MedicalCondition",
    ArticleType.SELF_CARE: "LifestyleModification",
}


def _json_ld(content: Any, site_settings: Any, page_url: str, site_url: str, summary: str) -> str:
    """schema.org MedicalWebPage for search engines, safe inside a <script> element.

    Its ``@id`` is the canonical URL, so every copy of the page names the same node.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": page_url,
        "name": content.title,
        "url": page_url,
        "inLanguage": "en",
        "description": summary[:300],
        "dateModified": (getattr(content, "published_at", None) or timezone.now()).isoformat(),
        "publisher": {"@type": "Organization", "name": site_settings.publisher_name, "url": site_url},
        "about": {
            "@type": ABOUT_TYPES.get(getattr(content, "article_type", ""), "MedicalEntity"),
            "name": content.title,
            "alternateName": list(content.alternative_names),
        },
    }
    if content.review_date:
        data["lastReviewed"] = content.review_date.isoformat()
    if content.updated_by:
        data["reviewedBy"] = {
            "@type": "Person",
            "name": content.updated_by.split(",")[0],
            "description": content.updated_by,
        }
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_article(
    request: HttpRequest, content: Any, *, public_id: str = "", preview: bool = False, status: int = 200
) -> HttpResponse:
    """The article page for ``content``: a Publication, or a draft frozen the same way.

    A preview is marked as such, never cached and never indexed.
    """
    site_settings = site_data.settings()
    today = timezone.localdate()
    summary = markup.plain_text(content.summary_html)
    page_url = paths.absolute_url(request, request.path)
    cite = references.page_citation(
        title=content.title,
        site_name=site_settings.site_name,
        place=site_settings.publisher_place,
        publisher=site_settings.publisher_name,
        reviewed=content.review_date,
        today=today,
        url=page_url,
    )
    context = {
        "publication": content,
        "page_citation": cite,
        "canonical_url": page_url,
        "site_base": page_url[: -len(request.path)]
        if request.path and page_url.endswith(request.path)
        else "",
        "preview": preview,
        "credit_line": credits.credit_line(
            content.updated_by, content.review_organization, content.also_reviewed_by
        ),
        "json_ld": _json_ld(content, site_settings, page_url, paths.absolute_url(request, "/"), summary),
        "description": summary[:200],
        **_readable(content, public_id, preview),
        **cite_context(request, content, site_settings, page_url, today),
    }
    response = render(request, "encyclopedia/article.html", context, status=status)
    if preview:
        patch_cache_control(response, no_store=True, private=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    elif getattr(content, "published_at", None):
        response["Last-Modified"] = http_date(last_modified(content.published_at).timestamp())
    return response


def _article_state(public_id: str) -> tuple[Any, str | None, int | None] | None:
    """(withdrawn at, id merged into, live publication pk) of article ``public_id``, or None.

    Every reader the page cache cannot serve asks this, so the answer is kept in the cache under
    the article's own generation, which its publish, withdrawal, merge, restore or deletion bumps
    (``cdn.on_publication_changed``); the page cache's lifetime bounds a bump that never came.
    """
    generation = generations.current(keys.article_generation(public_id))
    key = keys.article_state(generation, public_id)
    state = cache.get(key)
    if state is None:
        found = list(
            Article.objects.filter(public_id=public_id).values_list(
                "withdrawn_at", "merged_into__public_id", "live_publication_id"
            )[:1]
        )
        if not found:
            return None
        state = found[0]
        cache.set(key, state, MAX_AGE)
    return state


@public_page(query=False)
def article(request: HttpRequest, public_id: str) -> HttpResponse:
    state = _article_state(public_id)
    if state is None:
        raise Http404("No article has this id.")
    withdrawn_at, merged_into, live_publication = state
    if merged_into:
        return HttpResponsePermanentRedirect(article_path(merged_into))
    if withdrawn_at:
        return render(request, "encyclopedia/withdrawn.html", {"public_id": public_id}, status=410)
    if live_publication is None:
        raise Http404("This article is not published.")
    return render_article(request, publication_cache.get(live_publication), public_id=public_id)


@public_page(query=False)
def index(request: HttpRequest) -> HttpResponse:
    """The encyclopedia's front page: the letter bar, the search box and recent updates."""
    recent = (
        Article.objects.live()
        .order_by("-live_publication__published_at")
        .values_list("public_id", "live_publication__title")[:10]
    )
    return render(request, "encyclopedia/index.html", {"letters": search.LETTERS, "recent": recent})


@public_page(query=False)
def letter_page(request: HttpRequest, letter: str) -> HttpResponse:
    """Every live title and alternative name under one letter; names say "see" their article."""
    if letter != letter.upper():
        return HttpResponsePermanentRedirect(reverse("encyclopedia:letter", args=[letter.upper()]))
    if letter not in search.LETTERS:
        raise Http404("No such letter.")
    context = {"letters": search.LETTERS, "letter": letter, "entries": search.index_page(letter)}
    return render(request, "encyclopedia/letter.html", context)


@public_page
def search_page(request: HttpRequest) -> HttpResponse:
    query = search.clean(request.GET.get("q", ""))
    target = search.exact(query)
    if target:
        return redirect("encyclopedia:article", public_id=target)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results = search.search(query, page=min(max(page, 1), 1000))
    context = {
        "query": query,
        "results": results,
        "letters": search.LETTERS,
        "suggestions": search.suggestions(query) if query and not results.total else [],
    }
    response = render(request, "encyclopedia/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@public_page
def typeahead(request: HttpRequest) -> JsonResponse:
    """Search-as-you-type: titles and alternative names starting with what was typed."""
    return JsonResponse({"suggestions": search.typeahead(search.clean(request.GET.get("q", "")))})


def _article_showing_image(number: int) -> Article | None:
    """The live article whose publication shows image ``number``, if any.

    Found through the image's row (one indexed query); an image deleted from the draft
    but still live is found in the live publications' frozen images instead.
    """
    live = Article.objects.select_related("live_publication").only("public_id", "live_publication")
    found = live.filter(images__pk=number).first()
    if found is not None:
        candidates = [found] if found.live_publication_id else []
    else:
        candidates = live.filter(live_publication__images__icontains=str(number))
    for candidate in candidates:
        if any(image.get("id") == number for image in candidate.live_publication.images):
            return candidate
    return None


@public_page(query=False)
def image_page(request: HttpRequest, image_id: str) -> HttpResponse:
    """An image of a live article, large, with its caption, its alt text and a link back."""
    number = int(image_id)
    if image_id != f"{number:06d}":
        raise Http404("No image has this id.")
    found = _article_showing_image(number)
    if found is None:
        raise Http404("No live article shows this image.")
    publication = found.live_publication
    images = publication.images
    index = next(i for i, image in enumerate(images) if image.get("id") == number)
    context = {
        "publication": publication,
        "image": images[index],
        "image_number": index + 1,
        "image_count": len(images),
        "article_url": found.get_absolute_url(),
    }
    return render(request, "encyclopedia/image_page.html", context)


@public_page(query=False)
def policy(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(PolicyPage, slug=slug)
    body_html = markup.render(page.body).html
    context = {"page": page, "body_html": body_html, "description": markup.plain_text(body_html)[:200]}
    return render(request, "encyclopedia/policy.html", context)


@public_page(query=False)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl the public site, never the admin or the search result pages; here is the sitemap."""
    base = paths.absolute_url(request, "")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /ency/search/",
        f"Sitemap: {base}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
