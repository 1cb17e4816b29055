"""python manage.py import_articles PATH... : read encyclopedia pages into the model."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction

from editorial.actions.import_article import ImportResult, import_page
from editorial.errors import EditorialError
from editorial.importer.parser import ParseError, parse_page
from encyclopedia.models import Article, ArticleType, SectionHeading


class Command(BaseCommand):
    help = (
        "Import encyclopedia pages (the plain-text page format, or Markdown with ## headings). "
        "Each file is imported atomically and published with its review date."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="Read and check every file; save nothing.")
        parser.add_argument(
            "--type",
            dest="article_type",
            choices=ArticleType.values,
            help="The article type (default: inferred from the section headings).",
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, article_type: str | None, **options) -> None:
        known = set(SectionHeading.objects.values_list("name", flat=True))
        results: list[ImportResult] = []
        failed = 0
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
                page = parse_page(text, known)
                with transaction.atomic():
                    result = import_page(page, source=path.name, article_type=article_type)
                    if dry_run:
                        transaction.set_rollback(True)
            except ParseError as error:
                failed += 1
                where = f"{path}:{error.line}" if error.line else str(path)
                self.stderr.write(f"error: {where}: {error.message}. Nothing from this file was saved.")
                continue
            except (OSError, UnicodeDecodeError) as error:
                failed += 1
                self.stderr.write(f"error: {path}: cannot read the file ({error}). Nothing was saved.")
                continue
            except DatabaseError as error:
                failed += 1
                self.stderr.write(
                    f"error: {path}: the database refused it ({error}). Nothing from this file was saved."
                )
                continue
            except EditorialError as error:
                failed += 1
                self.stderr.write(f"error: {path}: {error}. Nothing from this file was saved.")
                continue
            results.append(result)
            verb = "Would import" if dry_run else "Imported"
            self.stdout.write(f"{verb} {result.public_id} “{result.title}” ({result.outcome}) from {path}")

        self.stdout.write(self._summary(results, failed, dry_run))
        if failed:
            sys.exit(1)

    def _summary(self, results: list[ImportResult], failed: int, dry_run: bool) -> str:
        counts = {
            outcome: sum(r.outcome == outcome for r in results) for outcome in ("new", "updated", "unchanged")
        }
        verb = "would be imported" if dry_run else "imported"
        summary = (
            f"{len(results)} {'file' if len(results) == 1 else 'files'} {verb} "
            f"({counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged), {failed} failed."
        )
        linked = {link: r.public_id for r in results for link in r.article_links}
        live = set(
            Article.objects.filter(public_id__in=linked, live_publication__isnull=False).values_list(
                "public_id", flat=True
            )
        )
        if dry_run:
            live |= {r.public_id for r in results}
        missing = sorted(set(linked) - live)
        if missing:
            listed = ", ".join(f"{target} (linked from {linked[target]})" for target in missing)
            summary += (
                f" Links to articles not imported yet, shown as plain text until they are live: {listed}."
            )
        if dry_run:
            summary += " Dry run: nothing was saved."
        return summary
