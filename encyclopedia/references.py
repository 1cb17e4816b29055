"""NLM/AMA rendering of structured citations, as in the References of an article page.

A rendering is a list of segments, some italic; ``render_text`` marks italics with
asterisks (the page format the importer reads) and ``render_html`` with ``<i>``.
"""

from __future__ import annotations

from typing import Protocol

from django.core.validators import RegexValidator
from django.utils.html import escape

from encyclopedia.dates import read_on

REQUIRED = {
    "book_chapter": ["authors", "title", "container_title", "publisher", "year"],
    "book": ["title", "publisher", "year"],
    "journal_article": ["authors", "title", "container_title", "year"],
    "website": ["title", "container_title", "url"],
    "guideline": ["title", "year"],
    "unstructured": ["title"],
}


# The identifiers' own forms, checked by the Citation model's fields: so the admin's forms and the
# importer refuse the same values with the same message, on the field (or the page's line).
year_validator = RegexValidator(
    r"^[12][0-9]{3}[a-z]?(?: [A-Za-z0-9][A-Za-z0-9 /\-–]*)?\Z",
    "Enter the year as four digits, like 2024; a letter may follow (2024a) and, for a journal, "
    "the month and day (2024 Mar 15).",
    code="invalid_year",
)
pmid_validator = RegexValidator(
    r"^[1-9][0-9]{0,9}\Z",
    "Enter the PubMed id alone, in digits, like 31234567 (without “PMID:”).",
    code="invalid_pmid",
)
doi_validator = RegexValidator(
    r"^10\.[0-9]{4,9}(?:\.[0-9]+)*/[^\s\x00-\x1f\x7f]+\Z",
    "Enter the DOI alone, without spaces: “10.”, the registrant's number, a slash and the item, "
    "like 10.1000/xyz123 (without “doi:” or https://doi.org/).",
    code="invalid_doi",
)


class CitationFields(Protocol):
    kind: str
    authors: str
    title: str
    editors: str
    container_title: str
    edition: str
    place: str
    publisher: str
    year: str
    volume: str
    issue: str
    pages: str
    chapter: str
    doi: str
    pmid: str
    url: str
    updated: str
    accessed: object


Segment = tuple[str, bool]  # (text, italic)


def missing_fields(citation: CitationFields) -> list[str]:
    """The fields this kind of citation needs but lacks."""
    return [name for name in REQUIRED.get(citation.kind, []) if not str(getattr(citation, name)).strip()]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def display_url(url: str) -> str:
    """URLs are shown without their https:// scheme, as on the reference pages."""
    return url.removeprefix("https://")


def _accessed(citation: CitationFields) -> str:
    day = citation.accessed
    return f"Accessed {day:%B} {day.day}, {day.year}." if day else ""


def _publication_place(citation: CitationFields) -> str:
    if citation.place and citation.publisher:
        return f"{citation.place}: {citation.publisher}"
    return citation.publisher or citation.place


def _journal_locator(citation: CitationFields) -> str:
    locator = citation.year
    if citation.volume:
        locator += f";{citation.volume}"
        if citation.issue:
            locator += f"({citation.issue})"
    if citation.pages:
        locator += f":{citation.pages}"
    return locator + "." if locator else ""


def _identifiers(citation: CitationFields) -> list[str]:
    parts = []
    if citation.doi:
        parts.append(f"doi:{citation.doi}.")
    if citation.pmid:
        parts.append(f"PMID: {citation.pmid}.")
    return parts


def segments(citation: CitationFields) -> list[Segment]:
    """The citation as text segments in NLM/AMA order."""
    out: list[Segment] = []

    def add(text: str, italic: bool = False) -> None:
        if text:
            out.append((text, italic))

    kind = citation.kind
    if kind == "unstructured":  # as an imported page printed it, whole in the title
        add(citation.title.strip())
        return out
    if citation.authors:
        add(_sentence(citation.authors))
    if kind == "book_chapter":
        add(_sentence(citation.title))
        if citation.editors:
            count = len([e for e in citation.editors.split(",") if e.strip()])
            add(f"In: {citation.editors}, {'ed' if count == 1 else 'eds'}.")
        add(citation.container_title.strip(), italic=True)
        add(".")
    elif kind == "book":
        add(citation.title.strip(), italic=True)
        add(".")
    elif kind == "journal_article":
        add(_sentence(citation.title))
        add(citation.container_title.strip(), italic=True)
        add(".")
    elif kind == "website":
        add(f"{citation.container_title} website.")
        add(_sentence(citation.title))
    else:  # guideline
        add(_sentence(citation.title))
        if citation.container_title:
            add(citation.container_title.strip(), italic=True)
            add(".")

    if kind in ("book_chapter", "book"):
        if citation.edition:
            add(f"{citation.edition} ed.")
        where = _publication_place(citation)
        locator = citation.year
        if citation.chapter:
            locator += f":chap {citation.chapter}"
        elif citation.pages:
            locator += f":{citation.pages}"
        add(f"{where}; {locator}." if where else f"{locator}.")
    elif kind == "journal_article" or (kind == "guideline" and citation.container_title):
        add(_journal_locator(citation))
    elif kind == "guideline":
        where = _publication_place(citation)
        add(f"{where}; {citation.year}." if where else f"{citation.year}.")
    for identifier in _identifiers(citation):
        add(identifier)
    if citation.url:
        add(_sentence(display_url(citation.url)))
    if citation.updated:
        add(f"Updated {citation.updated}.")
    add(_accessed(citation))
    return out


def _join(parts: list[tuple[str, str]]) -> str:
    """Join rendered segments with spaces, except before a bare full stop."""
    text = ""
    for raw, rendered in parts:
        if not text:
            text = rendered
        elif raw.startswith("."):
            text += rendered
        else:
            text += " " + rendered
    return text


def render_text(citation: CitationFields) -> str:
    return _join([(t, f"*{t}*" if italic else t) for t, italic in segments(citation)])


def render_html(citation: CitationFields) -> str:
    return _join([(t, f"<i>{escape(t)}</i>" if italic else escape(t)) for t, italic in segments(citation)])


def nlm_date(day) -> str:
    """NLM's date form: "2024 Mar 31"."""
    return f"{day.year} {day:%b} {day.day}"


# Spanish months as Vancouver citations in Spanish abbreviate them ("[citado 7 may 2025]").
_SPANISH_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def spanish_nlm_date(day) -> str:
    """The Spanish form of NLM's date: "6 may 2025"."""
    return f"{day.day} {_SPANISH_MONTHS[day.month - 1]} {day.year}"


def page_citation(
    *, title: str, site_name: str, place: str, publisher: str, reviewed, today, url: str, language: str = "en"
) -> str:
    """How to cite an article page, in NLM (Citing Medicine) style for a web page; a Spanish
    page in the Spanish form of the same style (Vancouver): "[revisado …; citado …]. Disponible en: …"."""
    if language == "es":
        cited = read_on("nlm-es", spanish_nlm_date)(today)
        dates = f"[citado {cited}]"
        if reviewed:
            dates = f"[revisado {spanish_nlm_date(reviewed)}; citado {cited}]"
        return f"{title}: {site_name} [Internet]. {place}: {publisher}; {dates}. Disponible en: {url}"
    cited = read_on("nlm", nlm_date)(today)
    dates = f"[cited {cited}]"
    if reviewed:
        dates = f"[reviewed {nlm_date(reviewed)}; cited {cited}]"
    return f"{title}: {site_name} [Internet]. {place}: {publisher}; {dates}. Available from: {url}"
