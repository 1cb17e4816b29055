"""python manage.py restore_articles FILE : load an export into a new, empty database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from editorial.actions.restore_content import restore_content
from editorial.errors import EditorialError
from editorial.export import SUMMARY_LABELS, describe


class Command(BaseCommand):
    help = (
        "Load an export written by export_articles into a new, empty database (after manage.py migrate): "
        "all of it or, if anything is wrong, nothing. Restored accounts have no password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", metavar="FILE", help="The export; - reads standard input.")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        where = "standard input" if path == "-" else path
        try:
            stream = sys.stdin.buffer if path == "-" else Path(path).open("rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(
                f"{where}: cannot read the file ({error.strerror}). Nothing was restored."
            ) from None
        try:
            summary = restore_content(stream, source=Path(path).name if path != "-" else "standard input")
        except EditorialError as error:
            raise CommandError(f"{where}: {error}. Nothing was restored.") from None
        except DatabaseError as error:
            raise CommandError(
                f"{where}: the database refused the restore ({error}); has manage.py migrate been run? "
                "Nothing was restored."
            ) from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        self.stdout.write(
            f"Restored {summary.records} records from {where} (exported {summary.exported_at}): "
            f"{describe(summary.counts, SUMMARY_LABELS)}. "
            f"Search and the A–Z index were rebuilt: {summary.live_articles} live articles."
        )
        if summary.accounts_created:
            field = get_user_model().USERNAME_FIELD
            self.stdout.write(
                f"{len(summary.accounts_created)} {'account was' if len(summary.accounts_created) == 1 else 'accounts were'} created without a password "
                f"({', '.join(summary.accounts_created)}): set one with "
                f"manage.py changepassword {field.upper()} or, as a superuser, in the admin under Users."
            )
        if summary.accounts_kept:
            self.stdout.write(
                f"Accounts that existed already were kept as they are: {', '.join(summary.accounts_kept)}."
            )
