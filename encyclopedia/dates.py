"""Dates and times as the site's locale writes them (config/formats): one format everywhere.

Templates use Django's ``date`` filter with no format, or with "DATE_FORMAT"/"DATETIME_FORMAT";
Python code that writes a date into a message or a log uses these.
"""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.timezone import template_localtime


def day(value: datetime.date | None) -> str:
    """A date as the locale writes it (12/6/2026 in English)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def moment(value: datetime.datetime | None) -> str:
    """A moment in the site's time zone, the zone named (12/6/2026 11:55 AM EST in English)."""
    return formats.date_format(template_localtime(value), "DATETIME_FORMAT") if value else ""
