"""Site data every public page shows, loaded only when a template uses it (and cached)."""

from django.utils.functional import SimpleLazyObject, lazy

from encyclopedia import paths
from encyclopedia.caching import site_data

# Made once: ``lazy()`` builds a proxy class on every call, which cost more than the rest of this.
_absolute_url = lazy(paths.absolute_url, str)


def site(request):
    return {
        "site": SimpleLazyObject(site_data.settings),
        "site_footer": SimpleLazyObject(site_data.footer_html),
        # The canonical address of the page: its path (no query) on SITE_URL.
        "page_url": _absolute_url(request, request.path),
    }
