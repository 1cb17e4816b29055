"""Reading an encyclopedia article page saved from a public site as HTML.

The structure is the one large public encyclopedias use: the title in ``<h1>``, the article id
in the canonical link (or the page's ``itemid``), the summary in ``#ency_summary``, each section a
``div.section`` with its heading in ``.section-title h2`` and its text in ``.section-body``, the
alternative names in ``#section-Alt``, the references in ``#section-Ref``, the review date and
"Updated by" credit in ``#section-version`` and the thumbnails in ``#section-tnails``.

Only the content is kept, as the article's Markdown: paragraphs, lists, emphasis and links
(``…/ency/article/NNNNNN.htm`` links become article links). The site's chrome, scripts, styles,
forms, event handlers and addresses other than http, https and mailto never reach the result.
What comes out is the ``ParsedPage`` the text parser makes, so the import is the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from editorial.importer.parser import (
    ALTERNATIVE_NAMES,
    REFERENCES,
    CitationData,
    ImageData,
    ParsedPage,
    ParseError,
    SectionData,
    check_lengths,
    parse_citation,
    read_review_line,
)
from encyclopedia import limits
from encyclopedia.text import normalize_text

MAX_DEPTH = 200  # elements nested deeper are refused (libxml2 itself stops at 256)
MAX_URL_LENGTH = 2000  # a longer address is not kept: its link text stays, as text
MAX_TITLE_LENGTH = 200

UNSTRUCTURED = "unstructured"  # encyclopedia's Citation.Kind.UNSTRUCTURED: the parser touches no model
_ARTICLE_PATH = re.compile(r"/ency/article/([0-9]{6})\.htm$")
_LINK_SCHEMES = {"http", "https", "mailto"}
_INVALID_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_MARKDOWN_SPECIAL = re.compile(r"([\\*_\[\]`])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
# A list marker ("- ", "+ ", "* ", "1. ", "1) ") opening a paragraph or item, with its last character.
_LEADING_MARKER = re.compile(r"^(\s*|\s*\d{1,9}(?=[.)]))([-+*]|(?<=\d)[.)])(?=\s|$)")

# Never content: dropped with everything inside them.
_DROPPED_TAGS = {
    "script", "style", "noscript", "template", "form", "nav", "footer", "aside", "button", "iframe",
    "object", "embed", "svg", "math", "input", "select", "textarea", "head", "title", "meta", "link",
    "picture", "video", "audio", "canvas", "map", "dialog",
}  # fmt: skip
# The site's chrome, by an id or class word: share buttons, "cite this page", related topics …
_CHROME = re.compile(
    r"(?:^|[-_\s])(share|social|breadcrumbs?|cite|related|navigation|nav|menu|footer|toolbar|skip|print|"
    r"banner|subscribe|feedback)(?:[-_\s]|$)",
    re.IGNORECASE,
)
_CANONICAL_HREF = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]"
_CHROME_HEADING = re.compile(r"^(related\b|learn how to cite|browse\b|share\b|images?$)", re.IGNORECASE)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "blockquote", "figure", "figcaption", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tbody", "thead", "tfoot", "tr", "center",
    "address", "header", "details", "summary", "ul", "ol", "li", "hr",
}  # fmt: skip
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "strong": "**", "b": "**"}


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is markup: a page in the text format or Markdown never opens with a tag."""
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def parse_html(text: str) -> ParsedPage:
    """Read one saved HTML article page into the structure the text parser produces."""
    invalid = _INVALID_CHARACTER.search(text)
    if invalid:
        _check_characters(invalid.group(), text.count("\n", 0, invalid.start()) + 1)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        document = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise ParseError(f"an HTML document that cannot be read ({error})") from None
    for entry in parser.error_log:
        if entry.level_name == "FATAL":  # libxml2 stopped reading: what follows would be lost
            raise ParseError(
                f"an HTML document that cannot be read whole ({entry.message.strip()})", entry.line
            )
    return _PageReader(document).read()


class _PageReader:
    def __init__(self, document: lxml.html.HtmlElement):
        self.document = document
        self.base = _base_url(document)
        public_id, line = _public_id(document)  # before the chrome goes: the canonical link is in <head>
        _drop_chrome(document)
        self.page = ParsedPage(title="", summary="", public_id=public_id, public_id_line=line)

    def read(self) -> ParsedPage:
        page = self.page
        heading = next(iter(self.document.iter("h1")), None)
        title = _clean_text(heading.text_content()) if heading is not None else ""
        if not title:
            raise ParseError(
                "expected an encyclopedia page (a saved HTML article page has its title in <h1>), "
                "but this is an HTML document without an article title"
            )
        _check_characters(title, heading.sourceline)
        if len(title) > MAX_TITLE_LENGTH:
            raise ParseError(f"the title is longer than {MAX_TITLE_LENGTH} characters", heading.sourceline)
        page.title = title
        summary = _by_id(self.document, "ency_summary")
        if summary is not None:
            page.images.extend(self._inline_images(summary))
        page.summary = self._markdown(summary) if summary is not None else ""
        page.summary_line = summary.sourceline or 0 if summary is not None else 0
        if not page.summary:
            raise ParseError(
                "an HTML article page without a summary: expected it in the element with id “ency_summary”",
                heading.sourceline,
            )
        sections = _sections(self.document)
        too_many = limits.sections_error(len(sections))
        if too_many:  # before any is read: the work grows with their number
            raise ParseError(too_many, sections[limits.sections_limit()].sourceline or 0)
        for section in sections:
            self._section(section)
        page.article_links = list(dict.fromkeys(page.article_links))
        check_lengths(page)
        return page

    def _section(self, section: lxml.html.HtmlElement) -> None:
        """One ``div.section``: the alternative names, references, review, thumbnails or a section."""
        page = self.page
        key = (section.get("id") or "").strip().lower()
        heading_element = _heading(section)
        heading = _clean_text(heading_element.text_content()) if heading_element is not None else ""
        if heading_element is not None:
            heading_element.drop_tree()
        body = _body(section)
        line = section.sourceline or 0
        if key == "section-version":
            self._review(body)
        elif key == "section-tnails":
            page.images.extend(self._images(body))
        elif key == "section-alt" or heading.lower() == ALTERNATIVE_NAMES:
            names = [_clean_text(name) for item in _items(body) for name in item.split(";")]
            page.alternative_names = list(dict.fromkeys(name for name in names if name))
            page.name_lines = {name: line for name in page.alternative_names}
        elif key == "section-ref" or heading.lower() == REFERENCES:
            references = self._references(body)
            page.citations = [_citation(text, number) for number, text in references]
            page.citation_lines = [number for number, _text in references]
        elif heading and not _CHROME_HEADING.match(heading):
            _check_characters(heading, line)
            page.images.extend(self._inline_images(body))
            markdown = self._markdown(body)
            if markdown:
                page.sections.append(SectionData(heading=heading, body=markdown, line=line))

    def _review(self, body: lxml.html.HtmlElement) -> None:
        for element, text in _lines(body):
            read_review_line(text, element.sourceline or 0, self.page)  # other lines are the site's

    def _references(self, body: lxml.html.HtmlElement) -> list[tuple[int, str]]:
        """Each reference's text (italics as ``*…*``, as the text format writes them), with its line."""
        items = body.xpath(".//li") or body.xpath(".//p") or [body]
        out = []
        for item in items:
            text = _Markdown(self, reference=True).blocks(item)
            out.extend((item.sourceline or 0, block) for block in text if block)
        return out

    def _images(self, body: lxml.html.HtmlElement) -> Iterable[ImageData]:
        for image in body.iter("img"):
            holder = _thumbnail_holder(image, body)
            captions = holder.xpath(".//figcaption | .//*[contains(@class, 'caption')]")
            caption = _clean_text(captions[0].text_content()) if captions else ""
            if not caption:
                caption = _clean_text(holder.text_content())
            alt = _clean_text(image.get("alt") or "") or caption
            source = self._address(image.get("src") or "")
            if not (alt or caption or source):
                continue
            for value in (alt, caption):
                _check_characters(value, image.sourceline)
            yield ImageData(alt_text=alt[:250], caption=caption[:500], source_url=source)

    def _inline_images(self, body: lxml.html.HtmlElement) -> list[ImageData]:
        """The images shown in the text (a ``<figure>`` with its caption, or a lone ``<img>``),
        taken out of it: each awaits upload like a thumbnail, its caption never a loose paragraph."""
        found = []
        for image in list(body.iter("img")):
            figures = [a for a in image.iterancestors() if _tag(a) == "figure" and body in a.iterancestors()]
            holder = figures[-1] if figures else image
            captions = holder.xpath(".//figcaption")
            caption = _clean_text(" ".join(c.text_content() for c in captions))
            alt = _clean_text(image.get("alt") or "") or caption
            source = self._address(image.get("src") or "")
            if holder.getparent() is not None:
                holder.drop_tree()
            if not (alt or caption or source):
                continue
            for value in (alt, caption):
                _check_characters(value, image.sourceline)
            found.append(ImageData(alt_text=alt[:250], caption=caption[:500], source_url=source))
        return found

    def _address(self, href: str) -> str:
        """``href`` made absolute against the page's own address, if its scheme is one we link to."""
        href = href.strip()
        if not href or len(href) > MAX_URL_LENGTH or href.startswith("#"):
            return ""
        try:
            absolute = urljoin(self.base, href) if self.base else href
            scheme = urlsplit(absolute).scheme.lower()
        except ValueError:
            return ""
        if scheme not in _LINK_SCHEMES or _INVALID_CHARACTER.search(absolute) or _WHITESPACE.search(absolute):
            return ""
        return absolute

    def _markdown(self, element: lxml.html.HtmlElement) -> str:
        text = "\n\n".join(block for block in _Markdown(self).blocks(element) if block)
        _check_characters(text, element.sourceline)
        return normalize_text(text).strip()


class _Markdown:
    """An element's content as Markdown blocks: paragraphs and lists, with emphasis and links."""

    def __init__(self, reader: _PageReader, *, reference: bool = False):
        self.reader = reader
        self.reference = reference  # a reference keeps its text as written: only italics marked

    def blocks(self, element: lxml.html.HtmlElement, depth: int = 0) -> list[str]:
        _check_depth(element, depth)
        out: list[str] = []
        run: list[str] = [self._text(element.text)]
        for child in element:
            tag = _tag(child)
            if tag in _BLOCK_TAGS:
                out.append(_paragraph(run))
                run = []
                if tag in ("ul", "ol"):
                    out.append("\n".join(self._list(child, depth + 1)))
                elif tag in _HEADINGS:
                    heading = _paragraph([self.inline(child, depth + 1)])
                    out.append(f"**{heading}**" if heading and not self.reference else heading)
                elif tag == "tr":
                    cells = [_paragraph([self.inline(cell, depth + 2)]) for cell in child]
                    out.append("; ".join(cell for cell in cells if cell))
                elif tag != "hr":
                    out.extend(self.blocks(child, depth + 1))
            else:
                run.append(self.inline(child, depth + 1))
            run.append(self._text(child.tail))
        out.append(_paragraph(run))
        return [block for block in out if block]

    def _list(self, element: lxml.html.HtmlElement, depth: int) -> list[str]:
        """A list's lines: ``- item`` or ``1. item``, nested lists indented under their item."""
        _check_depth(element, depth)
        ordered = _tag(element) == "ol"
        try:
            number = int(element.get("start") or 1) if ordered else 1
        except ValueError:
            number = 1
        lines: list[str] = []
        for item in element:
            if _tag(item) in ("ul", "ol"):  # a list directly in a list: under the item before it
                lines.extend("   " + line for line in self._list(item, depth + 1))
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            texts: list[str] = []
            nested: list[str] = []
            run: list[str] = [self._text(item.text)]
            for child in item:
                if _tag(child) in ("ul", "ol"):
                    nested.extend(self._list(child, depth + 1))
                elif _tag(child) in _BLOCK_TAGS:
                    texts.append(_paragraph(run))
                    run = []
                    texts.extend(self.blocks(child, depth + 1))
                else:
                    run.append(self.inline(child, depth + 1))
                run.append(self._text(child.tail))
            texts.append(_paragraph(run))
            text = " ".join(t.replace("\n", " ") for t in texts if t)
            if not text and not nested:
                continue
            lines.append(marker + _escape_marker(text))
            lines.extend(" " * len(marker) + line for line in nested)
        return lines

    def inline(self, element: lxml.html.HtmlElement, depth: int) -> str:
        """The element as inline Markdown: emphasis and links marked, anything else its text."""
        _check_depth(element, depth)
        tag = _tag(element)
        if tag == "br":
            return " "
        inner = self._text(element.text) + "".join(
            self.inline(child, depth + 1) + self._text(child.tail) for child in element
        )
        if tag in _EMPHASIS and (not self.reference or _EMPHASIS[tag] == "*"):
            return _wrap(inner, _EMPHASIS[tag])
        if tag == "a" and not self.reference:
            return self._link(element, inner)
        return inner

    def _link(self, element: lxml.html.HtmlElement, inner: str) -> str:
        text = _WHITESPACE.sub(" ", inner).strip()
        if not text:
            return inner
        href = (element.get("href") or "").strip()
        article = _ARTICLE_PATH.search(urlsplit(href).path) if len(href) <= MAX_URL_LENGTH else None
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        if article and urlsplit(href).scheme.lower() in ("", "http", "https"):
            self.reader.page.article_links.append(article.group(1))
            return f"{lead}[{text}](article:{article.group(1)}){trail}"
        address = self.reader._address(href)
        if not address:
            return inner
        address = address.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
        return f"{lead}[{text}]({address}){trail}"

    def _text(self, text: str | None) -> str:
        if not text:
            return ""
        text = _WHITESPACE.sub(" ", text)
        if self.reference:
            return text
        return _ENTITY_LIKE.sub(r"\\&", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def _citation(text: str, line: int) -> CitationData:
    """A structured citation where the parser reads the reference back exactly; otherwise the
    reference as printed, of the kind that flags it for an editor to structure."""
    try:
        return parse_citation(text, line)
    except ParseError:
        return CitationData(kind=UNSTRUCTURED, title=text.replace("*", ""))


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _paragraph(run: list[str]) -> str:
    return _escape_marker(_WHITESPACE.sub(" ", "".join(run)).strip())


def _escape_marker(text: str) -> str:
    """A paragraph or item that opens like a list marker ("- ", "1. ") stays text: the marker's
    last character escaped ("\\- ", "1\\. "), which the renderer shows as the character alone."""
    return _LEADING_MARKER.sub(r"\1\\\2", text, count=1)


def _wrap(inner: str, mark: str) -> str:
    core = inner.strip()
    if not core:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _clean_text(text: str) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def _check_characters(text: str, line: int | None) -> None:
    invalid = _INVALID_CHARACTER.search(text)
    if invalid:
        raise ParseError(
            f"the page holds a control character or an invalid one (U+{ord(invalid.group()):04X}), "
            "which no page can show: remove it",
            line or 0,
        )


def _check_depth(element: etree._Element, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(
            f"the HTML is nested more than {MAX_DEPTH} elements deep here", element.sourceline or 0
        )


def _classes(element: etree._Element) -> str:
    return f"{element.get('id') or ''} {element.get('class') or ''}"


def _drop_chrome(document: lxml.html.HtmlElement) -> None:
    """Remove everything that is the site's rather than the article's, before reading."""
    doomed = []
    for element in document.iter():
        tag = _tag(element)
        chrome = tag in _DROPPED_TAGS or (tag not in ("html", "body") and _CHROME.search(_classes(element)))
        holds_title = chrome and any(_tag(inner) == "h1" for inner in element.iter())
        if not tag or (chrome and not holds_title):  # not tag: a comment the parser kept
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _public_id(document: lxml.html.HtmlElement) -> tuple[str | None, int]:
    """The article id the page names in its canonical link or its ``itemid``, and its line. A page naming two
    different articles is refused: importing it under either could overwrite the wrong article."""
    named: dict[str, tuple[str, int]] = {}  # id -> where it was first named, and the line
    for where, path in (("canonical link", _CANONICAL_HREF), ("itemid", "//*[@itemid]")):
        for element in document.xpath(path):
            href = element.get("href") if where == "canonical link" else element.get("itemid")
            match = _ARTICLE_PATH.search(urlsplit((href or "").strip()).path)
            if match:
                named.setdefault(match.group(1), (where, element.sourceline or 0))
    if len(named) > 1:
        (first, (first_where, _)), (second, (second_where, line)) = list(named.items())[:2]
        raise ParseError(
            f"the page names two articles: its {first_where} …/ency/article/{first}.htm and its "
            f"{second_where} …/ency/article/{second}.htm; correct the one that is wrong and import it again",
            line,
        )
    for public_id, (_where, line) in named.items():
        return public_id, line
    return None, 0


def _base_url(document: lxml.html.HtmlElement) -> str:
    for href in (
        *document.xpath(_CANONICAL_HREF + "/@href"),
        *document.xpath("//base/@href"),
        *document.xpath("//@itemid"),
    ):
        href = str(href).strip()
        if href.startswith("//"):
            href = "https:" + href
        if urlsplit(href).scheme.lower() in ("http", "https"):
            return href
    return ""


def _by_id(document: lxml.html.HtmlElement, element_id: str) -> lxml.html.HtmlElement | None:
    found = document.xpath("//*[@id=$id]", id=element_id)
    return found[0] if found else None


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Compiled once. The section's own look-ups search only the section, first match only, so the
# work for a page grows with its size, not with its size times its number of sections.
_SECTIONS = etree.XPath(f"//*[{_has_class('section')}][not(ancestor::*[{_has_class('section')}])]")
_SECTION_TITLE = etree.XPath(f"(.//*[{_has_class('section-title')}])[1]")
_SECTION_HEADING = etree.XPath("(.//*[self::h2 or self::h3])[1]")
_SECTION_BODY = etree.XPath(f"(.//*[{_has_class('section-body')}])[1]")


def _sections(document: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The ``div.section`` elements (or any element of class ``section``), outermost only."""
    return list(_SECTIONS(document))


def _heading(section: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    found = _SECTION_TITLE(section) or _SECTION_HEADING(section)
    return found[0] if found else None


def _body(section: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    bodies = _SECTION_BODY(section)
    return bodies[0] if bodies else section


def _items(body: lxml.html.HtmlElement) -> list[str]:
    items = body.xpath(".//li")
    return [item.text_content() for item in items] if items else [body.text_content()]


def _lines(body: lxml.html.HtmlElement) -> Iterable[tuple[lxml.html.HtmlElement, str]]:
    """Each line of text in ``body`` (blocks and ``<br>`` end a line), with the element it is in."""
    for br in body.iter("br"):
        br.tail = "\n" + (br.tail or "")
    leaves = [
        element
        for element in body.iter()
        if _tag(element) in _BLOCK_TAGS
        and not any(_tag(inner) in _BLOCK_TAGS for inner in element.iterdescendants())
    ]
    for element in leaves or [body]:
        for line in element.text_content().split("\n"):
            text = _clean_text(line)
            if text:
                yield element, text


def _thumbnail_holder(image: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element that holds one thumbnail and its caption: the image's ancestor just under ``body``."""
    holder = image
    while holder.getparent() is not None and holder.getparent() is not body:
        holder = holder.getparent()
    return holder
