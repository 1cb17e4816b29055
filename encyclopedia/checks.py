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


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_keeps_nothing_over_a_restart(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A Redis restored from a snapshot would bring back the generation counters from before the
    changes made since, and the pages cached under them (a withdrawn article, for five minutes)."""
    from django.core.cache import caches

    persistence = getattr(caches["shared"], "persistence", None)
    kept = persistence() if persistence else None
    if not kept:
        return []
    return [
        checks.Warning(
            f"The Redis of REDIS_URL keeps its data over a restart ({', '.join(kept)}): restored, it "
            "would serve pages cached before the changes made since its snapshot, for up to five "
            "minutes.",
            hint='Run the cache\'s Redis without persistence: --save "" --appendonly no (docs/deploy.md).',
            id="encyclopedia.W002",
        )
    ]
