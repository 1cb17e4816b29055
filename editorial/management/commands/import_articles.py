"""python manage.py import_articles PATH... : read encyclopedia pages into the model."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction
from tqdm import tqdm

from editorial.actions.import_article import ImportBatch, ImportLookups, ImportResult, import_page
from editorial.errors import EditorialError
from editorial.importer.parser import ParseError
from editorial.importer.sniff import page_files, read_page
from encyclopedia.models import Article, ArticleType

# Files per transaction. Each file is imported in its own savepoint, so a refused file leaves
# nothing behind while the others of its batch are kept; the batch commits once. Kept small so
# that the rows it locks are held briefly and PostgreSQL keeps its subtransactions in memory.
BATCH_SIZE = 20

Outcome = tuple[ImportResult | None, str]  # the result, or None and the error line


class Command(BaseCommand):
    help = (
        "Import encyclopedia pages (the plain-text page format, Markdown with ## headings, or an "
        "article page saved from the public site as HTML); a folder is walked for .html, .htm, .txt "
        "and .md files. Each file is imported atomically. A page with its review (a review date and an “Updated by” "
        "credit) is published with it; a page without is kept as a draft for medical review. An "
        "article with someone's draft is refused unless --replace-draft is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, metavar="PATH", help="A page file or a folder of them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and check every file; save nothing.")
        parser.add_argument(
            "--type",
            dest="article_type",
            choices=ArticleType.values,
            help="The article type (default: inferred from the section headings).",
        )
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Discard an article's draft (in progress, in review or approved and waiting) and "
            "import over it; each discarded draft is recorded in the audit log.",
        )

    def handle(
        self,
        *args,
        paths: list[Path],
        dry_run: bool,
        article_type: str | None,
        replace_draft: bool = False,
        **options,
    ) -> None:
        self._load_lookups()  # once for the whole run
        self.article_type = article_type
        self.replace_draft = replace_draft
        results: list[ImportResult] = []
        failed = 0
        paths = page_files(paths)
        # A progress bar only for a person watching a terminal; a log or a pipe gets the lines alone.
        progress = tqdm(total=len(paths), unit="file", file=sys.stderr, disable=not self.stdout.isatty())
        for start in range(0, len(paths), BATCH_SIZE):
            chunk = paths[start : start + BATCH_SIZE]
            outcomes = self._one_by_one(chunk, dry_run) if dry_run else self._batch(chunk)
            with progress.external_write_mode():
                for path, (result, error) in zip(chunk, outcomes, strict=True):
                    if result is None:
                        failed += 1
                        self.stderr.write(error)
                        continue
                    results.append(result)
                    verb = "Would import" if dry_run else "Imported"
                    images = _images_awaiting(result.images_awaiting_upload)
                    edition = (
                        f" as the Spanish edition of “{result.english_title}” ({result.public_id})"
                        if result.english_title
                        else ""
                    )
                    self.stdout.write(
                        f"{verb} {result.public_id} “{result.title}” ({result.outcome}){edition} from {path}"
                        + (f"; {images}" if images else "")
                    )
                    for line, notice in result.notices:
                        self.stdout.write(f"notice: {path}:{line}: {_sentence(notice)}")
            progress.update(len(chunk))
        progress.close()
        self.stdout.write(self._summary(results, failed, dry_run))
        if failed:
            sys.exit(1)

    def _batch(self, paths: list[Path]) -> list[Outcome]:
        """The files in one transaction, each in its own savepoint; if the batch as a whole
        cannot be saved (the database refuses the commit, say), each file again on its own."""
        try:
            with transaction.atomic():
                batch = ImportBatch(self.lookups)
                outcomes = [self._attempt(path, batch) for path in paths]
                batch.finish()
        except Exception:
            self._load_lookups()  # afresh: what the batch saw may be what the database refused
            return self._one_by_one(paths, dry_run=False)
        return outcomes

    def _load_lookups(self) -> None:
        self.lookups = ImportLookups.load()
        self.known_headings = self.lookups.names

    def _one_by_one(self, paths: list[Path], dry_run: bool) -> list[Outcome]:
        """Each file in its own transaction (rolled back in a dry run)."""
        outcomes = []
        for path in paths:
            try:
                with transaction.atomic():
                    batch = ImportBatch(self.lookups)
                    outcome = self._attempt(path, batch, refuse=False)
                    batch.finish()
                    if dry_run:
                        transaction.set_rollback(True)
            except DatabaseError as error:
                outcome = None, self._refused(path, error)
            outcomes.append(outcome)
        return outcomes

    def _attempt(self, path: Path, batch: ImportBatch, refuse: bool = True) -> Outcome:
        """Import one file into ``batch``, all or nothing (``import_page`` holds a savepoint).
        A refusal is an outcome; with ``refuse=False`` a database error is raised instead."""
        try:
            page = read_page(path, self.known_headings)  # text, Markdown or HTML; anything else refused
            result = import_page(
                page,
                source=path.name,
                article_type=self.article_type,
                batch=batch,
                replace_draft=self.replace_draft,
            )
            return result, ""
        except ParseError as error:
            where = f"{path}:{error.line}" if error.line else str(path)
            return None, f"error: {where}: {_sentence(error.message)} Nothing from this file was saved."
        except OSError as error:
            return None, f"error: {path}: cannot read the file ({error}). Nothing was saved."
        except DatabaseError as error:
            if not refuse:
                raise
            return None, self._refused(path, error)
        except EditorialError as error:
            return None, f"error: {path}: {_sentence(str(error))} Nothing from this file was saved."

    @staticmethod
    def _refused(path: Path, error: DatabaseError) -> str:
        return f"error: {path}: the database refused it ({error}). Nothing from this file was saved."

    def _summary(self, results: list[ImportResult], failed: int, dry_run: bool) -> str:
        counts = {
            outcome: sum(r.outcome == outcome for r in results)
            for outcome in ("new", "updated", "draft", "unchanged")
        }
        verb = "would be imported" if dry_run else "imported"
        drafts = f", {counts['draft']} kept as drafts for medical review (no review date and credit)"
        summary = (
            f"{len(results)} {'file' if len(results) == 1 else 'files'} {verb} "
            f"({counts['new']} new, {counts['updated']} updated{drafts if counts['draft'] else ''}, "
            f"{counts['unchanged']} unchanged), {failed} failed."
        )
        linked = {link: r.public_id for r in results for link in r.article_links}
        live = set(
            Article.objects.english().live().filter(public_id__in=linked).values_list("public_id", flat=True)
        )
        if dry_run:
            live |= {r.public_id for r in results}
        missing = sorted(set(linked) - live)
        if missing:
            listed = ", ".join(f"{target} (linked from {linked[target]})" for target in missing)
            summary += (
                f" Links to articles not imported yet, shown as plain text until they are live: {listed}."
            )
        images = _images_awaiting(sum(r.images_awaiting_upload for r in results))
        if images:
            summary += f" {images}: see “Images awaiting upload” in the admin."
        if dry_run:
            summary += " Dry run: nothing was saved."
        return summary


def _images_awaiting(count: int) -> str:
    """ "2 images await upload" ("" for none): pages saved as HTML show images we never fetch."""
    if not count:
        return ""
    return "1 image awaits upload" if count == 1 else f"{count} images await upload"


def _sentence(message: str) -> str:
    """The message ended with one full stop, whether or not it came with its own."""
    message = message.rstrip()
    return message if message.endswith((".", "?", "!")) else message + "."
