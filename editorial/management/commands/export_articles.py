"""python manage.py export_articles [--output FILE] : all content as one JSON document."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from editorial.export import SUMMARY_LABELS, ExportSummary, describe, export_content


class _Verbatim:
    """Standard output without the newline Django's OutputWrapper adds to each write."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Write all content (articles, publications and their history, reviewers, citations, reviews, "
        "notices, policy pages, site data, and the accounts they name, without passwords) as one JSON "
        "document. restore_articles loads it into an empty database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar="FILE",
            help="Write to FILE (default: standard output). FILE appears only once it is complete.",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        started = time.monotonic()
        if output is None:
            summary = export_content(_Verbatim(self.stdout))  # type: ignore[arg-type]
            self.stderr.write(self._summary(summary, "standard output", None, time.monotonic() - started))
            return
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as stream:
                summary = export_content(stream)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(
                f"{output}: cannot write the export ({error.strerror}). Nothing was written."
            ) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(
            self._summary(summary, str(output), output.stat().st_size, time.monotonic() - started)
        )

    def _summary(self, summary: ExportSummary, where: str, size: int | None, seconds: float) -> str:
        listed = describe(summary.counts, SUMMARY_LABELS)
        size_text = f", {size / 1_000_000:.1f} MB" if size is not None else ""
        line = f"Exported {summary.records} records ({listed}; accounts without passwords) to {where}{size_text} in {seconds:.2f} s."
        if summary.media_files:
            line += (
                f" The content names {summary.media_files} uploaded files (images, badges) that live in "
                "MEDIA_ROOT, not in the export: copy that folder as well."
            )
        return line
