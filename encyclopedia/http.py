"""HTTP behaviour of the public pages: a shared page cache and cache headers.

A cached page's key holds the generation of the live content (bumped by every publish,
withdrawal or restore), the generation of the site data (settings, notices, policy
pages) and today's date, so a change shows at once and a page never outlives the day it
was made for (its citation says "cited today"; an expired notice must go at midnight).
Signed-in people never get or fill the shared cache.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from encyclopedia import generations, search
from encyclopedia import site as site_data

CACHEABLE_STATUSES = {200, 301, 404, 410}
MAX_AGE = 300


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def _key(request: HttpRequest, with_query: bool) -> str:
    """The page's cache key: its scheme, host and path (and query, for views that read it)."""
    address = (
        f"{request.scheme}://{request.get_host()}{request.get_full_path() if with_query else request.path}"
    )
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    day = timezone.localdate().isoformat()
    return f"encyclopedia:page:{site_data.generation()}:{search.generation()}:{day}:{request.method}:{digest}"


def last_modified(*moments: datetime.datetime | None) -> datetime.datetime:
    """When a public page last changed: its own content, the site data, what links to it, or the day."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = [
        midnight,
        generations.changed_at(site_data.GENERATION),
        generations.changed_at(search.GENERATION),
        *moments,
    ]
    return max(moment for moment in candidates if moment is not None)


def signed_in(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


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
        if request.method not in ("GET", "HEAD") or signed_in(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        key = _key(request, with_query=query)
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:
                response.render()  # a TemplateResponse (the sitemap) is stored as its bytes
            if response.status_code in CACHEABLE_STATUSES and not response.has_header("Cache-Control"):
                max_age = min(MAX_AGE, _seconds_to_midnight())
                patch_cache_control(response, public=True, max_age=max_age)
                patch_vary_headers(response, ["Cookie"])
                cache.set(key, response, max_age)
        return response

    return wrapper
