"""Search and the A–Z index, over live publications only.

Use it as ``from encyclopedia import search`` and ``search.X``. What the rest of the project
uses, and where each lives:

``indexing.py``: keeping the indexes
    ``on_publication_changed`` and ``forget_deleted``: signal receivers (connected in
    ``encyclopedia/apps.py``) that rewrite or drop an article's search entry and A–Z lines in
    the same transaction; ``rebuild()`` writes everything again.

``a_to_z.py``: the A–Z index
    ``LETTERS``, ``letter()``, ``sort_key()``, ``index_page()`` (a letter's lines, each an
    ``IndexLine``); and names looked up in it: ``exact()`` (the article a query names),
    ``suggestions()`` (for a search with no results), ``typeahead()`` (search-as-you-type).

``query.py``: reading the reader's query
    ``clean()``; and, for ``indexing`` and ``backends``, ``parse()`` (into ``Term`` objects),
    ``fold()`` and the ``STOP_WORDS`` (read from ``stopwords.txt``: PostgreSQL's English list).

``backends.py``: searching
    ``search(query, page)``: one page of ranked ``Results``, from SQLite FTS5 or PostgreSQL
    (weighted ``tsvector``, GIN index), whichever the connection is. Both read a query the same
    way (words, "quoted phrases", ``prefix*``, anything else ignored), so no query can fail.

Each edition (English, Spanish) has its own index lines and search entries (their ``language``):
every function takes the edition, English by default; the Spanish index sorts in Spanish order
(``a_to_z.spanish_sort_key``, which ``sort_key`` calls for that edition) and Spanish search stems and folds Spanish words (``backends``).

Nothing here reads or bumps a cache or tells the CDN: ``encyclopedia.caching`` does, another
receiver of ``publication_changed``. What a search shows (the article a query names, or a page
of results) is kept in the cache by the search view (``views._search_answer``, under
``caching.keys.search_results``), not here.
This file only re-exports; the code is in the modules.
"""

from encyclopedia.search.a_to_z import (
    LETTERS,
    IndexLine,
    exact,
    index_page,
    letter,
    sort_key,
    suggestions,
    typeahead,
)
from encyclopedia.search.backends import Results, search
from encyclopedia.search.indexing import forget_deleted, on_publication_changed, rebuild
from encyclopedia.search.query import clean

__all__ = [
    "LETTERS",
    "IndexLine",
    "Results",
    "clean",
    "exact",
    "forget_deleted",
    "index_page",
    "letter",
    "on_publication_changed",
    "rebuild",
    "search",
    "sort_key",
    "suggestions",
    "typeahead",
]
