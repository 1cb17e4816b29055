"""Site data every public page shows (settings, policy links, valid notices), cached.

The cache keys carry a generation (``keys.SITE``), bumped whenever an editor saves any of that
data, and the notices' key carries today's date, so an expired notice leaves the pages at
midnight by itself and an edit shows at once. A save also asks the CDN to drop the pages that
list articles (``cdn.site_data_changed``) and loads the new data into the cache (``warm``).
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from encyclopedia import editions
from encyclopedia.caching import cdn, generations, keys
from encyclopedia.models import AccreditationNotice, PolicyPage, SiteSettings

_TIMEOUT = 60 * 60


def generation() -> int:
    """Changes whenever editors save site data: part of the key of every cached public page."""
    return generations.current(keys.SITE)


def settings() -> SiteSettings:
    return cache.get_or_set(keys.site_settings(generation()), SiteSettings.load, _TIMEOUT)


def policy_pages() -> list[tuple[str, str]]:
    """(url, title) of every policy page, for the footer of every public page."""
    return cache.get_or_set(
        keys.site_policies(generation()),
        lambda: [(page.get_absolute_url(), page.title) for page in PolicyPage.objects.order_by("title")],
        _TIMEOUT,
    )


def valid_notices(today: datetime.date | None = None) -> list[AccreditationNotice]:
    today = today or timezone.localdate()
    return cache.get_or_set(
        keys.site_notices(generation(), today),
        lambda: list(
            AccreditationNotice.objects.valid_on(today).select_related(
                "editorial_policy", "editorial_process", "privacy_policy"
            )
        ),
        _TIMEOUT,
    )


def footer_html() -> str:
    """The footer of every public page (notices, policy links, disclaimer), rendered once a day
    per change and per edition (its words and dates are in the page's language)."""
    today = timezone.localdate()
    key = keys.site_footer(generation(), today, editions.current())

    def render() -> str:
        context = {
            "site": settings(),
            "accreditation_notices": valid_notices(today),
            "policy_pages": policy_pages(),
        }
        return render_to_string("includes/footer.html", context)

    return mark_safe(cache.get_or_set(key, render, _TIMEOUT))  # noqa: S308 - rendered by the template engine, escaped


def invalidate(**kwargs) -> None:
    generations.bump(keys.SITE)
    transaction.on_commit(warm)
    cdn.site_data_changed()


def warm() -> None:
    """Load the new site data into the cache at once, so no reader's page pays for it."""
    settings()
    policy_pages()
    valid_notices()
    footer_html()


for _model in (SiteSettings, PolicyPage, AccreditationNotice):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"site-data-{_model.__name__}-save")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"site-data-{_model.__name__}-delete")
