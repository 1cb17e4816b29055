"""Search and the A–Z index over live publications only.

``sync_many`` runs whenever an article's live publication changes (it listens to
``publication_changed``, sent by every publish, approval, confirmation, withdrawal, merge,
restore, deletion and import); it rewrites those articles' search entries and index lines. PostgreSQL ranks with a stored, weighted ``tsvector`` and a GIN
index; SQLite ranks with an FTS5 table of the same columns. Both read the reader's query
the same way: words, "quoted phrases" and ``prefix*``, anything else ignored, so no query
can fail.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Value

from encyclopedia import generations, paths
from encyclopedia.models import Article, IndexEntry, SearchEntry

# Column weights, title first: bm25() on SQLite, setweight A–D on PostgreSQL.
PAGE_SIZE = 10
MAX_QUERY_LENGTH = 500
MAX_TERMS = 12
_START, _STOP = "\x02", "\x03"
GENERATION = generations.LIVE


# ---------------------------------------------------------------- keeping the index


def sync(article: Article) -> None:
    """Make the search entry and A–Z lines of ``article`` match what is live now."""
    sync_many([article])


def sync_many(articles: list[Article]) -> None:
    """``sync`` for several articles at once (an import's batch), in a few queries in all.

    Each article's entry and lines are what ``sync`` alone would write; the cached pages'
    generation is bumped once.
    """
    pks = list(dict.fromkeys(article.pk for article in articles))
    if not pks:
        return
    found = Article.objects.select_related("live_publication").in_bulk(pks)
    if len(found) != len(pks):
        raise Article.DoesNotExist(f"No article with id {sorted(set(pks) - set(found))}.")
    fresh = [found[pk] for pk in pks]
    _remove(pks)
    entries, lines = [], []
    for article in fresh:
        publication = article.live_publication
        if publication is None or article.withdrawn_at is not None or article.merged_into_id is not None:
            continue
        entry = SearchEntry(
            article=article,
            public_id=article.public_id,
            title=publication.title,
            names="; ".join(publication.alternative_names),
            summary=_text(publication.summary_html),
            body=" ".join(_text(s["heading"] + ". " + s["html"]) for s in publication.sections),
        )
        if connection.vendor == "postgresql":
            entry.vector = _vector(entry)  # computed by the INSERT itself
        entries.append(entry)
        lines += _index_lines(article, publication.title, publication.alternative_names)
    SearchEntry.objects.bulk_create(entries)
    _index_text(entries)
    IndexEntry.objects.bulk_create(lines)


def on_publication_changed(sender, articles: list[Article], **kwargs) -> None:
    """``publication_changed``: the indexes follow what is live, in the same transaction."""
    sync_many(articles)


def rebuild() -> int:
    """Rebuild everything from the live publications (after a restore from backup, say)."""
    _remove(None)
    count = 0
    for article in Article.objects.filter(live_publication__isnull=False).only("pk"):
        sync(article)
        count += 1
    return count


def _remove(pks: list[int] | None) -> None:
    """Drop the entries and lines of the articles ``pks`` (``None``: of every article)."""
    entries = SearchEntry.objects.all() if pks is None else SearchEntry.objects.filter(pk__in=pks)
    lines = IndexEntry.objects.all() if pks is None else IndexEntry.objects.filter(article_id__in=pks)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            if pks is None:
                cursor.execute("DELETE FROM encyclopedia_search_fts")
            else:
                marks = ", ".join(["%s"] * len(pks))
                cursor.execute(f"DELETE FROM encyclopedia_search_fts WHERE rowid IN ({marks})", pks)  # noqa: S608 - placeholders only
    entries.delete()
    lines.delete()


def _folded(entry: SearchEntry) -> tuple[str, str, str, str]:
    return fold(entry.title), fold(entry.names), fold(entry.summary), fold(entry.body)


def _vector(entry: SearchEntry) -> SearchVector:
    """PostgreSQL's weighted ``tsvector`` of an entry: title A, names B, summary C, body D."""
    title, names, summary, body = _folded(entry)
    return (
        SearchVector(Value(title), weight="A", config="english")
        + SearchVector(Value(names), weight="B", config="english")
        + SearchVector(Value(summary), weight="C", config="english")
        + SearchVector(Value(body), weight="D", config="english")
    )


def _index_text(entries: list[SearchEntry]) -> None:
    """SQLite's full-text rows of saved entries (PostgreSQL's vector is written with the entry)."""
    if connection.vendor == "sqlite" and entries:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO encyclopedia_search_fts (rowid, title, names, summary, body) VALUES (%s, %s, %s, %s, %s)",
                [[entry.pk, *_folded(entry)] for entry in entries],
            )


def forget_deleted(sender, instance: Article, **kwargs) -> None:
    """``pre_delete`` of an article: SQLite's full-text row has no foreign key to cascade."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM encyclopedia_search_fts WHERE rowid = %s", [instance.pk])


def generation() -> int:
    """Changes whenever anything live changes: part of the key of every cached public page."""
    return generations.current(GENERATION)


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


# ---------------------------------------------------------------- the A–Z index


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


LETTERS = paths.LETTERS


def _index_lines(article: Article, title: str, names: list[str]) -> list[IndexEntry]:
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


# ---------------------------------------------------------------- reading a query


def clean(query: str) -> str:
    """The reader's query, cut to length and without control characters (NUL included)."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", query[:MAX_QUERY_LENGTH]).strip()


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # several words: a phrase
    prefix: bool = False


# PostgreSQL's English configuration drops these words; SQLite is told to do the same, so that
# the same query finds the same articles on both.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "did",
        "do",
        "does",
        "doing",
        "don",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "s",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


def fold(text: str) -> str:
    """Accents off (é → e), as both databases then index and search the same letters."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def parse(query: str) -> list[Term]:
    """Words, "quoted phrases" and ``prefix*``; every other character is ignored."""
    query = fold(query[:MAX_QUERY_LENGTH])
    terms: list[Term] = []
    for match in re.finditer(r'"([^"]*)"|(\S+)', query):
        if match.group(1) is not None:
            words = tuple(w.lower() for w in re.findall(r"\w+", match.group(1)))  # a phrase keeps them all
            if words:
                terms.append(Term(words))
            continue
        token = match.group(2)
        prefix = token.endswith("*")
        words = re.findall(r"\w+", token)
        for index, word in enumerate(words):
            last = index == len(words) - 1
            if word.lower() in STOP_WORDS and not (prefix and last):
                continue
            terms.append(Term((word.lower(),), prefix=prefix and last))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def _fts_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words).replace('"', "") + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " ".join(parts)


def _ts_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        words = [
            f"'{word}'" + (":*" if term.prefix and i == len(term.words) - 1 else "")
            for i, word in enumerate(term.words)
        ]
        parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(parts)


# ---------------------------------------------------------------- searching


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


def escape_marked(text: str) -> str:
    return html.escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")


def search(query: str, page: int = 1) -> Results:
    """Ranked results for ``query`` (title first, then names, summary, body); never raises."""
    terms = parse(query)
    if not terms:
        return Results([], 0, 1, 0)
    page = max(1, page)
    run = _search_postgresql if connection.vendor == "postgresql" else _search_sqlite
    total, rows = run(terms, (page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the last page: show the last one
        page = pages
        total, rows = run(terms, (page - 1) * PAGE_SIZE)
    return Results(rows, total, page, pages)


def _search_sqlite(terms: list[Term], offset: int) -> tuple[int, list[Result]]:
    match = _fts_query(terms)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM encyclopedia_search_fts WHERE encyclopedia_search_fts MATCH %s", [match]
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT e.public_id, e.title, e.names, "
            "snippet(encyclopedia_search_fts, -1, %s, %s, '…', 24) "
            "FROM encyclopedia_search_fts JOIN encyclopedia_searchentry e ON e.article_id = encyclopedia_search_fts.rowid "
            "WHERE encyclopedia_search_fts MATCH %s ORDER BY bm25(encyclopedia_search_fts, 10.0, 5.0, 2.0, 1.0), e.title LIMIT %s OFFSET %s",
            [_START, _STOP, match, PAGE_SIZE, offset],
        )
        rows = cursor.fetchall()
    return total, [Result(pid, title, escape_marked(snippet), names) for pid, title, names, snippet in rows]


# The ranking pass carries only ids, titles and ranks: carrying every match's summary and body
# through the count and the sort spilled them to disk (about a third of a broad query's time).
_POSTGRESQL_SEARCH = """
WITH ranked AS (
    SELECT article_id, title,
           ts_rank('{0.1,0.2,0.5,1.0}', vector, query) AS rank,
           count(*) OVER () AS total
    FROM encyclopedia_searchentry, to_tsquery('english', %(query)s) AS query
    WHERE vector @@ query
    ORDER BY rank DESC, title
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT e.public_id, e.title, e.names,
       ts_headline('english', e.summary, to_tsquery('english', %(query)s), %(options)s),
       ts_headline('english', e.body, to_tsquery('english', %(query)s), %(options)s),
       ranked.total
FROM ranked JOIN encyclopedia_searchentry e ON e.article_id = ranked.article_id
ORDER BY ranked.rank DESC, ranked.title
"""


def _search_postgresql(terms: list[Term], offset: int) -> tuple[int, list[Result]]:
    """One pass over the matches: the rank and the total together; snippets for one page only."""
    query = _ts_query(terms)
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15"
    with connection.cursor() as cursor:
        cursor.execute(
            _POSTGRESQL_SEARCH, {"query": query, "limit": PAGE_SIZE, "offset": offset, "options": options}
        )
        rows = cursor.fetchall()
    if not rows:  # no match, or a page past the last: count them alone
        total = SearchEntry.objects.filter(
            vector=SearchQuery(query, search_type="raw", config="english")
        ).count()
        return total, []
    results = []
    for public_id, title, names, snippet, body_snippet, _ in rows:
        best = snippet if _START in snippet or _START not in body_snippet else body_snippet
        results.append(Result(public_id, title, escape_marked(best), names))
    return rows[0][5], results


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
    return IndexEntry.objects.filter(sort_key=key).order_by("see").values_list("public_id", flat=True).first()


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
