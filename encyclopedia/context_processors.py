"""Site data every public page shows, loaded only when a template uses it (and cached)."""

from django.utils.functional import SimpleLazyObject, lazy

from encyclopedia import paths
from encyclopedia.caching import site_data


def site(request):
    return {
        "site": SimpleLazyObject(site_data.settings),
        "site_footer": SimpleLazyObject(site_data.footer_html),
        # The canonical address of the page: its path (no query) on SITE_URL.
        "page_url": lazy(paths.absolute_url, str)(request, request.path),
    }
