"""The review schedule: when an article's next medical review is due.

Intervals are months per article type, from the ``REVIEW_INTERVAL_MONTHS`` setting
(default 36 for every type), and an article may override its own.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings

DEFAULT_INTERVAL_MONTHS = 36
DUE_WINDOWS = (30, 60, 90)  # days ahead the dashboard and filters look


def interval_months(article_type: str, override: int | None = None) -> int:
    if override is not None and override > 0:
        return override
    configured = getattr(settings, "REVIEW_INTERVAL_MONTHS", {})
    return int(configured.get(article_type, configured.get("default", DEFAULT_INTERVAL_MONTHS)))


def next_review_due(
    review_date: datetime.date | None, article_type: str, override: int | None = None
) -> datetime.date | None:
    """The review date plus the interval; a never-reviewed article has no due date."""
    if review_date is None:
        return None
    return review_date + relativedelta(months=interval_months(article_type, override))


def due_status(due: datetime.date | None, today: datetime.date) -> str:
    """ "overdue", "due_30", "due_60", "due_90", "current", or "unscheduled"."""
    if due is None:
        return "unscheduled"
    if due < today:
        return "overdue"
    for days in DUE_WINDOWS:
        if due <= today + datetime.timedelta(days=days):
            return f"due_{days}"
    return "current"
