"""Reading the reader's query: cleaning it, folding accents, and parsing it into terms.

Plain functions on strings, no database: words, "quoted phrases" and ``prefix*`` become
``Term``s, stop words are dropped, everything else is ignored, so no query can fail. The
backends (``backends.py``) turn the terms into each database's own query syntax.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import snowballstemmer

MAX_QUERY_LENGTH = 500
MAX_TERMS = 12


def fold(text: str) -> str:
    """Accents off (é → e), as both databases then index and search the same letters."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _load_stop_words(name: str = "stopwords.txt") -> frozenset[str]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(fold(line) for line in lines if line and not line.startswith("#"))


# PostgreSQL's English configuration drops these words; SQLite is told to do the same, so that
# the same query finds the same articles on both. The list, and where it comes from: stopwords.txt.
# The Spanish edition's, from PostgreSQL's 'spanish' configuration: stopwords_es.txt.
STOP_WORDS = _load_stop_words()
SPANISH_STOP_WORDS = _load_stop_words("stopwords_es.txt")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # several words: a phrase
    prefix: bool = False


def clean(query: str) -> str:
    """The reader's query, cut to length and without control characters (NUL included)."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", query[:MAX_QUERY_LENGTH]).strip()


def parse(query: str, language: str = "en") -> list[Term]:
    """Words, "quoted phrases" and ``prefix*``; every other character is ignored. The stop words
    dropped are those of ``language``'s edition."""
    stop_words = SPANISH_STOP_WORDS if language == "es" else STOP_WORDS
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
            if word.lower() in stop_words and not (prefix and last):
                continue
            terms.append(Term((word.lower(),), prefix=prefix and last))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


# A word as SQLite's unicode61 tokenizer sees one: letters and digits (the underscore separates).
WORD = re.compile(r"[^\W_]+")


@functools.cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


MAX_STEMMED = 64  # letters: a longer word is taken as it is (no medical word is as long)


@functools.lru_cache(maxsize=4_096)  # both languages; 80 µs a word, pure Python; about 0.8 MB
def _stem(language: str, word: str) -> str:
    return _stemmer(language).stemWord(word)


def english_stem(word: str) -> str:
    """An English word's Porter stem, accents off, as SQLite's ``porter`` tokenizer indexes it:
    "cramps" and "cramping" give "cramp"."""
    word = fold(word).lower()
    return _stem("porter", word) if len(word) <= MAX_STEMMED else word


def spanish_stem(word: str) -> str:
    """A Spanish word's Snowball stem, accents off: "niños", "niño" and "nino" give "nin"."""
    word = fold(word).lower()
    return _stem("spanish", word) if len(word) <= MAX_STEMMED else word


def spanish_words(text: str) -> list[str]:
    """The words of ``text`` as they are indexed and matched (``spanish_stems``)."""
    return WORD.findall(text)


def spanish_stems(text: str) -> str:
    """``text`` as SQLite's Spanish index holds it: each word replaced by its stem, in order (so
    a phrase still matches its words side by side), and a query matches whole stems only:
    "nino" finds "niño" and "niños" but not "ningún"."""
    return " ".join(spanish_stem(word) for word in spanish_words(text))
