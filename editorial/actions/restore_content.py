"""Restoring an export into a new, empty database: all of it, or nothing.

The export (``editorial.export``) holds every content row and the accounts they name. Only a
superuser may restore, because restoring creates accounts (superusers among them); the
commands run as the system. One audit event records what was restored and from where.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from editorial import audit, export
from editorial.errors import NotAllowed
from encyclopedia.caching import site_data

ACTION = "restore_content"


def restore_content(stream: IO[bytes] | IO[str], *, user: Any = None, source: str = "") -> export.LoadSummary:
    """Load the export in ``stream``; raise ``export.RestoreRefused`` (nothing saved) if it cannot be."""
    if user is not None and not user.is_superuser:
        raise NotAllowed("Only a superuser may restore an export: restoring creates accounts.")
    opened = export.read_export(stream)  # the header is checked before the database is touched
    with transaction.atomic():
        summary = export.load_content(opened)
        site_data.invalidate()  # every server's cached pages and site data are for another database
        audit.record_site(
            ACTION,
            user,
            f"Restored {summary.records} records from an export made {summary.exported_at}"
            + (f" ({source})" if source else ""),
            {
                "source": source,
                "exported_at": summary.exported_at,
                "format_version": opened.header["format_version"],
                "counts": summary.counts,
                "accounts_created": summary.accounts_created,
                "accounts_kept": summary.accounts_kept,
            },
        )
    return summary
