"""Deterministic, made-up article content for the benchmark data set, and its pages as files.

The text is generated from small word lists (bench/words.toml); it reads like an encyclopedia page
in shape (title, summary, six sections with paragraphs and bullet lists, alternative names,
references) but says nothing medically meaningful. Nothing is copied from any source.
"""

from __future__ import annotations

import datetime
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

_LISTS = tomllib.loads((Path(__file__).parent / "words.toml").read_text(encoding="utf-8"))


def _phrases(name: str) -> list[str]:
    """Phrases separated by semicolons (the line breaks inside one are spaces)."""
    return [" ".join(phrase.split()) for phrase in _LISTS[name].split(";")]


def _words(name: str) -> list[str]:
    return _LISTS[name].split()


def _mapping(name: str) -> dict[str, list[str]]:
    """``key: a, b; key2: c, d`` as a dict of lists."""
    pairs = (phrase.split(":", 1) for phrase in _phrases(name))
    return {key: [value.strip() for value in values.split(",")] for key, values in pairs}


MODIFIERS, SITES, SYMPTOMS, GENERAL = (_words(n) for n in ("modifiers", "sites", "symptoms", "general"))
FIRST_NAMES, LAST_NAMES = _words("first_names"), _words("last_names")
CONDITIONS, HEADINGS = _mapping("conditions"), _mapping("headings")
ANALYTES, PROCEDURES, NUTRIENTS = _phrases("analytes"), _phrases("procedures"), _phrases("nutrients")
NUTRITION_TOPICS, TOPICS, VERBS = _phrases("nutrition_topics"), _phrases("topics"), _phrases("verbs")
OPENERS, SPECIALTIES, INSTITUTIONS = _phrases("openers"), _phrases("specialties"), _phrases("institutions")
JOURNALS, BOOKS, SEARCH_QUERIES = _phrases("journals"), _phrases("books"), _phrases("search_queries")
# Queries that match the largest article (the last one generated), as a reader asks them (issue #13).
LARGEST_QUERIES = _LISTS["largest_queries"].split("|")
CITIES = [tuple(phrase.rsplit(" ", 1)) for phrase in _phrases("cities")]
TESTS, IMAGING, INJURIES = _phrases("tests"), _phrases("imaging"), _words("injuries")

QUALIFIERS = ["", "", "", *(f" {q}" for q in _phrases("qualifiers"))]
PUBLISHERS = [tuple(pair) for pair in _LISTS["publishers"]]
ZIPF = [1.0 / rank for rank in range(1, len(GENERAL) + 1)]
# Domain terms, drawn uniformly: each names a condition, body part, test or nutrient.
DOMAIN = sorted(
    {*(word for condition in CONDITIONS for word in condition.split()), *SITES, *SYMPTOMS, *INJURIES}
    | {a.split()[0] for a in ANALYTES}
    | {p.split()[0] for p in PROCEDURES}
    | {n.split()[0].lower() for n in NUTRIENTS}
)


def all_titles() -> list[tuple[str, str, list[str]]]:
    """Every title the generator can make: (title, article type, alternative-name candidates)."""
    out: list[tuple[str, str, list[str]]] = []
    for condition, synonyms in CONDITIONS.items():
        for qualifier in QUALIFIERS:
            out.append((condition.capitalize() + qualifier, "disease", [s + qualifier for s in synonyms]))
            for modifier in MODIFIERS:
                title = f"{modifier} {condition}{qualifier}"
                out.append((title, "disease", [f"{modifier} {s}{qualifier}" for s in synonyms]))
    for site in SITES:
        place = site.capitalize()
        for kind, terms, names in (
            ("symptom", SYMPTOMS, ["{T} in the {s}", "{P} {t} syndrome"]),
            ("test", IMAGING, ["{T} of the {s}", "{P} imaging"]),
            ("surgery", PROCEDURES, ["{T} of the {s}", "{P} operation"]),
            ("injury", INJURIES, ["{T} of the {s}", "Injured {s}"]),
        ):
            for term in terms:
                values = {"T": term.capitalize(), "t": term, "s": site, "P": place}
                out.append((f"{place} {term}", kind, [name.format(**values) for name in names]))
    for analyte in ANALYTES:
        for test in TESTS:
            names = [f"{test.capitalize()} for {analyte}", f"Serum {analyte}"]
            out.append((f"{analyte[0].upper() + analyte[1:]} {test}", "test", names))
    for nutrient in NUTRIENTS:
        for topic in NUTRITION_TOPICS:
            names = [f"{nutrient} intake", f"Dietary {nutrient.lower()}"]
            out.append((f"{nutrient} {topic}", "nutrition", names))
    for topic in TOPICS:
        for condition in CONDITIONS:
            names = [f"{condition.capitalize()} guide", f"{condition.capitalize()} and daily life"]
            out.append((f"{topic} {condition}", "special_topic", names))
    seen: set[str] = set()
    unique = []
    for title, kind, names in out:
        if title.lower() not in seen:
            seen.add(title.lower())
            unique.append((title, kind, names))
    random.Random(20260101).shuffle(unique)
    return unique


def sentence(rng: random.Random, subject: str) -> str:
    first, middle, last = rng.choices(GENERAL, weights=ZIPF, k=3)
    if rng.random() < 0.5:
        middle = rng.choice(DOMAIN)
    return (
        f"{rng.choice(OPENERS)} {subject} {rng.choice(VERBS)} {first} and {middle}, especially with {last}."
    )


def paragraph(rng: random.Random, subject: str, count: int) -> str:
    return " ".join(sentence(rng, subject) for _ in range(count))


def list_item(rng: random.Random) -> str:
    a, b = rng.choices(GENERAL, weights=ZIPF, k=1)[0], rng.choice(DOMAIN)
    return f"{a.capitalize()} {rng.choice(['changes', 'problems', 'checks', 'care', 'support'])} with {b}"


@dataclass
class ArticleText:
    title: str
    article_type: str
    summary: str
    sections: list[tuple[str, str]]  # (heading, markdown)
    alternative_names: list[str]


def article_text(index: int, title: str, kind: str, names: list[str], link_targets: list[str]) -> ArticleText:
    """One article: 6 sections, about 15 list items in three lists, 3 alternative names, and a
    link to each of ``link_targets`` (article ids) in the third and sixth sections."""
    rng = random.Random(index * 7919 + 17)
    subject = title.lower()
    summary = paragraph(rng, subject, 2)
    links = list(link_targets)
    sections = []
    for position, heading in enumerate(HEADINGS.get(kind, HEADINGS["special_topic"])):
        parts = [paragraph(rng, subject, rng.randint(2, 4))]
        if position in (1, 3, 4):
            items = "\n".join(f"- {list_item(rng)}" for _ in range(5))
            parts += ["They may include:", items, paragraph(rng, subject, 1)]
        if links and position in (2, 5):
            parts.append(f"See also [related information](/ency/article/{links.pop()}.htm) for more detail.")
        sections.append((heading, "\n\n".join(parts)))
    alternatives = list(dict.fromkeys(names))[:2]
    alternatives.append(f"{title} ({rng.choice(['condition', 'topic', 'disorder', 'overview'])})")
    return ArticleText(title, kind, summary, sections, alternatives[:3])


def page(
    text: ArticleText,
    *,
    public_id: str | None,
    references: list[str],
    review: str,
    credit: str,
    codes: str = "",
) -> str:
    """``text`` as a page file for ``manage.py import_articles`` (Markdown with ## headings):
    its id (if given), references, coded concepts (a "Codes:" line), review date (m/d/yyyy) and
    "Updated by" credit."""
    lines = [f"URL of this page: /ency/article/{public_id}.htm", ""] if public_id else []
    lines += [f"# {text.title}", "", text.summary, ""]
    for heading, body in text.sections:
        lines += [f"## {heading}", "", body, ""]
    if text.alternative_names:
        lines += ["## Alternative Names", "", "; ".join(text.alternative_names), ""]
    lines += ["## References", "", *(f"- {reference}" for reference in references)] if references else []
    lines += ["", *([f"Codes: {codes}", ""] if codes else []), f"Review Date {review}", ""]
    return "\n".join([*lines, f"Updated by: {credit}", ""])


def codes(number: int) -> list[str]:
    """Article ``number``'s three coded concepts, valid and distinct for every article (below
    260,000): an ICD-10-CM, a SNOMED CT and a LOINC code."""
    from stdnum import luhn, verhoeff

    stem = f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[number % 26]}{(number // 26) % 100:02d}"
    snomed, loinc = str(100000 + number * 100), str(10000 + number)
    icd = f"{stem}.{number // 2600 % 10}{number // 26000 % 10}"
    return [icd, snomed + verhoeff.calc_check_digit(snomed), f"{loinc}-{luhn.calc_check_digit(loinc)}"]


def largest_page(public_id: str, review: str, credit: str) -> str:
    """A page of exactly the article limit, about night leg cramps (``LARGEST_QUERIES`` match it): a
    full summary, full sections, the rest in the last."""
    from encyclopedia import limits

    rng, subject = random.Random(13), "night leg cramps"

    def text(size: int, ending: str = "") -> str:
        """Exactly ``size`` characters of paragraphs, ending with ``ending``."""
        parts, length = [], 0
        while length < size:
            part = paragraph(rng, subject, 3)
            if rng.random() < 0.3:
                part += " Muscle cramps ease with stretching of the calf; ask a doctor about the pain."
            parts.append(part)
            length += len(part) + 2
        body = "\n\n".join(parts)[: size - len(ending)].rstrip()
        return body + "." * (size - len(ending) - len(body)) + ending

    summary = text(limits.summary_limit())
    room, sections = limits.article_limit() - len(summary), []
    while room > 0:
        size = min(room, limits.section_limit())
        room -= size
        ending = "" if room else " Zygomycosis is unrelated to cramps."
        sections.append((f"Part {len(sections) + 1}", text(size, ending)))
    article = ArticleText(subject.capitalize(), "disease", summary, sections, [])
    return page(article, public_id=public_id, references=[], review=review, credit=credit)


def reviewer_rows(count: int = 40) -> list[dict]:
    rng = random.Random(99)
    rows = []
    for i in range(count):
        city, state = rng.choice(CITIES)
        credentials = rng.choice(["MD", "MD, PhD", "DO", "MD, MPH", "PharmD"])
        title = rng.choice(["Professor of Medicine", "Associate Professor", "Clinical Instructor", ""])
        rows.append(
            {
                "name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}",
                "credentials": credentials,
                "title": title,
                "department": f"Department of {SPECIALTIES[i % len(SPECIALTIES)]}",
                "institution": rng.choice(INSTITUTIONS),
                "city": city,
                "state": state,
                "specialty": SPECIALTIES[i % len(SPECIALTIES)],
            }
        )
    return rows


CITATION_FIELDS = (
    "authors title editors container_title edition place publisher year volume issue pages chapter"
)


def citation_rows(count: int) -> list[dict]:
    """A pool of structured citations (shared by articles, as real references are)."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        authors = ", ".join(
            f"{rng.choice(LAST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRST')}{rng.choice('ABCDEFGH')}"
            for _ in range(rng.randint(1, 3))
        )
        topic = " ".join([*rng.choices(GENERAL, weights=ZIPF, k=2), rng.choice(DOMAIN)])
        year = str(rng.randint(2015, 2025))
        kind = ["journal_article", "book_chapter", "website", "guideline", "book"][i % 5]
        row = dict.fromkeys(f"{CITATION_FIELDS} doi pmid url updated".split(), "")
        row.update(kind=kind, accessed=None, year=year)
        if kind == "journal_article":
            row.update(
                authors=authors,
                title=f"Outcomes of {topic}: sample study {i}",
                container_title=rng.choice(JOURNALS),
                volume=str(rng.randint(1, 90)),
                issue=str(rng.randint(1, 12)),
                pages=f"{rng.randint(1, 400)}-{rng.randint(401, 900)}",
                pmid=str(30000000 + i),
            )
        elif kind == "book_chapter":
            place, publisher = rng.choice(PUBLISHERS)
            row.update(
                authors=authors,
                title=f"Management of {topic} ({i})",
                editors=f"{rng.choice(LAST_NAMES)} K, {rng.choice(LAST_NAMES)} M",
                container_title=rng.choice(BOOKS),
                edition=f"{rng.randint(2, 12)}th",
                place=place,
                publisher=publisher,
                chapter=str(rng.randint(1, 120)),
            )
        elif kind == "website":
            row.update(
                title=f"Facts about {topic} ({i})",
                container_title="Example Health Agency",
                url=f"https://www.example.org/health/{i}",
                updated=f"March {rng.randint(1, 28)}, {year}",
                accessed=datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                year="",
            )
        else:
            place, publisher = rng.choice(PUBLISHERS)
            row.update(place=place, publisher=publisher)
            if kind == "guideline":
                row.update(title=f"Guideline on {topic} ({i})")
            else:
                row.update(
                    authors=authors, title=f"A guide to {topic} ({i})", edition=f"{rng.randint(2, 6)}th"
                )
        rows.append(row)
    return rows


def new_search_queries(count: int, seed: int = 16) -> list[str]:
    """``count`` different queries shaped like the common ones: a domain term and a word the common
    queries ask about ("asthma treatment"), or two domain terms ("knee fever"), in a fixed order."""
    asked = sorted({query.split()[-1] for query in SEARCH_QUERIES if " " in query})
    pairs = [f"{term} {word}" for term in DOMAIN for word in asked]
    pairs += [f"{first} {second}" for first in DOMAIN for second in DOMAIN if first < second]
    pairs = list(dict.fromkeys(pairs))
    random.Random(seed).shuffle(pairs)
    return pairs[:count]
