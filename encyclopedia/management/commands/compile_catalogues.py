"""Compile the interface catalogues (locale/*/LC_MESSAGES/django.po) into the .mo files Django reads.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; this uses polib, pure Python and
pinned in requirements.txt, so a bare machine needs nothing else. The compiled files are kept in
the repository too (the set-up stays two commands); run this (``make messages``) after editing a
.po file, and tests/test_spanish_public.py checks that each .mo matches its .po.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogues() -> list[Path]:
    """Every django.po under ``LOCALE_PATHS``."""
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/django.po")
    )


def compiled(po_path: Path) -> bytes:
    """The .mo bytes of the catalogue ``po_path``, as polib writes them."""
    return polib.pofile(str(po_path)).to_binary()


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po into django.mo with polib (no GNU gettext needed)."

    def handle(self, *args, **options) -> None:
        for po_path in catalogues():
            po_path.with_suffix(".mo").write_bytes(compiled(po_path))
            self.stdout.write(f"Compiled {po_path.with_suffix('.mo')}")
