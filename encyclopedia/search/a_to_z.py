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

from django.db import connections, models, router

from encyclopedia import editions, paths
from encyclopedia.models import Article, IndexEntry, SearchEntry
from encyclopedia.search.query import MAX_QUERY_LENGTH, MAX_TERMS

LETTERS = paths.LETTERS
SPANISH_LETTERS = paths.SPANISH_LETTERS

# "ñ" in a Spanish key: "n" then "{", the character after "z", so "ñ" sorts after "n" followed
# by any letter and before "o", as the Spanish alphabet has it ("uno" < "uña" < "uretra").
_ENYE = "n{"


def sort_key(label: str, language: str = editions.ENGLISH) -> str:
    """How readers expect an index sorted: case, accents, punctuation and a leading "The" ignored.

    In Spanish (``spanish_sort_key``), "ñ" is a letter of its own after "n".
    """
    if language == editions.SPANISH:
        return spanish_sort_key(label)
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^the\s+|,\s*the$", "", text.strip())  # "The thyroid" and "Thyroid, the"
    text = re.sub(r"[^a-z0-9 ]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def spanish_sort_key(label: str) -> str:
    """The order of a Spanish index, as the Real Academia Española's alphabet (2010) has it.

    - "ñ" is a letter of its own, after "n" ("nuca", "nutrición", "ñame", "obesidad");
    - accented vowels and "ü" sort as their base letter ("Úlcera" under U, beside "uña");
    - "ch" and "ll" are two letters each, no longer letters of their own ("chancro" under C,
      between "cefalea" and "ciática").

    Case and punctuation are ignored, as in English. A small pure-Python key rather than ICU's
    Spanish collation (PyICU): these three rules are all the index needs, and ICU is a C++
    library to build on every machine; the key is also stored and looked up (``exact``,
    ``typeahead``), so it must be a plain string.
    """
    text = unicodedata.normalize("NFC", label).lower().replace("ñ", _ENYE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9{ ]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def letter(label: str, language: str = editions.ENGLISH) -> str:
    """The index letter ``label`` is listed under: "A"…"Z" (and "Ñ" in Spanish), else "0-9"."""
    return _key_letter(sort_key(label, language))


def _key_letter(key: str) -> str:
    """The index letter of a sort key (``letter``'s, for a label whose key is already known)."""
    if key.startswith(_ENYE):
        return "Ñ"
    first = key[:1].upper()
    return first if "A" <= first <= "Z" else "0-9"


def index_lines(article: Article, title: str, names: list[str]) -> list[IndexEntry]:
    """The (unsaved) lines of ``article``: its title, and each other name that sorts apart from it,
    in the index of the article's edition."""
    language = getattr(article, "language", editions.ENGLISH)

    def line(label: str, see: str = "") -> IndexEntry:
        return IndexEntry(
            article=article,
            public_id=article.public_id,
            language=language,
            label=label[:200],
            see=see,
            letter=letter(label, language),
            sort_key=sort_key(label, language)[:200],
        )

    title_key = sort_key(title, language)
    return [line(title), *(line(name, title) for name in names if sort_key(name, language) != title_key)]


class IndexLine(NamedTuple):
    label: str
    public_id: str
    see: str  # the article's title when ``label`` is another name for it


def index_page(index_letter: str, language: str = editions.ENGLISH) -> list[IndexLine]:
    """Sorted here, not by the database: collations differ (some ignore spaces), readers do not.

    So the query asks for no order (``order_by()`` drops the model's): sorting the largest
    letter's 4,000 lines in the database took as long as the rest of the query, for nothing.
    """
    lines = IndexEntry.objects.filter(language=language, letter=index_letter).order_by()
    rows = lines.values_list("sort_key", "label", "public_id", "see")
    return [IndexLine(label, public_id, see) for _, label, public_id, see in sorted(rows)]


# ---------------------------------------------------------------- looking a name up


# Every search asks ``exact`` first, so its two lookups are written out once rather than built
# by the ORM on each call (which cost some 0.2 ms, ten times the query). The table names are the
# models' own; the values are parameters.
_EXACT_ID = "SELECT public_id FROM {table} WHERE public_id = %s AND language = %s LIMIT 1"
_EXACT_NAME = (
    "SELECT public_id FROM {table} WHERE language = %s AND letter = %s AND sort_key = %s ORDER BY see LIMIT 1"
)


def exact(query: str, language: str = editions.ENGLISH) -> str | None:
    """The id of the live article that ``query`` names exactly (id, title or alternative name),
    in ``language``'s edition."""
    text = query.strip()
    if not text or len(text) > 200:
        return None
    if re.fullmatch(r"\d{6}", text):
        return _first(SearchEntry, _EXACT_ID, [text, language])
    key = sort_key(text, language)  # the same folding of case, accents and punctuation as the index
    if not key:
        return None
    # The letter follows from the key: with it, the (language, letter, sort_key) index finds the line.
    return _first(IndexEntry, _EXACT_NAME, [language, _key_letter(key), key])


def _first(model: type[models.Model], sql: str, params: list[str]) -> str | None:
    """The first value the query finds in ``model``'s table, on the database ``model`` is read from."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql.format(table=model._meta.db_table), params)
        row = cursor.fetchone()
    return row[0] if row else None


def suggestions(query: str, limit: int = 5, language: str = editions.ENGLISH) -> list[IndexEntry]:
    """Index lines with a word that starts like one of the query's, for a page with no results."""
    words = re.findall(r"\w+", query[:MAX_QUERY_LENGTH])
    keys = [sort_key(word, language) for word in words][:MAX_TERMS]
    found: list[IndexEntry] = []
    for key in keys:
        if len(key) < 2:
            continue
        lines = IndexEntry.objects.filter(language=language, sort_key__contains=key[:4]).order_by("sort_key")
        for line in lines[:limit]:
            if line not in found:
                found.append(line)
    return found[:limit]


def typeahead(query: str, limit: int = 8, language: str = editions.ENGLISH) -> list[dict]:
    """Search-as-you-type: index lines whose sort key starts with what was typed so far."""
    key = sort_key(query[:100], language)
    if not key:
        return []
    # A line starting with the key is under the key's letter (the index's (language, letter) part
    # finds them; a prefix alone read all 40,000 lines of a 10,000-article index): a Spanish "n"
    # also starts the "ñ" lines.
    letters = [letter(query[:100], language)]
    if language == editions.SPANISH and _ENYE.startswith(key):
        letters.append("Ñ")
    found = IndexEntry.objects.filter(language=language, letter__in=letters, sort_key__startswith=key)
    lines = found.order_by("sort_key")[:limit]
    return [{"label": line.label, "see": line.see, "id": line.public_id} for line in lines]
