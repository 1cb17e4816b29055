"""Dates and times as the site's locale writes them (config/formats): one format everywhere.

Templates use Django's ``date`` filter with no format, or with "DATE_FORMAT"/"DATETIME_FORMAT";
Python code that writes a date into a message or a log uses these.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from django.utils import formats
from django.utils.timezone import template_localtime


def day(value: datetime.date | None) -> str:
    """A date as the locale writes it (12/6/2026 in English)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def moment(value: datetime.datetime | None) -> str:
    """A moment in the site's time zone, the zone named (12/6/2026 11:55 AM EST in English)."""
    return formats.date_format(template_localtime(value), "DATETIME_FORMAT") if value else ""


class DayRead(datetime.date):
    """The day a page will be read on, when it is rendered to be stored (``caching.rendered_pages``).

    Each form of "Cite this page"'s access date (``read_on``) writes it as a mark holding a token
    of this render's own, which no text can hold, for each view to put in its own day. Any other
    code sees the placeholder 31 December 2999.
    """

    token: str

    def __new__(cls) -> DayRead:
        day = super().__new__(cls, 2999, 12, 31)
        day.token = secrets.token_hex(12)
        return day

    def mark(self, form: str) -> str:
        return f"dayread{self.token}{form}end"


def read_on(form: str, write: Callable[[datetime.date], str]) -> Callable[[datetime.date], str]:
    """``write``, the access date's ``form``, except that a ``DayRead`` is written as its mark."""

    def written(day: datetime.date) -> str:
        return day.mark(form) if isinstance(day, DayRead) else write(day)

    return written
