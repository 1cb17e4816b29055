"""The page cache: whole public pages in the cache, and their HTTP cache headers.

A cached page's key holds the generation of the live content (bumped by every publish,
withdrawal or restore; for an article's own pages, by a change to it or to an article it
shows), the generation of the site data (settings, notices, policy pages) and today's date,
so a change shows at once and a page never outlives the day it was made for (its citation
says "cited today"; an expired notice must go at midnight). Signed-in people never get or fill the shared cache.

``PageCacheMiddleware`` answers a cached page near the top of the middleware stack, before
sessions, CSRF, authentication or URL resolution run: a cached article costs about what a
static file does. It stores the response as the inner middleware finished it (with its
Content-Security-Policy and other headers), so a cached page is the same bytes and headers.
``public_page`` marks a view's pages as cacheable; ``set_last_modified`` says when one last changed.
An article's page is kept in each process's memory only: its stored page in the database
(``rendered_pages``) is the copy every process and server shares.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from encyclopedia.caching import deploy, generations, keys

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 301, 404, 410}
UNDATED_MAX_AGE = 2  # a page made too soon after a change to name its date (``set_last_modified``)
NEVER_CACHED = ("/admin/", "/healthz")
MAX_AGE = 300


_today: tuple[float, float, str, str] = (0.0, 0.0, "", "")


def _today_iso() -> str:
    """Today's date in the site's time zone, worked out once a day rather than on every hit."""
    global _today
    now, zone = time.time(), settings.TIME_ZONE
    start, end, cached_zone, day = _today
    if not (start <= now < end and cached_zone == zone):
        local = timezone.localtime()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        day = local.date().isoformat()
        _today = (midnight.timestamp(), (midnight + datetime.timedelta(days=1)).timestamp(), zone, day)
    return day


def _seconds_to_midnight() -> int:
    _today_iso()  # the day's bounds, brought up to date
    return max(1, int(_today[1] - time.time()))


# An article's own pages change only when it or an article it shows (linked, related, linking
# to it) changes, so they are keyed on that article's generation, not on every publish's. Both
# editions' pages (/ency/… and /spanish/ency/…) share it: each shows something of the other
# (the language switch; the English references and review on the Spanish page).
_ARTICLE_PAGE = re.compile(r"^(?:/spanish)?/ency/article/([0-9]{6})(?:\.htm|\.ris|\.bib|-references\.ris)$")


# An article's page (``.htm``, either edition): its shared copy is its stored page in the database
# (``rendered_pages``: one query makes it again on any process or server), so the page cache keeps
# it in each process's memory only, and neither asks Redis for it nor sends it there: a reader's
# first view of a page (the long tail, most of a large encyclopedia) costs no round trip for it.
# Whether a page is one is worked out with its key (``_generations``), which is read first.


def _cached(request: HttpRequest, key: str) -> HttpResponse | None:
    if request._page_in_memory_only:
        return getattr(cache, "get_local", cache.get)(key)
    return cache.get(key)


def _store(request: HttpRequest, key: str, response: HttpResponse, max_age: int) -> None:
    if request._page_in_memory_only:
        getattr(cache, "set_local", cache.set)(key, response, max_age)
    else:
        cache.set(key, response, max_age)


def _key(request: HttpRequest, with_query: bool) -> str:
    """The page's cache key: its scheme, host and path (and query, for views that read it).

    The Host header is used as sent: a host Django would refuse never has a page stored under it.
    """
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    address = f"{request.scheme}://{host}{request.get_full_path() if with_query else request.path}"
    site_generation, live_generation = _generations(request)
    return keys.page(
        address, request.method, site_generation, live_generation, _today_iso(), deploy.VERSION[:12]
    )


def _generations(request: HttpRequest) -> list[int]:
    """The site's generation and the page's own (an article's, else the live one), read once per
    request with every other counter the page may need, in one round trip or none (``generations``)."""
    if not hasattr(request, "_page_generations"):
        article = _ARTICLE_PAGE.match(request.path_info)
        own = keys.article_generation(article[1]) if article else keys.LIVE
        # The live generation too: an article the page cache misses reads it (linked titles).
        request._page_generations = generations.current_many(keys.SITE, own, keys.LIVE)[:2]
        request._page_new = generations.created(keys.SITE) or generations.created(own)
        request._page_in_memory_only = article is not None and request.path_info.endswith(".htm")
    return request._page_generations


def _new(request: HttpRequest) -> bool:
    """Whether a counter of the page's key (``_key``, read first) was made by this request: Redis
    had lost it, or never held it, so no page is kept under that key and the cache need not be asked."""
    return request._page_new


def last_modified(*moments: datetime.datetime | None) -> datetime.datetime:
    """When a public page last changed: its own content, the site data, what links to it, or the day."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = [midnight, *generations.changed_at(keys.SITE, keys.LIVE), *moments]
    return max(moment for moment in candidates if moment is not None)


def set_last_modified(response: HttpResponse, *moments: datetime.datetime | None) -> None:
    """Say when the page last changed (``last_modified``), unless that is too recent to say.

    HTTP dates count whole seconds. A page made in the second of the last change (or within
    ``CACHE_GENERATION_RECHECK`` after it, before this process reads a change another made in that
    second) would name a date that a second change in the same second names too: a client asking
    with If-Modified-Since alone would be told nothing changed. Such a page names none (its ETag
    still answers If-None-Match), and is kept ``UNDATED_MAX_AGE`` seconds only: the next one made
    names its date."""
    changed = last_modified(*moments).timestamp()
    if time.time() >= int(changed) + 1 + settings.CACHE_GENERATION_RECHECK:
        response["Last-Modified"] = http_date(changed)
    else:
        response._undated = True


def signed_in(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _cacheable_request(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not signed_in(request)


class PageCacheMiddleware:
    """Serve anonymous readers from the shared page cache before the rest of the stack runs.

    Place it after SecurityMiddleware, WhiteNoiseMiddleware and ConditionalGetMiddleware. Only responses that a
    ``public_page`` view marked are stored, under the key that view chose.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with generations.one_request():
            return self._respond(request)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        if _cacheable_request(request) and not request.path_info.startswith(NEVER_CACHED):
            try:
                key = _key(request, with_query=True)
                cached = None if _new(request) else _cached(request, key)
            except Exception:  # an unreachable cache must not take the site down with it
                logger.exception("Page cache unreachable; serving %s uncached", request.path)
            else:
                request._page_cache_looked_up = key
                if cached is not None:
                    return cached
        response = self.get_response(request)
        to_store = getattr(response, "_page_cache_store", None)
        if to_store is not None:
            key, max_age = to_store
            del response._page_cache_store
            if not response.has_header("ETag"):
                set_response_etag(response)  # once, rather than on every hit
            try:
                _store(request, key, response, max_age)
            except Exception:
                logger.exception("Page cache unreachable; %s not stored", request.path)
        return response


def public_page(
    view: Callable[..., HttpResponse] | None = None, *, query: bool = True
) -> Callable[..., HttpResponse]:
    """Serve the view from the shared page cache when it can, and say how long others may keep it.

    ``query=False`` for views that ignore the query string: any query then shares one entry,
    so made-up query strings cannot fill the cache or get past it.
    """
    if view is None:
        return lambda function: public_page(function, query=query)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            try:
                # The counters every view reads (site data, Last-Modified), in one round trip or
                # none: not the article's own, which only a page rendered afresh needs (a stored
                # page is current by its version in the database), so that a signed-in reader
                # moving between pages does not ask Redis for each one.
                generations.current_many(keys.SITE, keys.LIVE)
            except Exception:  # an unreachable cache must not take the site down with it
                logger.exception("Cache unreachable; serving %s uncached", request.path)
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        looked_up = getattr(request, "_page_cache_looked_up", None)
        try:
            key = _key(request, with_query=query)
            response = None if key == looked_up or _new(request) else _cached(request, key)
        except Exception:  # an unreachable cache: serve the page, uncached
            logger.exception("Page cache unreachable; serving %s uncached", request.path)
            return view(request, *args, **kwargs)
        if response is None:
            response = view(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:
                response.render()  # a TemplateResponse (the sitemap) is stored as its bytes
            if response.status_code in CACHEABLE_STATUSES and not response.has_header("Cache-Control"):
                max_age = min(MAX_AGE, _seconds_to_midnight())
                if getattr(response, "_undated", False):
                    max_age = UNDATED_MAX_AGE
                patch_cache_control(response, public=True, max_age=max_age)
                patch_vary_headers(response, ["Cookie"])
                if looked_up is None:  # no PageCacheMiddleware: store what the view made
                    _store(request, key, response, max_age)
                else:
                    response._page_cache_store = (key, max_age)
        return response

    return wrapper
