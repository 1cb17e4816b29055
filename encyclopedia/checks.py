"""System checks of the settings the public site relies on (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """In production the public address is SITE_URL, never the request's Host header."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        checks.Error(
            "SITE_URL is not set, so canonical links, page citations, the sitemap, the feed and the "
            "API would take the site's address from each request's Host header.",
            hint="Set SITE_URL to the public address, e.g. SITE_URL=https://encyclopedia.example.org.",
            id="encyclopedia.E001",
        )
    ]
