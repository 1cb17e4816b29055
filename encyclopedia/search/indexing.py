"""Keeping the indexes: the search entries and A–Z lines follow what is live.

``on_publication_changed`` listens to ``publication_changed`` (sent by every publish, approval,
confirmation, withdrawal, merge, restore, deletion and import) and rewrites those articles'
search entries, index lines and Infobutton code entries (``code_entries``) in the same
transaction; ``forget_deleted`` listens to an article's ``pre_delete``. Both are connected in ``encyclopedia/apps.py``. ``rebuild`` writes
everything again (``manage.py rebuild_search_index``, after a restore from backup).

PostgreSQL keeps a stored, weighted ``tsvector`` on each entry (title A, names B, summary C,
body D), written by the INSERT itself, in the configuration of the article's edition
(``english`` or ``spanish``), and its ``head`` (the same without the body, which picks the
matches to rank: ``backends``); SQLite keeps an FTS5 table of the same columns per edition,
``encyclopedia_search_fts`` (English, accents folded here) and ``encyclopedia_search_fts_es``
(Spanish: each word's stem, ``query.spanish_stems``, so its snippets are made from the entry's
text: ``backends``), whose rows are written here next to the entries. Caches are
neither read nor bumped here: another receiver of the same signal (``encyclopedia.caching.cdn``)
bumps the generations.
"""

from __future__ import annotations

import html
import re

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

from encyclopedia import markup
from encyclopedia.models import Article, CodeEntry, IndexEntry, Language, SearchEntry
from encyclopedia.search.a_to_z import index_lines
from encyclopedia.search.backends import FTS_TABLES, TEXT_SEARCH_CONFIG
from encyclopedia.search.query import fold, spanish_stems


def sync(article: Article) -> None:
    """Make the search entry and A–Z lines of ``article`` match what is live now."""
    sync_many([article])


def sync_many(articles: list[Article]) -> None:
    """``sync`` for several articles at once (an import's batch), in a few queries in all.

    Each article's entry and lines are what ``sync`` alone would write.
    """
    pks = list(dict.fromkeys(article.pk for article in articles))
    if not pks:
        return
    found = Article.objects.select_related("live_publication", "taken_down_publication").in_bulk(pks)
    if len(found) != len(pks):
        raise Article.DoesNotExist(f"No article with id {sorted(set(pks) - set(found))}.")
    fresh = [found[pk] for pk in pks]
    _remove(pks)
    entries, lines, codes = [], [], []
    for article in fresh:
        codes += code_entries(article)
        publication = article.live_publication
        if publication is None or article.withdrawn_at is not None or article.merged_into_id is not None:
            continue
        entry = SearchEntry(
            article=article,
            public_id=article.public_id,
            language=article.language,
            title=publication.title,
            names="; ".join(publication.alternative_names),
            summary=markup.plain_text(publication.summary_html),
            body=" ".join(markup.plain_text(s["heading"] + ". " + s["html"]) for s in publication.sections),
        )
        if connection.vendor == "postgresql":
            entry.vector, entry.head = _vector(entry), _vector(entry, body=False)  # computed by the INSERT
        entries.append(entry)
        lines += index_lines(article, publication.title, publication.alternative_names)
    SearchEntry.objects.bulk_create(entries)
    _index_text(entries)
    IndexEntry.objects.bulk_create(lines)
    CodeEntry.objects.bulk_create(codes)


def code_entries(article: Article) -> list[CodeEntry]:
    """The Infobutton lookup rows of ``article``: the codes of its live publication; for a
    merged article, those of the publication live at the merge (they answer with the article
    it was merged into); none for a withdrawn one or a draft, nor for a Spanish edition (the
    Infobutton service answers with English articles)."""
    if article.language == Language.SPANISH:
        return []
    if article.merged_into_id is not None:
        publication = article.taken_down_publication
    elif article.withdrawn_at is None:
        publication = article.live_publication
    else:
        publication = None
    if publication is None:
        return []
    return [
        CodeEntry(article=article, system=code["system"], code=code["code"], position=position)
        for position, code in enumerate(publication.codes)
    ]


def on_publication_changed(sender, articles: list[Article], **kwargs) -> None:
    """``publication_changed``: the indexes follow what is live, in the same transaction."""
    sync_many(articles)


def forget_deleted(sender, instance: Article, **kwargs) -> None:
    """``pre_delete`` of an article: SQLite's full-text row has no foreign key to cascade."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in FTS_TABLES.values():
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [instance.pk])  # noqa: S608 - fixed names


def rebuild() -> int:
    """Rebuild everything from the live publications (after a restore from backup, say)."""
    _remove(None)
    count = 0
    for article in (Article.objects.live() | Article.objects.filter(merged_into__isnull=False)).only("pk"):
        sync(article)
        count += 1
    return count


def _remove(pks: list[int] | None) -> None:
    """Drop the entries and lines of the articles ``pks`` (``None``: of every article)."""
    entries = SearchEntry.objects.all() if pks is None else SearchEntry.objects.filter(pk__in=pks)
    lines = IndexEntry.objects.all() if pks is None else IndexEntry.objects.filter(article_id__in=pks)
    codes = CodeEntry.objects.all() if pks is None else CodeEntry.objects.filter(article_id__in=pks)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in FTS_TABLES.values():
                if pks is None:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                else:
                    marks = ", ".join(["%s"] * len(pks))
                    cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", pks)  # noqa: S608 - placeholders only
    entries.delete()
    lines.delete()
    codes.delete()


def _folded(entry: SearchEntry) -> tuple[str, str, str, str]:
    return fold(entry.title), fold(entry.names), fold(entry.summary), fold(entry.body)


def _vector(entry: SearchEntry, body: bool = True) -> SearchVector:
    """PostgreSQL's weighted ``tsvector`` of an entry: title A, names B, summary C, body D, in its
    edition's configuration (accents folded: neither configuration removes them). Without the
    body it is the entry's ``head``: the same lexemes and positions as ``vector`` weighted A–C."""
    title, names, summary, text = _folded(entry)
    config = TEXT_SEARCH_CONFIG[entry.language]
    vector = (
        SearchVector(Value(title), weight="A", config=config)
        + SearchVector(Value(names), weight="B", config=config)
        + SearchVector(Value(summary), weight="C", config=config)
    )
    return vector + SearchVector(Value(text), weight="D", config=config) if body else vector


def _index_text(entries: list[SearchEntry]) -> None:
    """SQLite's full-text rows of saved entries (PostgreSQL's vector is written with the entry):
    English folded here, Spanish as its words' stems (``spanish_stems``: matched whole)."""
    if connection.vendor != "sqlite" or not entries:
        return
    english = [[entry.pk, *_folded(entry)] for entry in entries if entry.language != Language.SPANISH]
    spanish = [
        [entry.pk, *(spanish_stems(text) for text in (entry.title, entry.names, entry.summary, entry.body))]
        for entry in entries
        if entry.language == Language.SPANISH
    ]
    with connection.cursor() as cursor:
        for language, rows in ((Language.ENGLISH, english), (Language.SPANISH, spanish)):
            if rows:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLES[language]} (rowid, title, names, summary, body) "  # noqa: S608 - fixed names
                    "VALUES (%s, %s, %s, %s, %s)",
                    rows,
                )


def _text(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities read, whitespace run together."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()
