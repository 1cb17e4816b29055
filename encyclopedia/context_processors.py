"""Site data every public page shows, loaded only when a template uses it (and cached)."""

from django.utils.functional import SimpleLazyObject

from encyclopedia.caching import site_data


def site(request):
    return {
        "site": SimpleLazyObject(site_data.settings),
        "site_footer": SimpleLazyObject(site_data.footer_html),
    }
