"""Reading an encyclopedia page, as plain text or Markdown, into structured parts.

This module only reads text; it touches no database, so it can be tested and fuzzed
on its own. ``editorial.actions.import_article`` saves what it returns.

The plain-text format is the one of the reference page: a breadcrumb, a "URL of this
page" line, the title, the summary, each section under its heading, "Alternative
Names", "References", "Review Date M/D/YYYY" and the "Updated by:" credit. The
Markdown format is the same page with ``# Title`` and ``## Heading`` lines. In either,
the "URL of this page" line may also follow the title, anywhere before the first section
heading: pages converted from the public site put it there.

A Spanish edition's page is the same with Spanish labels: "URL de esta página" naming
``/spanish/ency/article/NNNNNN.htm``, the Spanish section headings, "Nombres alternativos",
"Referencias", "Fecha de revisión D/M/AAAA" (day first, or "5 de marzo de 2026"), "Actualizado
por:" for the Spanish review's credit and "Traducido por:" for the translator. The English
review lines a Spanish page prints ("Versión en inglés revisada por:") and its "Referencias"
(an edition shows its English article's references) are the English article's, and are not read.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from encyclopedia import coding, credits, limits, references
from encyclopedia.text import normalize_text


class ParseError(ValueError):
    """The page cannot be read; ``line`` is 1-based (0 when it concerns the whole file)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class CitationData:
    """The fields of an encyclopedia Citation, before it is saved."""

    kind: str = ""
    authors: str = ""
    title: str = ""
    editors: str = ""
    container_title: str = ""
    edition: str = ""
    place: str = ""
    publisher: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    chapter: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    updated: str = ""
    accessed: datetime.date | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class ReviewerData:
    name: str
    credentials: str = ""
    title: str = ""
    department: str = ""
    institution: str = ""
    city: str = ""
    state: str = ""

    def credit(self) -> str:
        return credits.reviewer_credit(**self.__dict__)


@dataclass
class CreditData:
    name: str
    credentials: str = ""
    role: str = ""

    def credit(self) -> str:
        return credits.join_parts([self.name, self.credentials, self.role])


@dataclass
class SectionData:
    heading: str
    body: str
    line: int


@dataclass
class ImageData:
    """An image a saved HTML page showed: recorded as awaiting upload, never fetched or shown."""

    alt_text: str
    caption: str = ""
    source_url: str = ""


@dataclass
class CodeData:
    """A coded concept of a "Codes:" line: the system's OID, the code (normalized), its name."""

    system: str
    code: str
    display_name: str = ""
    line: int = 0


@dataclass
class ParsedPage:
    title: str
    summary: str
    public_id: str | None = None
    sections: list[SectionData] = field(default_factory=list)
    alternative_names: list[str] = field(default_factory=list)
    citations: list[CitationData] = field(default_factory=list)
    review_date: datetime.date | None = None
    reviewer: ReviewerData | None = None
    review_organization: str = ""
    also_reviewed_by: list[CreditData] = field(default_factory=list)
    article_links: list[str] = field(default_factory=list)
    name_lines: dict[str, int] = field(default_factory=dict)  # alternative name -> its line
    citation_lines: list[int] = field(default_factory=list)  # the line of each of ``citations``
    public_id_line: int = 0  # the "URL of this page" line the id comes from
    credit_line: int = 0  # the "Updated by:" line: the reviewer, the organization and the credits
    summary_line: int = 0  # the summary's first line
    images: list[ImageData] = field(default_factory=list)  # from an HTML page: awaiting upload
    codes: list[CodeData] = field(default_factory=list)  # from the "Codes:" lines
    language: str = "en"  # "es": a Spanish edition's page (its URL line or its labels say so)
    translated_by: str = ""  # a Spanish page's "Traducido por:" line
    # A Spanish page's "Referencias" lines, not read: an edition shows its English article's.
    shared_reference_lines: list[int] = field(default_factory=list)


ALTERNATIVE_NAMES = "alternative names"
REFERENCES = "references"
# The same two headings on a Spanish page.
_NAMES_HEADINGS = {ALTERNATIVE_NAMES, "nombres alternativos"}
_REFERENCE_HEADINGS = {REFERENCES, "referencias"}
SPANISH = "es"
# Where the page's own text ends, in each language: the cite box that follows is not the article's.
_END_MARKERS = ("learn how to cite this page", "aprenda a citar esta página")


class _Block(enum.Enum):
    """What stands in a block's heading place when the block is not a section under a heading."""

    REVIEW = "the review date and credit lines"


_URL_LINE = re.compile(r"^(?:URL of this page|URL de esta página):", re.IGNORECASE)
_SPANISH_URL_LINE = re.compile(r"^URL de esta página:|/spanish/ency/article/", re.IGNORECASE)
_ARTICLE_URL = re.compile(r"(?:https?:)?(?://[^/\s)]+)?/ency/article/([0-9]{6})\.htm")  # ASCII digits only
_REVIEW_DATE = re.compile(r"^(?:Review Date|Fecha de revisión)\b:?\s*(.*?)\s*$", re.IGNORECASE)
_SPANISH_REVIEW_DATE = re.compile(r"^Fecha de revisión\b", re.IGNORECASE)
_SPANISH_UPDATED_BY = re.compile(
    r"^Actualizado por:\s*(?P<credit>.+?)\.(?: Revisión provista por (?P<org>.+?)\.)?"
    r"(?: También revisado por (?P<also>.+?)\.)?\s*$"
)
_TRANSLATED_BY = re.compile(r"^Traducido por:\s*(?P<who>.+?)\.?\s*$")
_ENGLISH_REVIEW = "Versión en inglés revisada por:"  # the English article's review: not read
_SPANISH_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        start=1,
    )
}
_CODES_LINE = re.compile(r"^Codes:\s*(?P<codes>.*?)\s*$", re.IGNORECASE)
_CODE_ITEM = re.compile(
    r"^(?P<system>ICD-?10-?CM|ICD-?9-?CM|SNOMED[ -]?CT|LOINC|CPT|[0-9]+(?:\.[0-9]+)+)\s+(?P<code>\S+)(?:\s+(?P<name>.+))?$",
    re.IGNORECASE,
)
_UPDATED_BY = re.compile(
    r"^Updated by:\s*(?P<credit>.+?)\.(?: Review provided by (?P<org>.+?)\.)?"
    r"(?: Also reviewed by (?P<also>.+?)\.)?\s*$"
)
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<href>[^)\s]*)\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# NUL and the other C0 controls but tab (XML, the feed, cannot hold them), DEL, and the halves
# of UTF-16 surrogate pairs (not text: they cannot be encoded).
_INVALID_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def decode_page(data: bytes) -> str:
    """The text of a page file, which must be UTF-8; a refusal names the line, column and byte
    where decoding fails (lines counted as the parser counts them)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
        line = len(re.split(rb"\r\n|\r|\n", before))
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise ParseError(
            f"the file is not UTF-8 text: byte {error.start + 1} (0x{data[error.start]:02X}, column {column}) "
            "cannot be read; save the file as UTF-8 and import it again",
            line,
        ) from None


def parse_page(text: str, known_headings: set[str] | frozenset[str] = frozenset()) -> ParsedPage:
    """Read one page. ``known_headings`` are the standard section headings (any case)."""
    lines = normalize_text(text.removeprefix("\ufeff")).split("\n")
    for number, line in enumerate(lines, start=1):
        invalid = _INVALID_CHARACTER.search(line)
        if invalid:
            raise ParseError(
                f"the line holds a control character or an invalid one (U+{ord(invalid.group()):04X}), "
                "which no page can show: remove it",
                number,
            )
    known = {h.strip().lower() for h in known_headings} | _NAMES_HEADINGS | _REFERENCE_HEADINGS
    is_markdown = any(re.match(r"^#{1,2} \S", line) for line in lines)
    reader = _Reader(lines, known, is_markdown)
    return reader.read()


class _Reader:
    def __init__(self, lines: list[str], known: set[str], is_markdown: bool):
        self.lines = lines
        self.known = known
        self.is_markdown = is_markdown
        self.url_line: tuple[int, str] | None = None  # a "URL of this page" line after the title
        self.code_lines: list[tuple[int, str]] = []  # the "Codes:" lines, wherever they stand
        self.language = "en"  # "es" once a Spanish URL line or label is read

    def read(self) -> ParsedPage:
        public_id: str | None = None
        public_id_line = 0
        title = ""
        title_line = 0
        index = 0
        while index < len(self.lines):
            line = self.lines[index].strip()
            index += 1
            if not line or _is_breadcrumb(line):
                continue
            if _URL_LINE.match(line):
                public_id, public_id_line = _public_id(line, index), index
                self._note_language(line)
                continue
            if line.startswith("#") and not line.lstrip("#").strip():
                raise ParseError("the title is empty: write it after the “#”", index)
            if self.is_markdown:
                if not line.startswith("# "):
                    raise ParseError("expected the title as a “# Title” line", index)
                line = line[2:].strip()
            title, title_line = line, index
            break
        if not title:
            raise ParseError("the file has no title")
        if len(title) > 200:
            raise ParseError("the title is longer than 200 characters", title_line)
        if title.endswith(".") and not self.is_markdown:
            raise ParseError(
                f"expected the title here, but “{title[:60]}” reads like a sentence; "
                "a page starts with its title (or a “URL of this page” line)",
                title_line,
            )

        blocks = self._blocks(index)
        if self.url_line is not None:  # after the title, before the first section: converted pages
            number, line = self.url_line
            found = _public_id(line, number)
            if public_id is not None and found != public_id:
                raise ParseError(
                    f"this “URL of this page” line names article {found}, but the one before the "
                    f"title names {public_id}: keep one",
                    number,
                )
            public_id, public_id_line = found, number
            self._note_language(line)
        page = ParsedPage(
            title=title,
            summary="",
            public_id=public_id,
            public_id_line=public_id_line,
            language=self.language,
        )
        summary_lines = blocks.pop(0)[2] if blocks and blocks[0][0] is None else []
        page.summary = self._markdown(summary_lines, page)
        if not page.summary.strip():
            raise ParseError("expected a summary paragraph after the title", title_line + 1)
        page.summary_line = next((number for number, text in summary_lines if text.strip()), title_line + 1)
        reference_items: list[tuple[int, str]] = []
        for heading, heading_line, body in blocks:
            if heading is _Block.REVIEW:
                self._review(body, page)
                continue
            key = (heading or "").lower()
            if key in _NAMES_HEADINGS:
                page.alternative_names, page.name_lines = _alternative_names(body)
            elif key in _REFERENCE_HEADINGS:
                reference_items = [(number, text) for number, text in body if text.strip()]
            else:
                markdown = self._markdown(body, page)
                if not markdown.strip():
                    raise ParseError(f"the section “{heading}” has no text", heading_line)
                page.sections.append(SectionData(heading=heading or "", body=markdown, line=heading_line))
        page.language = self.language  # known once the review lines are read
        if page.language == SPANISH:
            page.shared_reference_lines = [number for number, _text in reference_items]
        else:
            page.citations = [
                parse_citation(_LIST_ITEM.sub("", text, count=1), number) for number, text in reference_items
            ]
            page.citation_lines = [number for number, _text in reference_items]
        page.article_links = list(dict.fromkeys(page.article_links))
        page.codes = parse_codes(self.code_lines)
        check_lengths(page)
        return page

    def _note_language(self, line: str) -> None:
        if _SPANISH_URL_LINE.search(line):
            self.language = SPANISH

    def _heading(self, index: int, current: str | None) -> str | None:
        """The heading on line ``index`` (0-based), or None if it is not a heading.

        In plain text a custom heading is a short line standing alone that does not end
        like a sentence; inside Alternative Names and References only known headings count.
        """
        line = self.lines[index].strip()
        if self.is_markdown:
            match = re.match(r"^##\s+(.+?)\s*#*$", line)
            return match.group(1) if match else None
        if line.lower() in self.known:
            return line
        if (current or "").lower() in _NAMES_HEADINGS | _REFERENCE_HEADINGS:
            return None
        before = self.lines[index - 1].strip() if index > 0 else ""
        after = self.lines[index + 1].strip() if index + 1 < len(self.lines) else ""
        looks_like_heading = (
            0 < len(line) <= 80
            and not before
            and not after
            and line[0].isupper()
            and line[-1] not in ".:;,!?)*"
            and not _LIST_ITEM.match(line)
            and "[" not in line
            and not _REVIEW_DATE.match(line)
        )
        return line if looks_like_heading else None

    def _blocks(self, start: int) -> list[tuple[str | _Block | None, int, list[tuple[int, str]]]]:
        """Split the rest of the page into (heading, line, [(line, text)]) blocks.

        The first block has no heading (the summary); review lines form a block of
        their own, last, in place of a heading ``_Block.REVIEW``. A "URL of this page" line
        in the first block is not summary: it is kept in ``url_line`` (the first one only).
        """
        blocks: list[tuple[str | _Block | None, int, list[tuple[int, str]]]] = [(None, start, [])]
        review: list[tuple[int, str]] = []
        for index in range(start, len(self.lines)):
            raw = self.lines[index].rstrip()
            line = raw.strip()
            number = index + 1
            if line.lower() in _END_MARKERS:
                break
            if _CODES_LINE.match(line):
                self.code_lines.append((number, line))
                continue
            if _is_review_line(line):
                review.append((number, line))
                continue
            if review and line:
                break  # the credits end the article's own content
            if len(blocks) == 1 and _URL_LINE.match(line):
                if self.url_line is not None:
                    raise ParseError(
                        f"a second “URL of this page” line (the first is line {self.url_line[0]}): keep one",
                        number,
                    )
                self.url_line = (number, line)
                continue
            heading = self._heading(index, blocks[-1][0]) if line else None
            if heading is not None:
                blocks.append((heading, number, []))
            else:
                blocks[-1][2].append((number, raw))
        if review:
            blocks.append((_Block.REVIEW, review[0][0], review))
        return blocks

    def _markdown(self, body: list[tuple[int, str]], page: ParsedPage) -> str:
        """The body as Markdown: article links rewritten, list items kept together."""
        out: list[str] = []
        for _number, raw in body:
            line = raw.rstrip()
            if not line.strip():
                out.append("")
                continue
            if _LIST_ITEM.match(line) and len(out) >= 2 and out[-1] == "" and _LIST_ITEM.match(out[-2]):
                out.pop()  # a blank line inside a list does not end it
            out.append(_rewrite_links(line, page))
        return "\n".join(out).strip()

    def _review(self, body: list[tuple[int, str]], page: ParsedPage) -> None:
        for number, line in body:
            date_match = _REVIEW_DATE.match(line)
            if date_match:
                if _SPANISH_REVIEW_DATE.match(line):
                    self.language = SPANISH
                    page.review_date = _spanish_date(date_match.group(1), number)
                else:
                    page.review_date = _us_date(date_match.group(1), number)
                continue
            if line.startswith(_ENGLISH_REVIEW):
                continue
            if line.startswith("Actualizado por:"):
                self.language = SPANISH
            translated = _TRANSLATED_BY.match(line)
            if translated:
                self.language = SPANISH
                page.translated_by = translated.group("who").strip()
                continue
            _credits(line, number, page)


def check_lengths(page: ParsedPage) -> None:
    """Refuse a page whose summary, a section or the whole is longer than an article may be
    (``encyclopedia.limits``: the admin's forms say the same), or that has more sections or
    alternative names than an article may (each is a row and a version: 50,000 took minutes),
    naming the line."""
    too_many = limits.sections_error(len(page.sections))
    if too_many:
        raise ParseError(too_many.rstrip("."), page.sections[limits.sections_limit()].line)
    too_many = limits.names_error(len(page.alternative_names))
    if too_many:
        name = page.alternative_names[limits.names_limit()]
        raise ParseError(too_many, page.name_lines.get(name, 0))
    too_long = limits.summary_error(page.summary)
    if too_long:
        raise ParseError(too_long.rstrip("."), page.summary_line)  # the importer ends the sentence
    for section in page.sections:
        too_long = limits.section_error(section.body, section.heading)
        if too_long:
            raise ParseError(too_long.rstrip("."), section.line)
    too_long = limits.article_error(page.summary, (section.body for section in page.sections))
    if too_long:  # named at the section that passes the limit
        size, line = len(page.summary), page.summary_line
        for section in page.sections:
            if size > limits.article_limit():
                break
            size, line = size + len(section.body), section.line
        raise ParseError(too_long.rstrip("."), line)


def _public_id(line: str, number: int) -> str:
    """The article id a "URL of this page" line names."""
    match = _ARTICLE_URL.search(line)
    if not match:
        raise ParseError("the “URL of this page” line names no /ency/article/NNNNNN.htm", number)
    return match.group(1)


def parse_codes(lines: list[tuple[int, str]]) -> list[CodeData]:
    """The coded concepts of "Codes:" lines: items separated by semicolons, each a system (its
    name or OID), a code and optionally the code's display name; each code checked by its
    system's rules, and none twice."""
    found: dict[tuple[str, str], int] = {}
    codes = []
    for number, line in lines:
        text = _CODES_LINE.match(line).group("codes")
        items = [item.strip() for item in text.split(";")]
        if not any(items):
            raise ParseError(
                "the “Codes:” line names no code: write “Codes: ICD-10-CM E11.9; LOINC 4548-4”", number
            )
        for item in filter(None, items):
            match = _CODE_ITEM.match(item)
            system = coding.by_name(match.group("system")) if match else None
            if system is None:
                raise ParseError(
                    f"“{item[:60]}” in the “Codes:” line is not a code system and a code: start each "
                    "item with ICD-10-CM, ICD-9-CM, SNOMED CT, LOINC or CPT (or its OID), then the code",
                    number,
                )
            code = coding.normalize(system, match.group("code"))
            problem = coding.problem(system, code)
            if problem:
                raise ParseError(f"in the “Codes:” line, {problem}", number)
            name = (match.group("name") or "").strip()
            if len(name) > coding.DISPLAY_NAME_MAX_LENGTH:
                raise ParseError(
                    f"the name of {coding.label(system)} {code} is longer than "
                    f"{coding.DISPLAY_NAME_MAX_LENGTH} characters",
                    number,
                )
            if (system, code) in found:
                raise ParseError(
                    f"{coding.label(system)} {code} is listed twice (first on line {found[system, code]})",
                    number,
                )
            found[system, code] = number
            codes.append(CodeData(system=system, code=code, display_name=name, line=number))
    return codes


def _is_review_line(line: str) -> bool:
    """A review date or credit line, in English or Spanish: they end the article's own content."""
    return bool(_REVIEW_DATE.match(line)) or line.startswith(
        ("Updated by:", "Actualizado por:", "Traducido por:", _ENGLISH_REVIEW)
    )


def _spanish_date(text: str, line: int) -> datetime.date:
    """A Spanish page's review date: "5/3/2026" (day first) or "5 de marzo de 2026"."""
    numeric = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    spelled = re.fullmatch(r"([0-9]{1,2}) de ([a-z]+) de ([0-9]{4})", text.lower())
    try:
        if numeric:
            day, month, year = (int(part) for part in numeric.groups())
            return datetime.date(year, month, day)
        if spelled and spelled.group(2) in _SPANISH_MONTHS:
            return datetime.date(
                int(spelled.group(3)), _SPANISH_MONTHS[spelled.group(2)], int(spelled.group(1))
            )
    except ValueError:
        pass
    raise ParseError(
        f"“{text}” is not a review date in the form D/M/AAAA (day first) or “5 de marzo de 2026”", line
    )


def _is_breadcrumb(line: str) -> bool:
    return "→" in line and any(
        name in line.lower() for name in ("medical encyclopedia", "enciclopedia médica")
    )


def _rewrite_links(line: str, page: ParsedPage) -> str:
    def replace(match: re.Match[str]) -> str:
        text, href = match.group("text"), match.group("href")
        article = _ARTICLE_URL.fullmatch(href) or _ARTICLE_URL.fullmatch(href.split("#")[0])
        if article and "/ency/article/" in href:
            page.article_links.append(article.group(1))
            return f"[{text}](article:{article.group(1)})"
        if href in ("", "#") or href.startswith("#"):
            return text
        if href.startswith("//"):
            href = "https:" + href
        return f"[{text}]({href})"

    return _LINK.sub(replace, line)


def _alternative_names(body: list[tuple[int, str]]) -> tuple[list[str], dict[str, int]]:
    """The names split at semicolons (or one per list item), with the line each stands on."""
    lines: dict[str, int] = {}
    for number, line in body:
        for name in _LIST_ITEM.sub("", line, count=1).split(";"):
            name = name.strip()
            if name and name not in lines:
                lines[name] = number
    return list(lines), lines


def _us_date(text: str, line: int) -> datetime.date:
    try:
        match = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
        if not match:
            raise ValueError(text)
        month, day, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    except (ValueError, TypeError):
        raise ParseError(f"“{text}” is not a review date in the form M/D/YYYY", line) from None


# ---------------------------------------------------------------- credits

_CREDENTIAL_WORDS = {"PhD", "PharmD", "DrPH", "MSc", "MEd", "MPhil", "DPhil", "EdD", "PsyD", "MBBS", "MSt"}
_DEPARTMENT = re.compile(r"^(Department|Dept\.?|Division|Section) ", re.IGNORECASE)
_INSTITUTION = re.compile(
    r"\b(University|College|School|Hospital|Institute|Center|Centre|Clinic|Health|Medical|Foundation)\b"
)
_ROLE = re.compile(r"\b(Director|Editor|Officer|Chief|Manager|President|Lead|Chair)\b")


def _is_credential(token: str) -> bool:
    token = token.strip()
    if token in _CREDENTIAL_WORDS:
        return True
    letters = token.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def parse_reviewer(text: str, line: int) -> ReviewerData:
    """ "Name, MD, Title, Department, Institution, City, ST" into its fields."""
    parts = [part.strip() for part in text.split(",")]
    reviewer = ReviewerData(name=parts[0])
    rest = parts[1:]
    creds: list[str] = []
    while rest and _is_credential(rest[0]) and not (len(rest) == 1 and creds):
        creds.append(rest.pop(0))
    reviewer.credentials = ", ".join(creds)
    if len(rest) >= 2 and re.fullmatch(r"[A-Z]{2}", rest[-1]):
        reviewer.state = rest.pop()
        reviewer.city = rest.pop()
    department = next((i for i, part in enumerate(rest) if _DEPARTMENT.match(part)), None)
    if department is not None:
        reviewer.title = ", ".join(rest[:department])
        reviewer.department = rest[department]
        reviewer.institution = ", ".join(rest[department + 1 :])
    else:
        institution = next((i for i, part in enumerate(rest) if _INSTITUTION.search(part)), len(rest))
        reviewer.title = ", ".join(rest[:institution])
        reviewer.institution = ", ".join(rest[institution:])
    if not reviewer.name or reviewer.credit() != text.strip():
        raise ParseError(f"cannot read the reviewer credit “{text}”", line)
    return reviewer


def parse_credits(text: str, line: int) -> list[CreditData]:
    """ "A, MD, Medical Director, B, Editorial Director, and the Editorial team"."""
    tokens = [token.strip() for token in text.split(",")]
    if tokens and tokens[-1].startswith("and "):
        tokens[-1] = tokens[-1][4:]
    items: list[CreditData] = []
    for token in tokens:
        if not token:
            raise ParseError(f"cannot read the credits “{text}”", line)
        if items and _is_credential(token) and not items[-1].role:
            current = items[-1]
            current.credentials = f"{current.credentials}, {token}" if current.credentials else token
        elif items and _ROLE.search(token) and not items[-1].role:
            items[-1].role = token
        else:
            items.append(CreditData(name=token))
    if credits.join_credits([item.credit() for item in items]) != text.strip():
        raise ParseError(f"cannot read the credits “{text}”", line)
    return items


def read_review_line(text: str, line: int, page: ParsedPage) -> bool:
    """Read a "Review Date M/D/YYYY" or "Updated by:" line into ``page``; False for any other line
    (the HTML reader's ``#section-version`` holds other lines too)."""
    date_match = _REVIEW_DATE.match(text)
    if date_match:
        page.review_date = _us_date(date_match.group(1), line)
        return True
    if text.startswith("Updated by:"):
        _credits(text, line, page)
        return True
    return False


def _credits(text: str, line: int, page: ParsedPage) -> None:
    spanish = text.startswith("Actualizado por:")
    match = (_SPANISH_UPDATED_BY if spanish else _UPDATED_BY).match(text)
    if not match:
        label = "Actualizado por:" if spanish else "Updated by:"
        raise ParseError(f"cannot read the “{label}” credit", line)
    page.credit_line = line
    page.reviewer = parse_reviewer(match.group("credit"), line)
    page.review_organization = (match.group("org") or "").strip()
    if match.group("also"):
        page.also_reviewed_by = parse_credits(match.group("also"), line)


# ---------------------------------------------------------------- citations

_TAIL = re.compile(
    r"^(?: doi:(?P<doi>\S+?)\.)?"
    r"(?: PMID: (?P<pmid>\d+)\.)?"
    r"(?: (?P<url>(?:https?://)?[\w.-]+\.[a-z]{2,}(?:/\S*?)?)\.)?"
    r"(?: Updated (?P<updated>[^.]+)\.)?"
    r"(?: Accessed (?P<accessed>[A-Z][a-z]+ \d{1,2}, \d{4})\.)?$"
)
_BOOK_PLACE = (
    r"(?:(?P<edition>\S+) ed\. )?(?:(?P<place>[^:;*]+): )?(?P<publisher>[^;*]+); (?P<year>\d{4}[a-z]?)"
)
_BOOK_LOCATOR = r"(?::chap (?P<chapter>[^.\s]+)|:(?P<pages>[^.\s]+))?\."
_PATTERNS = [
    (
        "book_chapter",
        re.compile(
            r"^(?P<authors>[^*]+?)\. (?P<title>[^*]+?[.?!]) In: (?P<editors>[^*]+?), eds?\. "
            r"\*(?P<container_title>[^*]+)\*\. " + _BOOK_PLACE + _BOOK_LOCATOR + r"(?P<tail>.*)$"
        ),
    ),
    (
        "book",
        re.compile(
            r"^(?:(?P<authors>[^*]+?)\. )?\*(?P<title>[^*]+)\*\. "
            + _BOOK_PLACE
            + _BOOK_LOCATOR
            + r"(?P<tail>.*)$"
        ),
    ),
    (
        "journal_article",
        re.compile(
            r"^(?P<authors>[^*]+?)\. (?P<title>[^*]+?[.?!]) \*(?P<container_title>[^*]+)\*\. "
            r"(?P<year>\d{4}[^;:.]*?)(?:;(?P<volume>[^(:.]+)(?:\((?P<issue>[^)]+)\))?)?(?::(?P<pages>[^.\s]+))?\."
            r"(?P<tail>.*)$"
        ),
    ),
    (
        "website",
        re.compile(
            r"^(?:(?P<authors>[^*]+?)\. )?(?P<container_title>[^*]+?) website\. (?P<title>[^*]+?[.?!])"
            r"(?P<tail> .*)$"
        ),
    ),
    (
        "guideline",
        re.compile(
            r"^(?:(?P<authors>[^*]+?)\. )?(?P<title>[^*]+?[.?!]) (?:(?P<place>[^:;*]+): )?(?P<publisher>[^;*]+); "
            r"(?P<year>\d{4}[a-z]?)\.(?P<tail>.*)$"
        ),
    ),
]


def parse_citation(text: str, line: int = 0) -> CitationData:
    """Read one reference in NLM/AMA style; its rendering must give back the same text."""
    text = text.strip()
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        found = {name: value for name, value in match.groupdict().items() if value is not None}
        tail = _TAIL.match(found.pop("tail", ""))
        if not tail:
            continue
        found.update({name: value for name, value in tail.groupdict().items() if value is not None})
        citation = _citation(kind, found)
        if citation is not None and references.render_text(citation) == text:
            return citation
    problems = _identifier_problems(text)
    if problems:
        raise ParseError("reference: " + "; ".join(problems), line)
    raise ParseError(
        f"cannot read this reference as a book chapter, book, journal article, website or guideline: “{text[:120]}”",
        line,
    )


# A reference's identifiers, found loosely (any order, any spacing) so that one the page format
# cannot read is named with the check it fails, the admin's citation form's.
_LOOSE_IDENTIFIERS = [
    (
        "year",
        references.year_validator,
        # a journal's "*Journal*. 2020;12(3)": not a book's "*Book*. 6th ed." edition
        re.compile(r"^[^*]+?\. [^*]+?[.?!] \*[^*]+\*\. (?P<value>[^;:.]*\d[^;:.]*)(?<! ed)(?=[;:.])"),
    ),
    (
        "PMID",
        references.pmid_validator,
        re.compile(r"\bPMID:?\s*(?P<value>.+?)\.?(?=\s+(?:PMID|doi|https?://|Updated|Accessed)|\s*$)"),
    ),
    (
        "DOI",
        references.doi_validator,
        re.compile(r"\bdoi:\s*(?P<value>.+?)\.?(?=\s+(?:PMID|doi|https?://|Updated|Accessed)|\s*$)"),
    ),
    ("URL", URLValidator(), re.compile(r"(?P<value>https?://\S+?)\.?(?=\s|$)")),
]


def _identifier_problems(text: str) -> list[str]:
    """Each year, PMID, DOI or URL of an unreadable reference that its field's check refuses."""
    problems = []
    for name, validator, pattern in _LOOSE_IDENTIFIERS:
        for match in pattern.finditer(text):
            value = match.group("value").strip()
            try:
                validator(value)
            except ValidationError as error:
                problems.append(f"{name} “{value[:60]}”: {' '.join(error.messages).rstrip('.')}")
    return problems


def _citation(kind: str, found: dict[str, str]) -> CitationData | None:
    citation = CitationData(kind=kind)
    for name, value in found.items():
        if name == "accessed":
            try:
                citation.accessed = datetime.datetime.strptime(value, "%B %d, %Y").date()
            except ValueError:
                return None
        else:
            setattr(citation, name, value.strip())
    if citation.title.endswith(".") and kind != "book":
        citation.title = citation.title[:-1]
    if citation.url and not citation.url.startswith(("http://", "https://")):
        citation.url = "https://" + citation.url
    return citation
