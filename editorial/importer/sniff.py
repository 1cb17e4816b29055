"""What a file to import is: a page (text format, Markdown or saved HTML), or a clear refusal.

The importer reads what a file holds, not what its name says: a saved HTML page is read as
HTML even when named ``.txt``, and a file that is not a page (empty, binary, another format,
text in an encoding we cannot tell) is refused with what was expected and what the file
looks like, before anything is saved.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from pathlib import Path

from editorial.importer.html import looks_like_html, parse_html
from editorial.importer.parser import ParsedPage, ParseError, decode_page, parse_page
from encyclopedia import limits

# The files a folder is walked for.
PAGE_SUFFIXES = (".html", ".htm", ".txt", ".md")

EXPECTED = "expected an encyclopedia page (the text page format, Markdown or a saved HTML article page)"

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word or OpenDocument file)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (an image, audio or video)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "a program"),
)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_DECLARED_CHARSET = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")


def page_files(paths: Iterable[Path]) -> list[Path]:
    """The files to import: each file named, and the pages (``PAGE_SUFFIXES``) of each folder named,
    walked in name order (hidden files and folders left out)."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        files.extend(
            sorted(
                found
                for found in path.rglob("*")
                if found.is_file()
                and found.suffix.lower() in PAGE_SUFFIXES
                and not any(part.startswith(".") for part in found.relative_to(path).parts)
            )
        )
    return files


def read_page(path: Path, known_headings: set[str] | frozenset[str] = frozenset()) -> ParsedPage:
    """The page in the file at ``path``; a ``ParseError`` says why it is not one."""
    _check_size(path.stat().st_size)  # before reading it: a huge file is never read into memory
    return parse_file(path.read_bytes(), known_headings)


def parse_file(data: bytes, known_headings: set[str] | frozenset[str] = frozenset()) -> ParsedPage:
    """The page in ``data``, read as HTML or as the text format (Markdown included)."""
    _check_size(len(data))
    text = decode(data)
    if looks_like_html(text):
        return parse_html(text)
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            raise ParseError(f"{EXPECTED}, but this is JSON data")
    return parse_page(text, known_headings)


def _check_size(size: int) -> None:
    error = limits.file_error(size)
    if error:
        raise ParseError(error)


def decode(data: bytes) -> str:
    """``data`` as text: UTF-8 (or UTF-16/32 with their byte-order mark, or an HTML page's declared
    encoding); refused when it is empty, binary or in an encoding we cannot tell."""
    if not data.strip(b" \t\r\n\x0b\x0c\xef\xbb\xbf"):
        raise ParseError(f"{EXPECTED}, but this is an empty file")
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            raise ParseError(f"{EXPECTED}, but this is binary data ({name})")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ParseError(f"{EXPECTED}, but this is binary data") from None
    head = data[:8192]
    if head.count(b"\x00") > 1 + len(head) // 100 or len(_CONTROL.findall(head)) > len(head) // 20:
        raise ParseError(f"{EXPECTED}, but this is binary data")
    try:
        return decode_page(data).removeprefix("\ufeff")
    except ParseError:
        declared = _declared_encoding(data)  # an HTML page saved in the encoding it declares
        if declared:
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass
        raise


def _declared_encoding(data: bytes) -> str:
    """The encoding an HTML page declares in its ``<meta charset>``, if Python knows it."""
    if not data.lstrip().startswith(b"<"):
        return ""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return ""
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return ""
