"""The public pages. They read live publications only, never the working copy."""

from __future__ import annotations

import contextlib
import datetime
import json
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from encyclopedia import credits, dates, editions, markup, paths, primary_reads, references, search
from encyclopedia.caching import deploy, generations, keys, publication_cache, rendered_pages, site_data
from encyclopedia.caching.page_cache import MAX_AGE, public_page, set_last_modified, signed_in
from encyclopedia.caching.rendered_pages import Edition
from encyclopedia.models import Article, ArticleType, CrossReference, PolicyPage
from encyclopedia.page_citation import page_context as cite_context
from encyclopedia.paths import article_path

ENGLISH, SPANISH = editions.ENGLISH, editions.SPANISH


# The rendered article bodies are kept under the deploy's version: a deploy with new templates
# or code never serves an old body.
BODY_VERSION = deploy.VERSION[:12]


def _live_titles(public_ids: list[str], generation: int | None, language: str = ENGLISH) -> dict[str, str]:
    """The published titles of those of ``public_ids`` that are live in ``language``'s edition
    (one query, or none).

    Kept in the cache under the live ``generation`` (of ``keys.LIVE``): until the next
    publish, withdrawal or restore, which may change them. ``None``: read from the database
    (a page that ``rendered_pages`` will store must not be rendered from an older cached copy).
    """
    if not public_ids:
        return {}

    def find() -> dict[str, str]:
        return dict(
            Article.objects.live()
            .filter(language=language, public_id__in=public_ids)
            .values_list("public_id", "live_publication__title")
        )

    if generation is None:
        return find()
    return cache.get_or_set(keys.live_titles(generation, public_ids, language), find, 3600)


class _SearchAnswer(NamedTuple):
    """What a search shows: the article the query names exactly (the reader is sent there), else
    a page of results, and suggestions when there are none."""

    target: str | None
    results: search.Results | None
    suggestions: list


def _search_answer(query: str, page: int, language: str) -> _SearchAnswer:
    """What a search for ``query`` shows on page ``page`` of ``language``'s edition.

    Kept in the cache under the live generation, like the lists of articles, for as long as the
    page cache keeps an anonymous search page (``MAX_AGE``): a signed-in reader asking a common
    query, or paging back, is answered with no query to the database, and every publish,
    withdrawal or restore (and a rebuild of the indexes) gives every query a new key, as does a
    deploy.
    """

    def answer() -> _SearchAnswer:
        with primary_reads.primary():  # kept under the primary's generation: never a replica's lag
            target = search.exact(query, language)
            if target:
                return _SearchAnswer(target, None, [])
            results = search.search(query, page=page, language=language)
            suggestions = search.suggestions(query, language=language) if query and not results.total else []
            return _SearchAnswer(None, results, suggestions)

    key = keys.search_results(BODY_VERSION, generations.current(keys.LIVE), query, page, language)
    return cache.get_or_set(key, answer, MAX_AGE)


def links_here(public_id: str, generation: int | None, language: str = ENGLISH) -> list[tuple[str, str]]:
    """(id, title) of the live articles of ``language``'s edition whose live page links to ``public_id``.

    Cached under the live ``generation``, like ``_live_titles``: until the next publish
    (``None``: read from the database).
    """

    def find() -> list[tuple[str, str]]:
        rows = (
            CrossReference.objects.filter(
                target_public_id=public_id,
                publication__article__language=language,
                publication__article__live_publication=F("publication"),
            )
            .exclude(publication__article__public_id=public_id)
            .order_by("publication__title")
            .values_list("publication__article__public_id", "publication__title")
        )
        return list(dict.fromkeys(rows))[:50]

    if generation is None:
        return find()
    return cache.get_or_set(keys.links_here(generation, public_id, language), find, 3600)


def _body_html(content: Any, preview: bool, language: str = ENGLISH) -> str:
    """The article's own text (summary, images, sections, names, references) as HTML.

    A publication never changes, so its rendering is kept in the cache; it is then only
    adjusted for which linked articles are live. A preview is rendered afresh. A Spanish
    edition's body leaves the references out: they are its English article's, shown from the
    English live publication (``render_article``).
    """

    def render_body() -> str:
        context = {"publication": content, "preview": preview, "shared_references": language == SPANISH}
        return render_to_string("includes/article_body.html", context)

    pk = getattr(content, "pk", None)
    if preview or pk is None:
        return render_body()
    return cache.get_or_set(keys.article_body(BODY_VERSION, pk), render_body, 24 * 3600)


def _readable(
    content: Any, public_id: str, preview: bool, language: str = ENGLISH, fresh: bool = False
) -> dict:
    """The content's HTML with links to articles that are not live turned into text, and its related articles.

    On a Spanish page, a link goes to the Spanish edition of the article it names when that is
    live, else to the English article (when live); related articles are those with a live
    Spanish edition. ``fresh``: what is live is read from the database, not the cache.
    """
    related_ids = list(getattr(content, "related_article_ids", []))
    generation = None if fresh else generations.current(keys.LIVE)
    wanted = list(dict.fromkeys([*content.linked_article_ids, *related_ids]))
    live = _live_titles(wanted, generation, language)
    body = _body_html(content, preview, language)
    if language == SPANISH:
        english = _live_titles(list(content.linked_article_ids), generation)
        body = markup.relink_articles(markup.unlink_articles(body, set(live) | set(english)), set(live))
    else:
        body = markup.unlink_articles(body, live)
    return {
        "body_html": mark_safe(body),  # noqa: S308 - rendered escaped, sanitized at freeze
        "related": [(pid, live[pid]) for pid in related_ids if pid in live],
        "see_also": [
            (pid, live[pid]) for pid in content.linked_article_ids if pid in live and pid not in related_ids
        ],
        "links_here": links_here(public_id, generation, language) if public_id else [],
    }


def _in_edition(language: str) -> Any:
    """Render in ``language``'s edition: its strings, dates and addresses (``/spanish/...``)."""
    return translation.override(SPANISH) if language == SPANISH else contextlib.nullcontext()


def preview_parts(content: Any, language: str = ENGLISH) -> dict:
    """A draft's body, credit line and related articles exactly as its public page renders them,
    for a page that shows a draft inside another page (the reviewer's workspace). Never cached."""
    with _in_edition(language):
        return {
            **_readable(content, "", True, language),
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


def _json_ld(
    content: Any, site_settings: Any, page_url: str, site_url: str, summary: str, language: str = ENGLISH
) -> str:
    """schema.org MedicalWebPage for search engines, safe inside a <script> element.

    Its ``@id`` is the canonical URL, so every copy of the page names the same node.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": page_url,
        "name": content.title,
        "url": page_url,
        "inLanguage": language,
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


def _is_live(edition: Edition | None) -> bool:
    return edition is not None and edition.is_live


def _alternates(request: HttpRequest, public_id: str, found: dict[str, Edition]) -> list[tuple[str, str]]:
    """(hreflang, URL) of each live edition and the x-default (English), when both are live."""
    if not all(_is_live(found.get(language)) for language in editions.EDITIONS):
        return []
    return _pair(request, article_path(public_id, ENGLISH), article_path(public_id, SPANISH))


def _spanish_credits(spanish: Any, english: Any) -> list[str]:
    """The Spanish page's credits: the English version's review (reviewer, date), the
    translation (translator or agency, as approved: frozen with the Spanish publication, never
    the working copy's) and the Spanish review (reviewer, date)."""
    lines = []
    translated_by = spanish.translated_by
    if english is not None:
        lines.append(
            _review_credit(
                english, _("English version reviewed by:"), _("English version reviewed on %(date)s.")
            )
        )
    if translated_by:
        lines.append(_("Translation and localization by: %(translator)s.") % {"translator": translated_by})
    lines.append(
        _review_credit(
            spanish, _("Spanish translation reviewed by:"), _("Spanish translation reviewed on %(date)s.")
        )
    )
    return [line for line in lines if line]


def _review_credit(content: Any, by: str, on: str) -> str:
    """ "<by> reviewer, credentials… (date)." or "<on date>.": one review of one edition."""
    reviewer = content.updated_by or content.review_organization
    day = dates.day(content.review_date)
    if not reviewer:
        return on % {"date": day} if day else ""
    credit = f"{by} {reviewer}" + (f" ({day})." if day else ".")
    if content.updated_by and content.review_organization:  # as the English credit line names it
        organization = _("Review provided by %(organization)s.") % {
            "organization": content.review_organization
        }
        credit += " " + organization
    return credit


def render_article(
    request: HttpRequest,
    content: Any,
    *,
    public_id: str = "",
    preview: bool = False,
    status: int = 200,
    language: str = ENGLISH,
    english: Any = None,
    alternates: list[tuple[str, str]] | None = None,
    fresh: bool = False,
    accessed: datetime.date | None = None,
) -> HttpResponse:
    """The article page for ``content``: a Publication, or a draft frozen the same way.

    A preview is marked as such, never cached and never indexed. A Spanish edition
    (``language="es"``) is rendered in Spanish, with the references and the English review of
    its English article's live publication ``english``; ``alternates`` are the two editions'
    addresses when both are live (hreflang links and the language switch). ``fresh``: what is
    live is read from the database (a page ``rendered_pages`` keeps); ``accessed``: the day its
    citations say it was read (today).
    """
    with _in_edition(language):
        return _render_article(
            request,
            content,
            public_id,
            preview,
            status,
            language,
            english,
            alternates or [],
            fresh,
            accessed or timezone.localdate(),
        )


def _render_article(
    request: HttpRequest,
    content: Any,
    public_id: str,
    preview: bool,
    status: int,
    language: str,
    english: Any,
    alternates: list[tuple[str, str]],
    fresh: bool,
    today: datetime.date,
) -> HttpResponse:
    site_settings = site_data.settings()
    summary = markup.plain_text(content.summary_html)
    page_url = paths.absolute_url(request, request.path)
    cite = references.page_citation(
        title=content.title,
        site_name=site_settings.display_name,
        place=site_settings.publisher_place,
        publisher=site_settings.publisher_name,
        reviewed=content.review_date,
        today=today,
        url=page_url,
        language=language,
    )
    spanish = language == SPANISH
    context = {
        "publication": content,
        "page_citation": cite,
        "canonical_url": page_url,
        "site_base": page_url[: -len(request.path)]
        if request.path and page_url.endswith(request.path)
        else "",
        "preview": preview,
        "credit_line": ""
        if spanish
        else credits.credit_line(content.updated_by, content.review_organization, content.also_reviewed_by),
        "spanish_credits": _spanish_credits(content, english) if spanish else [],
        "shared_references": (english.references if english is not None else []) if spanish else [],
        "json_ld": _json_ld(
            content, site_settings, page_url, paths.absolute_url(request, "/"), summary, language
        ),
        "description": summary[:200],
        "alternates": alternates,
        "language_switch": _switch(language, alternates),
        **_readable(content, public_id, preview, language, fresh),
        **cite_context(
            request,
            content,
            site_settings,
            page_url,
            today,
            references=(english.references if english is not None else []) if spanish else None,
        ),
    }
    response = render(request, "encyclopedia/article.html", context, status=status)
    if preview:
        patch_cache_control(response, no_store=True, private=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    elif getattr(content, "published_at", None):
        moments = [content.published_at, getattr(english, "published_at", None)]
        set_last_modified(response, *moments)
    return response


@public_page(query=False)
def article(request: HttpRequest, public_id: str, language: str = ENGLISH) -> HttpResponse:
    """An article's page: the stored page when it fits (``rendered_pages``), else rendered and kept."""
    found, stored = rendered_pages.find(public_id, language)
    edition = found.get(language)
    english = found.get(ENGLISH)
    if language == SPANISH and not _is_live(edition) and not _gone_with_english(edition, english):
        return _no_translation(request, public_id, english)
    if edition is None or stored is None:
        raise Http404("No article has this id.")
    if edition.merged_into:
        return HttpResponsePermanentRedirect(article_path(edition.merged_into, language))
    if edition.withdrawn_at:
        return render(request, "encyclopedia/withdrawn.html", {"public_id": public_id}, status=410)
    if edition.live_publication is None:
        raise Http404("This article is not published.")
    stamp = rendered_pages.stamp(request, language, found)
    if stored.fits(stamp):
        with _in_edition(language):
            return rendered_pages.response(stored.html, stored.last_modified)
    content = publication_cache.get(edition.live_publication)
    shown_english = (
        publication_cache.get(english.live_publication) if language == SPANISH and _is_live(english) else None
    )
    page = {
        "content": content,
        "public_id": public_id,
        "language": language,
        "english": shown_english,
        "alternates": _alternates(request, public_id, found),
    }
    # Rendered to be stored: read on a day to be filled in by each view (dates.DayRead).
    day = dates.DayRead()
    rendered = render_article(request, **page, fresh=True, accessed=day)
    moment = max(p.published_at for p in (content, shown_english) if p is not None).timestamp()
    with _in_edition(language):
        html = rendered_pages.marked(rendered, day)
        if html is None:  # it wrote the day in a form the marks do not know: render it for today
            return render_article(request, **page)
        if not signed_in(request):  # what is stored was rendered for any reader, never for staff
            rendered_pages.keep(stored, stamp, html, moment)
        return rendered_pages.response(html, moment)


def _gone_with_english(spanish: Edition | None, english: Edition | None) -> bool:
    """A Spanish edition merged (with its English article: 301 to the Spanish address of the
    article it merged into), or withdrawn while its English article is not live (410, as the
    English address). One withdrawn alone, its English article live, answers the 404 that links
    the English page: a Spanish reader can still read that."""
    if spanish is None or not (spanish.withdrawn_at or spanish.merged_into):
        return False
    return bool(spanish.merged_into) or not _is_live(english)


def _no_translation(request: HttpRequest, public_id: str, english: Edition | None) -> HttpResponse:
    """A Spanish address with no live translation: a 404 in Spanish that links the English
    article when it is live (a Spanish reader may read it rather than nothing)."""
    if not _is_live(english):
        raise Http404("No live Spanish edition, nor English article, has this id.")
    title = publication_cache.get(english.live_publication).title
    context = {"english_url": article_path(public_id, ENGLISH), "english_title": title}
    return render(request, "encyclopedia/no_translation.html", context, status=404)


def _index_alternates(request: HttpRequest, viewname: str, *args: str) -> list[tuple[str, str]]:
    """(hreflang, URL) of a page both editions have (the index, the search page)."""
    return _pair(
        request, reverse(viewname, args=args), reverse(paths.edition_view(viewname, SPANISH), args=args)
    )


def _pair(request: HttpRequest, english_path: str, spanish_path: str) -> list[tuple[str, str]]:
    """(hreflang, URL) of a page's two editions and the x-default, which is English."""
    english = paths.absolute_url(request, english_path)
    return [(ENGLISH, english), (SPANISH, paths.absolute_url(request, spanish_path)), ("x-default", english)]


def _switch(language: str, alternates: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    """The language switch: (the other edition's name, its URL, its code)."""
    other = editions.other(language)
    return next(((editions.NAMES[other], url, other) for code, url in alternates if code == other), None)


@public_page(query=False)
def index(request: HttpRequest, language: str = ENGLISH) -> HttpResponse:
    """The encyclopedia's front page: the letter bar, the search box and recent updates."""
    recent = (
        Article.objects.live()
        .filter(language=language)
        .order_by("-live_publication__published_at")
        .values_list("public_id", "live_publication__title")[:10]
    )
    alternates = _index_alternates(request, "encyclopedia:index")
    context = {
        "letters": paths.letters(language),
        "recent": recent,
        "alternates": alternates,
        "language_switch": _switch(language, alternates),
    }
    return render(request, "encyclopedia/index.html", context)


@public_page(query=False)
def letter_page(request: HttpRequest, letter: str, language: str = ENGLISH) -> HttpResponse:
    """Every live title and alternative name under one letter; names say "see" their article."""
    if letter != letter.upper():
        return HttpResponsePermanentRedirect(paths.letter_path(letter.upper(), language))
    letters = paths.letters(language)
    if letter not in letters:
        raise Http404("No such letter.")
    alternates = []
    if letter in paths.LETTERS:  # Ñ has no English page
        alternates = _pair(request, paths.letter_path(letter, ENGLISH), paths.letter_path(letter, SPANISH))
    context = {
        "letters": letters,
        "letter": letter,
        "entries": search.index_page(letter, language),
        "alternates": alternates,
        "language_switch": _switch(language, alternates),
    }
    return render(request, "encyclopedia/letter.html", context)


@public_page
def search_page(request: HttpRequest, language: str = ENGLISH) -> HttpResponse:
    query = search.clean(request.GET.get("q", ""))
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    answer = _search_answer(query, min(max(page, 1), 1000), language)
    if answer.target:
        return redirect(article_path(answer.target, language))
    context = {
        "query": query,
        "results": answer.results,
        "letters": paths.letters(language),
        "suggestions": answer.suggestions,
    }
    response = render(request, "encyclopedia/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@public_page
def typeahead(request: HttpRequest, language: str = ENGLISH) -> JsonResponse:
    """Search-as-you-type: titles and alternative names starting with what was typed."""
    query = search.clean(request.GET.get("q", ""))
    return JsonResponse({"suggestions": search.typeahead(query, language=language)})


def _article_showing_image(number: int) -> Article | None:
    """The live article whose publication shows image ``number``, if any.

    Found through the image's row (one indexed query); an image deleted from the draft
    but still live is found in the live publications' frozen images instead.
    """
    live = Article.objects.english().select_related("live_publication").only("public_id", "live_publication")
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
        "Disallow: /spanish/ency/search/",
        f"Sitemap: {base}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
