"""The deploy's version: what a page is rendered from besides the content.

A digest of the templates, translations, the static files' manifest, the code and data of the
apps that serve public pages (``sources``), and Django's version. Whatever keeps a rendered page
keys it on this, so a deploy never serves a page rendered by the code before it: the stored
pages (``rendered_pages.stamp``), the page cache (``keys.page``) and the rendered article bodies
(``views.BODY_VERSION``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import django
from django.conf import settings

# What the public pages are made from, besides the content: the apps that serve them (every
# ``public_page`` view is in one), their data files (the search's stop words), the settings, the
# templates and the translations. Migrations and commands write no page: a new one leaves the
# stored pages as they are.
_SOURCES = (
    "templates/**/*",
    "locale/**/*.mo",
    "config/**/*.py",
    "encyclopedia/**/*.py",
    "encyclopedia/**/*.txt",
    "infobutton/**/*.py",
)
_NOT_SOURCES = frozenset({"migrations", "management", "__pycache__"})


def sources() -> list[Path]:
    """The files the deploy's version is a digest of (with the static files' manifest)."""
    base = Path(settings.BASE_DIR)
    found = {path for pattern in _SOURCES for path in base.glob(pattern) if path.is_file()}
    return sorted(path for path in found if not _NOT_SOURCES & set(path.relative_to(base).parts))


def _version() -> str:
    """Changes with any source of a public page, the static files' manifest and Django's
    version: a deploy never serves a page kept by the code before it."""
    digest = hashlib.sha256(django.__version__.encode())
    base = Path(settings.BASE_DIR)
    for path in sources():
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or base / "staticfiles") / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


VERSION = _version()
