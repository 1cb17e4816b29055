"""The A–Z index: its lines, letters and sort keys, and looking names up in it.

Every live article has a line under its title and one under each other name it is known by
("see" the title). The lines are written by ``indexing.py``; this module says what they are
(``index_lines``), how they sort (``sort_key``), under which letter (``letter``), and reads them:
a letter's page (``index_page``), the article a query names exactly (``exact``), and the lines
offered while typing (``typeahead``) or when a search finds nothing (``suggestions``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from encyclopedia import paths
from encyclopedia.models import Article, IndexEntry, SearchEntry
from encyclopedia.search.query import MAX_QUERY_LENGTH, MAX_TERMS

LETTERS = paths.LETTERS


def sort_key(label: str) -> str:
    """How readers expect an index sorted: case, accents, punctuation and a leading "The" ignored."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^the\s+|,\s*the$", "", text.strip())  # "The thyroid" and "Thyroid, the"
    text = re.sub(r"[^a-z0-9 ]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def letter(label: str) -> str:
    key = sort_key(label)
    first = key[:1].upper()
    return first if "A" <= first <= "Z" else "0-9"


def index_lines(article: Article, title: str, names: list[str]) -> list[IndexEntry]:
    """The (unsaved) lines of ``article``: its title, and each other name that sorts apart from it."""
    lines = [
        IndexEntry(
            article=article,
            public_id=article.public_id,
            label=title,
            letter=letter(title),
            sort_key=sort_key(title)[:200],
        )
    ]
    for name in names:
        if sort_key(name) != sort_key(title):
            lines.append(
                IndexEntry(
                    article=article,
                    public_id=article.public_id,
                    label=name[:200],
                    see=title,
                    letter=letter(name),
                    sort_key=sort_key(name)[:200],
                )
            )
    return lines


class IndexLine(NamedTuple):
    label: str
    public_id: str
    see: str  # the article's title when ``label`` is another name for it


def index_page(index_letter: str) -> list[IndexLine]:
    """Sorted here, not by the database: collations differ (some ignore spaces), readers do not."""
    rows = IndexEntry.objects.filter(letter=index_letter).values_list("sort_key", "label", "public_id", "see")
    return [IndexLine(label, public_id, see) for _, label, public_id, see in sorted(rows)]


# ---------------------------------------------------------------- looking a name up


def exact(query: str) -> str | None:
    """The id of the live article that ``query`` names exactly (id, title or alternative name)."""
    text = query.strip()
    if not text or len(text) > 200:
        return None
    if re.fullmatch(r"\d{6}", text):
        return SearchEntry.objects.filter(public_id=text).values_list("public_id", flat=True).first()
    key = sort_key(text)  # the same folding of case, accents and punctuation as the index
    if not key:
        return None
    # The letter follows from the key: with it, the (letter, sort_key) index finds the line.
    found = IndexEntry.objects.filter(letter=letter(text), sort_key=key).order_by("see")
    return found.values_list("public_id", flat=True).first()


def suggestions(query: str, limit: int = 5) -> list[IndexEntry]:
    """Index lines with a word that starts like one of the query's, for a page with no results."""
    keys = [sort_key(word) for word in re.findall(r"\w+", query[:MAX_QUERY_LENGTH])][:MAX_TERMS]
    found: list[IndexEntry] = []
    for key in keys:
        if len(key) < 2:
            continue
        for line in IndexEntry.objects.filter(sort_key__contains=key[:4]).order_by("sort_key")[:limit]:
            if line not in found:
                found.append(line)
    return found[:limit]


def typeahead(query: str, limit: int = 8) -> list[dict]:
    """Search-as-you-type: index lines whose sort key starts with what was typed so far."""
    key = sort_key(query[:100])
    if not key:
        return []
    lines = IndexEntry.objects.filter(sort_key__startswith=key).order_by("sort_key")[:limit]
    return [{"label": line.label, "see": line.see, "id": line.public_id} for line in lines]
