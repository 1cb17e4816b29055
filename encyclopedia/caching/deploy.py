"""The deploy's version: what a page is rendered from besides the content.

A digest of the templates, translations, the static files' manifest, the site's code and
Django's version. Whatever keeps a rendered page keys it on this, so a deploy never serves a page
rendered by the code before it: the stored pages (``rendered_pages.stamp``), the page cache
(``keys.page``) and the rendered article bodies (``views.BODY_VERSION``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import django
from django.conf import settings


def _version() -> str:
    """Changes with any template, translation, static file manifest or module of the site's
    code, and with Django: a deploy never serves a page stored by the code before it."""
    digest = hashlib.sha256(django.__version__.encode())
    base = Path(settings.BASE_DIR)
    patterns = ("templates/**/*.html", "locale/**/*.mo", "encyclopedia/**/*.py", "config/*.py")
    # Migrations and commands write no page: a new one leaves the stored pages as they are.
    unread = ("encyclopedia/migrations/", "encyclopedia/management/")
    found = (p for pattern in patterns for p in base.glob(pattern))
    for path in sorted(p for p in found if not p.relative_to(base).as_posix().startswith(unread)):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or base / "staticfiles") / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


VERSION = _version()
