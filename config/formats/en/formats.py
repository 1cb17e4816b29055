"""The one way dates and times are shown, in the admin and on public pages, for English.

Django's own English formats mix "Dec. 6, 2026" with "12/06/2026"; the encyclopedia's pages date
their reviews "12/6/2026", so every date follows that, and a time names its zone.
Selected by ``FORMAT_MODULE_PATH``: another language gets its own module beside this one.
"""

DATE_FORMAT = "n/j/Y"
SHORT_DATE_FORMAT = "n/j/Y"
DATETIME_FORMAT = "n/j/Y g:i A T"
SHORT_DATETIME_FORMAT = "n/j/Y g:i A T"
TIME_FORMAT = "g:i A"
