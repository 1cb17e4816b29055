"""Searching: ``search()`` and the raw SQL of its two backends, SQLite FTS5 and PostgreSQL.

``search`` parses the query (``query.parse``), picks the backend of the connection's database
and returns one page of ranked ``Results``, title first, then names, summary and body (bm25()
column weights on SQLite, setweight A–D on PostgreSQL). Each backend turns the terms into its
own query syntax (``_fts_query``, ``_ts_query``) and marks the matches in the snippets; the
snippets are escaped HTML with ``<mark>`` around the matches.

Each edition is searched alone (``language``). The Spanish edition: PostgreSQL's ``spanish``
configuration (Snowball stemming, Spanish stop words) over the entries marked ``es``; on SQLite
its own FTS5 table (``encyclopedia_search_fts_es``) holds each word's Spanish stem (Snowball,
``snowballstemmer``, accents off: ``query.spanish_stems``), and each query word is stemmed the
same way and matched whole: "síntomas" finds "sintoma", "nino" finds "niño" and "niños", and
"nino" does not find "ningún" (stem "ningun"). That table holds stems, not the words, so the
Spanish snippets are made here from the entry's text (``_snippet``), on both databases
(PostgreSQL's ts_headline reads "niños" unfolded, whose stem is not the query's), as are those
of an English body on SQLite, where FTS5's own took 100 ms on the longest article allowed. A
snippet made here is made from a bounded window of its text: the rest is only searched, with
``str.find``, for the first match.
"""

from __future__ import annotations

import heapq
import html
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection

from encyclopedia.models import Language
from encyclopedia.search.query import WORD, Term, english_stem, fold, parse, spanish_stem

PAGE_SIZE = 10
_START, _STOP = "\x02", "\x03"  # around the matches in the databases' snippets, until escaped


@dataclass
class Result:
    public_id: str
    title: str
    snippet: str  # escaped HTML with <mark> around the matches
    names: str


@dataclass
class Results:
    results: list[Result]
    total: int
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


# Each edition's text-search configuration on PostgreSQL, and its FTS5 table on SQLite.
TEXT_SEARCH_CONFIG = {Language.ENGLISH: "english", Language.SPANISH: "spanish"}
FTS_TABLES = {Language.ENGLISH: "encyclopedia_search_fts", Language.SPANISH: "encyclopedia_search_fts_es"}


def search(query: str, page: int = 1, language: str = Language.ENGLISH) -> Results:
    """Ranked results for ``query`` (title first, then names, summary, body) in ``language``'s
    edition; never raises."""
    language = Language.SPANISH if language == Language.SPANISH else Language.ENGLISH
    terms = parse(query, language)
    if not terms:
        return Results([], 0, 1, 0)
    page = max(1, page)
    run = _search_postgresql if connection.vendor == "postgresql" else _search_sqlite
    total, rows = run(terms, (page - 1) * PAGE_SIZE, language)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the last page: show the last one
        page = pages
        total, rows = run(terms, (page - 1) * PAGE_SIZE, language)
    return Results(rows, total, page, pages)


def escape_marked(text: str) -> str:
    return html.escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")


# ---------------------------------------------------------------- SQLite: FTS5


def spanish_terms(terms: list[Term]) -> list[Term]:
    """SQLite's Spanish query: each word as its stem, as the Spanish table holds them ("síntomas"
    and "sintoma": ``sintom``), matched whole; a phrase's words are stemmed each and stay side by
    side; a prefix the reader typed (``nin*``) stays a prefix of the stems. PostgreSQL's
    ``spanish`` configuration stems the query itself."""
    found = [
        Term(tuple(spanish_stem(word) or word for word in term.words), prefix=term.prefix) for term in terms
    ]
    return list(dict.fromkeys(found))


def _fts_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words).replace('"', "") + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " ".join(parts)


def _search_sqlite(
    terms: list[Term], offset: int, language: str = Language.ENGLISH
) -> tuple[int, list[Result]]:
    if language == Language.SPANISH:
        terms = spanish_terms(terms)
    match = _fts_query(terms)
    table = FTS_TABLES[language]  # one of two fixed names, never the reader's text
    if language == Language.SPANISH:
        return _search_sqlite_spanish(terms, match, offset)
    with connection.cursor() as cursor:
        cursor.execute(
            _SQLITE_SEARCH,
            {"match": match, "start": _START, "stop": _STOP, "limit": PAGE_SIZE, "offset": offset},
        )
        rows = cursor.fetchall()
        if not rows:  # no match, or a page past the last: count them alone
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [match])  # noqa: S608
            return cursor.fetchone()[0], []
    matches = _Words.of(terms, english_stem)
    results = [
        Result(pid, title, escape_marked(body and _snippet(matches, [body]) or snippet), names)
        for pid, title, names, snippet, body, _ in rows
    ]
    return rows[0][5], results


# One query: the page's matches ranked (bm25() column weights, then the title, then the id, as on
# PostgreSQL), then a snippet for each of those ten only, and the count. The title that breaks
# ties is read only for the matches scoring no worse than the page's last (``cut``, counted
# over the full-text rows that have their entry, as the page is): read and sorted on for every
# match of a broad query it took half the time ("sleep problems", 5,821 matches: 14.8 ms
# before, 7.1 ms since, the same pages in the same order). snippet() scores every place a query
# word stands in a column against the others: on the summary (3,000 characters at most) that is
# quick, on the longest body allowed it took 100 ms ("cramps at night"). So the snippet is the
# summary's, and where the summary has no match the body comes back, for ``_snippet``'s window.
_SQLITE_SEARCH = """
WITH scored AS (
    SELECT rowid AS article_id, bm25({table}, 10.0, 5.0, 2.0, 1.0) AS score
    FROM {table} WHERE {table} MATCH %(match)s
), cut AS (
    SELECT scored.score FROM scored JOIN encyclopedia_searchentry e ON e.article_id = scored.article_id
    ORDER BY scored.score LIMIT 1 OFFSET %(offset)s + %(limit)s - 1
), page AS (
    SELECT scored.article_id, scored.score, e.title
    FROM scored JOIN encyclopedia_searchentry e ON e.article_id = scored.article_id
    WHERE scored.score <= coalesce((SELECT score FROM cut), 1e300)
    ORDER BY scored.score, e.title, scored.article_id
    LIMIT %(limit)s OFFSET %(offset)s
), shown AS MATERIALIZED (
    SELECT page.*, snippet({table}, 2, %(start)s, %(stop)s, '…', 24) AS snippet
    FROM page JOIN {table} ON {table}.rowid = page.article_id
    WHERE {table} MATCH %(match)s
)
SELECT e.public_id, e.title, e.names, shown.snippet,
       CASE WHEN instr(shown.snippet, %(start)s) = 0 THEN e.body END,
       (SELECT count(*) FROM scored)
FROM shown JOIN encyclopedia_searchentry e ON e.article_id = shown.article_id
ORDER BY shown.score, shown.title, shown.article_id
""".format(table=FTS_TABLES[Language.ENGLISH])  # noqa: S608 - a fixed name, never the reader's text


def _search_sqlite_spanish(terms: list[Term], match: str, offset: int) -> tuple[int, list[Result]]:
    """The Spanish table's matches, ranked as the English ones; snippets from the entries' text."""
    table = FTS_TABLES[Language.SPANISH]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [match])  # noqa: S608
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT e.public_id, e.title, e.names, e.summary, e.body "  # noqa: S608 - the table's name is fixed
            f"FROM {table} JOIN encyclopedia_searchentry e ON e.article_id = {table}.rowid "
            f"WHERE {table} MATCH %s ORDER BY bm25({table}, 10.0, 5.0, 2.0, 1.0), e.title, e.article_id "
            "LIMIT %s OFFSET %s",
            [match, PAGE_SIZE, offset],
        )
        rows = cursor.fetchall()
    matches = _Words.of(terms, spanish_stem)
    return total, [
        Result(
            pid, title, escape_marked(_snippet(matches, [summary, body, names]) or _opening(summary)), names
        )
        for pid, title, names, summary, body in rows
    ]


SNIPPET_WORDS = 24  # as SQLite's snippet() makes them for English
_SNIPPET_LEAD_WORDS = 6  # words before the first match, for its context
# A snippet made here is made from a bounded window of its text, as the databases' own cannot be:
# SNIPPET_WINDOW characters from SNIPPET_LEAD before the first word that matches the query.
# Finding it searches the text once, accents off and in lower case, for the words that begin as a
# query word does (a phrase: as its first word does); only those are stemmed, _CANDIDATES at most
# ("ear" begins "early" too), so a match past that many look-alikes shows the summary's opening.
SNIPPET_WINDOW = 1_000  # ts_headline's time grows faster than the text: 2,000 took three times as long
SNIPPET_LEAD = 200  # characters of the window before that first word, for the snippet's context
_CANDIDATES = 256
_CLOSING = 10  # characters of the text's closing punctuation kept after its last word


class _FoldLower(dict):
    """``str.translate``'s table: each character to its fold in lower case where that is one
    character (É → e), else as it is ("…", "ﬁ"), so that a place in the folded text is the same
    place in the text."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = next((c for c in (fold(char).lower(), char.lower()) if len(c) == 1), char)
        if len(self) < 20_000:  # the characters editors type: a few hundred; 2 MB at most
            self[code] = value
        return value


_FOLD_LOWER = _FoldLower()


@dataclass(frozen=True)
class _Words:
    """The query's words as a snippet marks them: a word whose ``stem`` is one of ``stems`` or
    starts with one of ``prefixes``, and the words of a quoted phrase where they stand together
    (``phrases``, their stems, longest first); in a folded text, such a match begins with one of
    ``beginnings``."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    stem: Callable[[str], str]
    beginnings: tuple[str, ...]

    @classmethod
    def of(cls, terms: list[Term], stem: Callable[[str], str]) -> _Words:
        """English terms are words as typed; the Spanish terms are stems already (``spanish_terms``).
        A word's beginning as looked for is what it shares with its stem ("kidneys", "kidnei":
        "kidne", which "kidney" begins with too; "arteries", "arteri": "arter", for "artery")."""
        stems, prefixes, phrases, beginnings = set(), set(), set(), set()
        stemmed_already = stem is spanish_stem
        for term in terms:
            words = [w.lower() for typed in term.words for w in WORD.findall(typed)]
            if not words:
                continue
            stemmed = tuple(word if stemmed_already else stem(word) for word in words)
            if len(words) > 1:  # a phrase ("foo_bar" too: two words, as indexed)
                phrases.add(stemmed)
            elif term.prefix:
                prefixes.update((words[0], stemmed[0]))
            else:
                stems.add(stemmed[0])
            trimmed = stemmed[0] if stemmed_already else stemmed[0].removesuffix("i")  # Porter's y → i
            beginnings.add(os.path.commonprefix([words[0], trimmed]) or words[0])
        longest_first = tuple(sorted(phrases, key=len, reverse=True))
        # A beginning that starts with another is found where that one is: looked for once.
        fewest = {b for b in beginnings if not any(b != o and b.startswith(o) for o in beginnings)}
        return cls(frozenset(stems), tuple(prefixes), longest_first, stem, tuple(fewest))

    def covered(self, words: list[str]) -> int:
        """How many of ``words`` the match that begins with the first covers: a phrase's length, 1
        for a query word, 0 where none begins."""
        for phrase in self.phrases:
            if len(words) >= len(phrase) and all(
                self.stem(w) == s for w, s in zip(words[: len(phrase)], phrase, strict=True)
            ):
                return len(phrase)
        if not words:
            return 0
        found = self.stem(words[0])
        return int(found in self.stems or bool(self.prefixes) and found.startswith(self.prefixes))

    @property
    def longest(self) -> int:
        """The most words a match covers."""
        return len(self.phrases[0]) if self.phrases else 1


def _snippet(matches: _Words, texts: list[str]) -> str | None:
    """About SNIPPET_WORDS words of the first of ``texts`` with a word that ``matches``, each such
    word between _START and _STOP, read from a window of the text; None if none has one."""
    for text in map(_without_marks, texts):
        folded = text.lower() if text.isascii() else text.translate(_FOLD_LOWER)
        candidates = heapq.merge(*(_word_starts(folded, beginning) for beginning in matches.beginnings))
        for at in itertools.islice(candidates, _CANDIDATES):
            following = [w[0] for w in itertools.islice(WORD.finditer(text, at), matches.longest)]
            if matches.covered(following) and (snippet := _around(text, at, matches)):
                return snippet
    return None


def _word_starts(folded: str, beginning: str) -> Iterator[int]:
    """Where a word of ``folded`` begins with ``beginning``, in order (``str.find``: the text is
    read at C's speed, and only the places it stands are looked at here)."""
    at = folded.find(beginning)
    while at >= 0:
        if not at or not folded[at - 1].isalnum():
            yield at
        at = folded.find(beginning, at + 1)


def _window(text: str, start: int) -> list[tuple[int, int]]:
    """Where the words of the window from ``start`` stand in ``text``, but a word either of its
    edges cuts in two."""
    end = start + SNIPPET_WINDOW
    spans = [(begin + start, stop + start) for begin, stop in _spans(text[start:end])]
    if spans and start and text[start - 1].isalnum():
        spans.pop(0)
    if spans and end < len(text) and text[end].isalnum():
        spans.pop()
    return spans


def _around(text: str, at: int, matches: _Words) -> str | None:
    """The snippet of the window around the word at ``at``, which matches."""
    spans = _window(text, max(0, at - SNIPPET_LEAD))
    hit = next((index for index, (begin, _) in enumerate(spans) if begin == at), None)
    return None if hit is None else _cut(text, spans, hit, matches)


def _opening(text: str) -> str:
    """The text's first SNIPPET_WORDS words: the snippet of a result matching elsewhere."""
    text = _without_marks(text)
    if spans := _window(text, 0):
        return _cut(text, spans)
    return text[:SNIPPET_WINDOW] + ("…" if len(text) > SNIPPET_WINDOW else "")


def _without_marks(text: str) -> str:
    """The text without the characters that stand for <mark> and </mark> (an editor's paste)."""
    return text.replace(_START, "").replace(_STOP, "")


def _cut(text: str, spans: list[tuple[int, int]], hit: int = 0, matches: _Words | None = None) -> str:
    """SNIPPET_WORDS of the words at ``spans`` from a little before word ``hit``, those that
    ``matches`` covers marked; "…" where the text goes on."""
    first = max(0, hit - _SNIPPET_LEAD_WORDS)
    last = min(len(spans), first + SNIPPET_WORDS)  # one past the snippet's last word
    words = [text[begin:end] for begin, end in spans[first : last + (matches.longest if matches else 0)]]
    parts, marking = [], 0  # how many words from here on a match covers
    for index in range(first, last):
        if matches and index >= hit and not marking:
            marking = matches.covered(words[index - first : index - first + matches.longest])
        word = words[index - first]
        parts.append(f"{_START}{word}{_STOP}" if marking else word)
        marking = max(0, marking - 1)
        parts.append(text[spans[index][1] : spans[index + 1][0]] if index + 1 < last else "")
    end = spans[last - 1][1]
    more = WORD.search(text, end) is not None
    if not more:
        parts.append(text[end : end + _CLOSING].rstrip())  # the text's closing punctuation
    earlier = WORD.search(text, 0, spans[first][0]) is not None
    return ("…" if earlier else "") + "".join(parts) + ("…" if more else "")


def _spans(text: str) -> list[tuple[int, int]]:
    """Where each word of ``text`` stands, as the full-text indexes read words."""
    return [(found.start(), found.end()) for found in WORD.finditer(text)]


# ---------------------------------------------------------------- PostgreSQL: tsvector and tsquery


def _ts_query(terms: list[Term], operator: str = "&") -> str:
    """The terms as a ``tsquery``: all of them (``&``), or any of them (``|``)."""
    parts = []
    for term in terms:
        words = [
            f"'{word}'" + (":*" if term.prefix and i == len(term.words) - 1 else "")
            for i, word in enumerate(term.words)
        ]
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return f" {operator} ".join(parts)


# ts_headline parses the whole text it is given, every time: on the longest article allowed
# (encyclopedia.limits, 150,000 characters) that is some 50 ms per result, and a 2 MB body once
# took seconds. So a snippet is made from a bounded window of the text, as ``_snippet``'s: here
# from the first place a query word appears as typed (lower case), or from the start when none
# does (a match only through its stem, or an accented word). The body is lowered in the "C"
# collation, ASCII letters only (the query's words are folded to ASCII anyway): ten times faster
# than the locale's lower() on the longest body.

# Ranking reads each match's whole vector (body and all, kept out of the row), and a broad query
# matches most articles: "sleep problems" matches 5,821 of 10,000, and ranking them all took
# 140 ms. So only a bounded set is ranked. The matches whose head (title A, names B, summary C:
# a column of its own, in the row, with its own GIN index) holds any of the query's terms come
# first, in order of how much of the query it holds (ts_rank of the head); the other matches
# follow in title order, and are read only when the first are too few. The first RANKED of that
# order are ranked as before, on their whole vectors, and make the first pages; the pages after
# them follow that order. RANKED is whole pages, so no page is partly of each.
RANKED = 5 * PAGE_SIZE

# The tsqueries are given as sub-selects, so the planner does not estimate how many articles a
# query matches: for a broad one it would read every row's vector (a sequential scan, 80 ms)
# rather than ask the GIN indexes, whose answer needs no vector at all. The planner does not see
# that reading the vectors means reading TOAST: it prefers the GIN indexes only while their cost
# is small, so they keep no pending list (migration 0023; with one, 1,000 articles written since
# the last VACUUM turned every search into two sequential scans). The count reads every
# match's row, without its vector. {config} and {language} are one of TEXT_SEARCH_CONFIG's
# fixed pairs, never the reader's text; {rank} is one of the two expressions below.
_POSTGRESQL_SEARCH = """
WITH near AS (
    SELECT article_id, title, ts_rank('{{0.1,0.2,0.5,1.0}}', head, (SELECT to_tsquery('{config}', %(any)s))) AS near
    FROM encyclopedia_searchentry
    WHERE vector @@ (SELECT to_tsquery('{config}', %(query)s)) AND language = '{language}'
      AND head @@ (SELECT to_tsquery('{config}', %(any)s))
    ORDER BY near DESC, title, article_id
    LIMIT %(first)s
), candidates AS (
    SELECT article_id, title, near, 0 AS tier FROM near
    UNION ALL (
        SELECT article_id, title, 0, 1
        FROM encyclopedia_searchentry
        WHERE vector @@ (SELECT to_tsquery('{config}', %(query)s)) AND language = '{language}'
          AND (head @@ (SELECT to_tsquery('{config}', %(any)s))) IS NOT TRUE
        ORDER BY title, article_id
        LIMIT greatest(0, %(first)s - (SELECT count(*) FROM near))
    )
), ranked AS (
    SELECT candidates.*, {rank} AS rank
    FROM candidates JOIN encyclopedia_searchentry e ON e.article_id = candidates.article_id
    ORDER BY rank DESC, tier, near DESC, title, article_id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT e.public_id, e.title, e.names, {snippets}
       (SELECT count(*) FROM encyclopedia_searchentry
        WHERE vector @@ (SELECT to_tsquery('{config}', %(query)s)) AND language = '{language}')
FROM ranked JOIN encyclopedia_searchentry e ON e.article_id = ranked.article_id
{lateral}
ORDER BY ranked.rank DESC, ranked.tier, ranked.near DESC, ranked.title, ranked.article_id
"""
_RANKS = {
    True: "ts_rank('{{0.1,0.2,0.5,1.0}}', e.vector, (SELECT to_tsquery('{config}', %(query)s)))",
    False: "0",  # past the ranked pages: the order of the heads, then of the titles
}

# English snippets are ts_headline's. The Spanish ones are made by ``_snippet`` from the texts, as on
# SQLite: ts_headline reads "niños" unfolded, whose stem is not the folded query's ("nin").
_SNIPPETS = {
    Language.ENGLISH: (
        """summary.snippet,
       CASE WHEN strpos(summary.snippet, %(start)s) = 0 THEN (
           SELECT ts_headline('{config}', substr(e.body, found.start, %(window)s), to_tsquery('{config}', %(query)s), %(options)s)
           FROM (
               SELECT greatest(1, coalesce(min(nullif(strpos(lowered.body, word), 0)), 1) - %(lead)s) AS start
               FROM (SELECT lower(e.body COLLATE "C") AS body) AS lowered, unnest(%(words)s::text[]) AS word
           ) AS found
       ) END,""",
        """CROSS JOIN LATERAL (
    SELECT ts_headline('{config}', left(e.summary, %(window)s), to_tsquery('{config}', %(query)s), %(options)s) AS snippet
) AS summary""",
    ),
    Language.SPANISH: ("e.summary, e.body,", ""),
}

_POSTGRESQL_SEARCHES = {
    (language, ranked): _POSTGRESQL_SEARCH.format(
        config=config,
        language=language,
        rank=_RANKS[ranked].format(config=config),
        snippets=_SNIPPETS[language][0].format(config=config),
        lateral=_SNIPPETS[language][1].format(config=config),
    )
    for language, config in TEXT_SEARCH_CONFIG.items()
    for ranked in (True, False)
}
_POSTGRESQL_COUNTS = {
    language: "SELECT count(*) FROM encyclopedia_searchentry "  # noqa: S608 - fixed names only
    f"WHERE vector @@ (SELECT to_tsquery('{config}', %(query)s)) AND language = '{language}'"
    for language, config in TEXT_SEARCH_CONFIG.items()
}


def _search_postgresql(
    terms: list[Term], offset: int, language: str = Language.ENGLISH
) -> tuple[int, list[Result]]:
    """One query: the count, the matches in the order of their heads, the first RANKED of them
    ranked on their whole vectors, and snippets for one page only."""
    query = _ts_query(terms)
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15"
    words = list(dict.fromkeys(word for term in terms for word in term.words))
    ranked = offset < RANKED
    params = {
        "query": query,
        "any": _ts_query(terms, "|"),
        "first": RANKED if ranked else offset + PAGE_SIZE,
        "limit": PAGE_SIZE,
        "offset": offset,
        "options": options,
        "window": SNIPPET_WINDOW,
        "lead": SNIPPET_LEAD,
        "words": words,
        "start": _START,
    }
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_SEARCHES[language, ranked], params)
        rows = cursor.fetchall()
        if not rows:  # no match, or a page past the last: count them alone
            cursor.execute(_POSTGRESQL_COUNTS[language], {"query": query})
            return cursor.fetchone()[0], []
    results = []
    spanish = _Words.of(spanish_terms(terms), spanish_stem) if language == Language.SPANISH else None
    for public_id, title, names, snippet, body_snippet, _ in rows:
        if spanish:  # the entry's summary and body
            best = _snippet(spanish, [snippet, body_snippet, names]) or _opening(snippet)
        else:
            best = snippet if _START in snippet or _START not in (body_snippet or "") else body_snippet
        results.append(Result(public_id, title, escape_marked(best), names))
    return rows[0][5], results
