"""Text as it is stored: the one normalisation applied wherever text enters.

Browsers send a textarea's lines ending in CRLF; files may end theirs in CR or CRLF and carry
spaces at line ends. None of that shows on a page, so none of it is stored: every line ends
in LF, without trailing spaces or tabs. The admin's and workflow forms (``encyclopedia.forms``), the page
importer and the JSON restore all call ``normalize_text``, so a value that only differs in
these is the same value, and an edit that changes nothing names no field.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n?")
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


def normalize_text(text: str) -> str:
    """``text`` with LF line endings and no spaces or tabs at the end of a line."""
    if not isinstance(text, str) or not text:
        return text
    return _TRAILING_BLANKS.sub("", _LINE_BREAK.sub("\n", text))
