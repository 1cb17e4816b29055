"""Fuzzing the three readers of untrusted text: the Markdown renderer, the citation parser and
the importer. Whatever they are given, they never crash: they render, parse or import it, or
refuse it with their own clear error, and a refused import leaves nothing half-saved.

The runs are derandomized (the same examples every run, so CI is repeatable) and keep no
example database (nothing is written into the repository). ``FUZZ_EXAMPLES=3000`` runs a
deeper, randomized search locally; a failure then prints the blob that reproduces it.
"""

from __future__ import annotations

import os
import re
from functools import cache as memoize
from html.parser import HTMLParser
from pathlib import Path

import nh3
import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from editorial.actions.import_article import import_page
from editorial.errors import EditorialError
from editorial.importer.parser import ParseError, parse_citation, parse_page
from encyclopedia import markup, references
from encyclopedia.models import Article
from tests.conftest import SEED, active_content
from tests.factories import seed_sections, to_markdown

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz(examples: int):
    """Repeatable settings: derandomized, no example database, no deadline (the database is slow)."""
    return settings(
        max_examples=EXAMPLES or examples,
        derandomize=not EXAMPLES,
        database=None,
        deadline=None,
        print_blob=bool(EXAMPLES),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Pieces of Markdown, HTML and page syntax, so that generated text hits the interesting paths
# far more often than uniformly random characters would.
HOSTILE = [
    "<script>alert(1)</script>",
    "<script",
    "</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>",
    "<style>body{display:none}</style>",
    ' style="color:red"',
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    " onmouseover=alert(1) ",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<",
    ">",
    '"',
    "'",
    "&",
    "&lt;",
    "&amp;",
    "&#0;",
    "&#x0;",
    "\u202e",  # right-to-left override
    "\u200b",  # zero width space
    "\ufeff",
    "\u0000",
    "\ud800",  # a lone surrogate
    "🦵",
    "\u0301",
]
MARKDOWN = [
    "[",
    "]",
    "](",
    ")",
    "[x](",
    "[x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](<javascript:alert(1)>)",
    '[x](https://example.org "title")',
    "[x](article:000982)",
    "[x](article:00098)",
    "[x](/ency/article/003194.htm)",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    "<https://example.org>",
    "mailto:a@example.org",
    "*",
    "**",
    "_",
    "`",
    "\\",
    "#",
    "## ",
    "> ",
    "- ",
    "1. ",
    "99999999999. ",
    "\n",
    "\n\n",
    "  \n",
    "\t",
    " ",
    "x",
    "word",
]
PAGE = [
    "URL of this page: https://medlineplus.gov/ency/article/000001.htm",
    "URL of this page: /ency/article/١٢٣٤٥٦.htm",
    "# Title",
    "## Heading",
    "Causes",
    "Alternative Names",
    "References",
    "Review Date 3/31/2024",
    "Review Date 13/45/2024",
    "Review Date 1/1/99999999999999999999",
    "Updated by: ",
    "Updated by: Jane Doe, MD, Department of Medicine, Example University, Springfield, IL.",
    " Review provided by ",
    " Also reviewed by ",
    "Learn how to cite this page",
    "Home → Medical Encyclopedia → x",
    "; ",
    ", ",
    ". ",
    "In: ",
    ", eds. ",
    "*Book*",
    " website. ",
    "Philadelphia, PA: Elsevier; 2020:chap 18.",
    " Accessed March 31, 2024.",
    " Accessed February 30, 2024.",
    " doi:10.1000/xyz.",
    " PMID: 12345.",
    " Updated May 1, 2023.",
    "2021;12(3):45-67.",
    "x" * 250,
]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(HOSTILE + MARKDOWN) | st.text(max_size=6), max_size=25).map("".join),
)
page_text_pieces = st.lists(
    st.sampled_from(HOSTILE + MARKDOWN + PAGE) | st.text(max_size=8), max_size=12
).map("".join)


# ---------------------------------------------------------------- what may reach a browser

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
GENERIC_ATTRIBUTES = {"title", "lang"}  # nh3's default on every element: inert text
SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str:
    """The scheme a browser would see in an attribute value: it drops tabs and new lines
    anywhere and control characters and spaces in front (the WHATWG URL parser)."""
    value = re.sub(r"[\t\n\r]", "", value).lstrip("".join(chr(c) for c in range(0x21))).lower()
    match = _SCHEME.match(value)
    return match.group(1) if match else ""


class Markup(HTMLParser):
    """Everything in a fragment of HTML that is not plain, allowed markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "svg", "style", "math", "iframe", "img", "object", "embed"):
            self.problems.append(f"<{tag}> element")
        elif tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not an allowed element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name not in ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES:
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = url_scheme(value or "")
                if scheme and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{scheme}: URL in {name}= on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append("a comment")

    def handle_decl(self, decl):
        self.problems.append(f"a declaration <!{decl}>")

    def handle_pi(self, data):
        self.problems.append("a processing instruction")

    def unknown_decl(self, data):
        self.problems.append(f"a declaration <![{data}]>")


def markup_problems(html: str) -> list[str]:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<script>x</script>", "<script> element"),
        ('<p onclick="x">', "event handler onclick= on <p>"),
        ('<a href=" JavaScript:x">', "javascript: URL in href= on <a>"),
        ('<a href="java&#x09;script:x">', "javascript: URL in href= on <a>"),
        ('<a href="data:text/html,x">', "data: URL in href= on <a>"),
        ('<p style="x">', "style= on <p>"),
        ("<svg></svg>", "<svg> element"),
        ("<b>x</b>", "<b> is not an allowed element"),
        ("<!-- x -->", "a comment"),
    ],
)
def test_the_checker_sees_executable_markup(html, problem):
    assert problem in markup_problems(html)


def test_the_checker_passes_allowed_markup():
    html = '<p>a <em>b</em> <a href="https://example.org">c</a> <a href="/ency/article/000001.htm">d</a></p>'
    assert markup_problems(html + '<ol start="3"><li>x<br></li></ol>') == []


# ---------------------------------------------------------------- (1) the Markdown renderer


def _sanitize_again(html: str) -> str:
    return nh3.clean(
        html,
        tags=markup.ALLOWED_TAGS,
        attributes=markup.ALLOWED_ATTRIBUTES,
        url_schemes=markup.ALLOWED_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


@fuzz(1000)
@given(text=hostile_text)
@example(text='<img src=x onerror="window.__pwned=1">')
@example(text="[x](java\tscript:alert(1))")
@example(text="[a](article:000001) [b](/ency/article/000002.htm) [c](article:٠٠٠٠٠٣)")
def test_any_text_renders_to_inert_markup(text):
    rendered = markup.render(text)
    assert markup_problems(rendered.html) == []
    assert _sanitize_again(rendered.html) == rendered.html, "sanitizing the output again changes nothing"
    assert markup_problems(markup.render(rendered.html).html) == [], (
        "the output read as Markdown is inert too"
    )
    assert markup_problems(markup.unlink_articles(rendered.html, set())) == []
    assert all(re.fullmatch(r"[0-9]{6}", public_id) for public_id in rendered.article_ids)


# ---------------------------------------------------------------- (2) the citation parser


@memoize
def seed() -> str:
    """The reference page, read from ../shared (never copied here); not a fixture, so that
    hypothesis does not print the whole page with every failing example."""
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}. Clone the project beside shared/.")
    return SEED.read_text(encoding="utf-8")


@memoize
def seed_references() -> list[str]:
    return seed_sections(seed())["References"]


citation_fields = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(sorted(references.REQUIRED)),
        **{
            name: st.sampled_from(["", "Smith J, Doe A", "Title?", "Example", "2020", "x.y", "*", ". "])
            | st.text(max_size=12)
            for name in (
                "authors",
                "title",
                "editors",
                "container_title",
                "edition",
                "place",
                "publisher",
                "year",
                "volume",
                "issue",
                "pages",
                "chapter",
                "doi",
                "pmid",
                "url",
                "updated",
            )
        },
        "accessed": st.none() | st.dates(),
    }
)


def assert_parses_or_is_refused_clearly(text: str) -> None:
    try:
        parsed = parse_citation(text, 7)
    except ParseError as error:
        assert error.line == 7
        assert str(error).startswith(
            ("line 7: cannot read this reference as a book chapter, book,", "line 7: reference: ")
        )
    else:
        assert references.render_text(parsed) == text.strip(), (
            "a reference is read only if it reads back the same"
        )


@fuzz(800)
@given(text=page_text_pieces)
@example(text="Smith J. A title. *Journal*. 2020;1(2):3-4. Accessed February 30, 2024.")
@example(text="Smith J. *Book*. Place: Publisher; ٢٠٢٠.")
def test_any_text_is_a_reference_or_a_clear_refusal(text):
    assert_parses_or_is_refused_clearly(text)


@fuzz(300)
@given(fields=citation_fields)
def test_any_rendered_citation_reads_back_or_is_refused_clearly(fields):
    from editorial.importer.parser import CitationData

    assert_parses_or_is_refused_clearly(references.render_text(CitationData(**fields)))


@fuzz(300)
@given(data=st.data())
def test_mutated_seed_references_read_back_or_are_refused_clearly(data):
    reference = data.draw(st.sampled_from(seed_references()))
    position = data.draw(st.integers(0, len(reference)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(page_text_pieces)
    assert_parses_or_is_refused_clearly(reference[:position] + insert + reference[position + cut :])


# ---------------------------------------------------------------- (3) the importer


def content_counts() -> dict[str, int]:
    """Rows in every table the importer may write: content, history, audit, search and index."""
    models = [
        *apps.get_app_config("encyclopedia").get_models(),
        *apps.get_app_config("editorial").get_models(),
        *apps.get_app_config("reversion").get_models(),
    ]
    return {model._meta.label: model.objects.count() for model in models}


MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.integers(0, 10_000)),
    st.tuples(st.just("replace"), st.integers(0, 10_000), page_text_pieces),
    st.tuples(st.just("insert line"), st.integers(0, 10_000), page_text_pieces),
    st.tuples(st.just("insert text"), st.integers(0, 10_000), st.integers(0, 10_000), page_text_pieces),
    st.tuples(st.just("truncate"), st.integers(0, 10_000)),
)


def mutate(text: str, mutations: list[tuple]) -> str:
    lines = text.split("\n")
    for operation, *args in mutations:
        if not lines:
            break
        index = args[0] % len(lines)
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = args[1] % len(lines)
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "replace":
            lines[index] = args[1]
        elif operation == "insert line":
            lines.insert(index, args[1])
        elif operation == "insert text":
            at = args[1] % (len(lines[index]) + 1)
            lines[index] = lines[index][:at] + args[2] + lines[index][at:]
        else:
            lines = lines[:index]
    return "\n".join(lines)


def import_or_refuse(text: str, client) -> str:
    """Import ``text`` inside a transaction that is rolled back, so examples do not pile up;
    "imported" or "refused"."""
    from encyclopedia.models import SectionHeading

    cache.clear()
    known = set(SectionHeading.objects.values_list("name", flat=True))
    with transaction.atomic():
        before = content_counts()
        try:
            result = import_page(parse_page(text, known), source="fuzz.txt")
        except ParseError as error:
            assert content_counts() == before, f"refused ({error}) but rows were saved"
            assert error.message.strip()
            line_count = len(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")))
            assert 0 <= error.line <= line_count + 1, "the line is in the file (or just after its end)"
            if error.line:
                assert str(error) == f"line {error.line}: {error.message}", "the error names the line"
            return "refused"
        except EditorialError as error:
            assert content_counts() == before, f"refused ({error}) but rows were saved"
            assert str(error).strip()
            return "refused"
        else:
            assert re.fullmatch(r"[0-9]{6}", result.public_id)
            response = client.get(f"/ency/article/{result.public_id}.htm")
            if result.outcome == "draft":  # no review on the page: it waits for one, unseen
                assert response.status_code == 404
                return "imported"
            assert response.status_code == 200
            assert active_content(response.content.decode()) == []
            return "imported"
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
@fuzz(200)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=4), markdown=st.booleans())
def test_mutated_seed_pages_import_or_are_refused_whole(client, mutations, markdown):
    source = to_markdown(seed()) if markdown else seed()
    event(import_or_refuse(mutate(source, mutations), client))


@pytest.mark.django_db
@fuzz(200)
@given(text=st.one_of(st.text(max_size=300), st.lists(page_text_pieces, max_size=12).map("\n".join)))
@example(text="Title\n\nA summary.\n\nReview Date 1/1/99999999999999999999\n")
@example(text="URL of this page: /ency/article/١٢٣٤٥٦.htm\nTitle\n\nA summary.\n")
def test_random_pages_import_or_are_refused_whole(client, text):
    event(import_or_refuse(text, client))


# Small limits, so that generated pages cross them often (encyclopedia.limits reads the settings).
SMALL_LIMITS = {"ARTICLE_SUMMARY_MAX_CHARS": 60, "ARTICLE_SECTION_MAX_CHARS": 80, "ARTICLE_MAX_CHARS": 200}
# Plain words and odd characters that stay as they are through the reader: lengths are predictable.
limit_text = st.lists(
    st.sampled_from(["cramp", "night", " ", "é", "e\u0301", "\U0001f9b5", "&lt;b&gt;", "\u202e", "x" * 30]),
    min_size=1,
    max_size=40,
).map(lambda words: "a" + "".join(words).strip())


@pytest.mark.django_db
@fuzz(150)
@given(summary=limit_text, bodies=st.lists(limit_text, max_size=5))
def test_texts_around_the_limits_import_exactly_or_are_refused_with_the_limit(summary, bodies):
    text = f"# Night cramps\n\n{summary}\n\n" + "".join(
        f"## Part {number}\n\n{body}\n\n" for number, body in enumerate(bodies, start=1)
    )
    limits = SMALL_LIMITS
    too_long = (
        len(summary) > limits["ARTICLE_SUMMARY_MAX_CHARS"]
        or any(len(body) > limits["ARTICLE_SECTION_MAX_CHARS"] for body in bodies)
        or len(summary) + sum(map(len, bodies)) > limits["ARTICLE_MAX_CHARS"]
    )
    cache.clear()
    with override_settings(**SMALL_LIMITS), transaction.atomic():
        before = content_counts()
        try:
            result = import_page(parse_page(text), source="fuzz.txt")
        except ParseError as error:
            assert too_long, f"refused within the limits: {error}"
            assert re.search(
                r"is [0-9,]+ characters long; the limit is [0-9,]+ characters \([0-9,]+ too many\)",
                error.message,
            )
            assert error.line > 0 and str(error).startswith(f"line {error.line}: ")
            assert content_counts() == before, "refused, but rows were saved"
        else:
            assert not too_long, "a text over its limit was saved"
            article = Article.objects.get(public_id=result.public_id)
            assert article.summary == summary
            assert [section.body for section in article.sections.order_by("position")] == bodies
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_seed_itself_imports_under_the_fuzz_harness(client):
    """The harness does reach the success path: an unchanged seed imports and its page loads."""
    from encyclopedia.models import Article

    assert import_or_refuse(seed(), client) == "imported"
    assert not Article.objects.exists(), "each example is rolled back"


# ---------------------------------------------------------------- regressions the fuzzing found


def test_a_lone_surrogate_renders_as_a_replacement_character():
    """It crashed nh3 (UnicodeEncodeError) and so the page freeze; now it shows as �."""
    assert markup.render("Half a pair: \ud800 here").html == "<p>Half a pair: \ufffd here</p>"


@pytest.mark.parametrize("date", ["1/1/99999999999999999999", "1_0/1/2024", "٣/٣١/٢٠٢٤", "3/31/24"])
def test_a_review_date_out_of_range_or_in_other_digits_is_a_clear_error(date):
    """A year too large for a date raised OverflowError, and int() read "1_0" and Arabic-Indic digits."""
    with pytest.raises(ParseError) as error:
        parse_page(f"Title\n\nA summary.\n\nReview Date {date}\n")
    assert str(error.value) == f"line 5: “{date}” is not a review date in the form M/D/YYYY"


def test_an_article_id_in_other_digits_is_refused():
    """Arabic-Indic digits passed for an id ("١٢٣٤٥٦") and made an article no URL of ours reaches."""
    with pytest.raises(
        ParseError, match="line 1: the “URL of this page” line names no /ency/article/NNNNNN.htm"
    ):
        parse_page("URL of this page: https://example.org/ency/article/١٢٣٤٥٦.htm\nTitle\n\nA summary.\n")
    page = parse_page("Title\n\nSee [this](/ency/article/١٢٣٤٥٦.htm).\n")
    assert page.article_links == []


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x0b", "\x0c", "\x7f", "\ud800"])
def test_control_characters_in_an_import_file_are_refused_with_their_line(character):
    """A control character in a title made the Atom feed fail (XML cannot hold it)."""
    with pytest.raises(ParseError) as error:
        parse_page(f"Title\n\nA summary.\n\nCauses\n\nBad{character}line.\n")
    assert error.value.line == 7
    assert f"(U+{ord(character):04X})" in str(error.value)
    assert str(error.value).startswith("line 7: the line holds a control character")


def test_tabs_are_not_control_characters_to_refuse():
    assert parse_page("Title\n\nA\tsummary.\n").summary == "A\tsummary."


# ---------------------------------------------------------------- (4) saved HTML pages and any file

_HTML_PAGE = Path(__file__).parent / "pages" / "morning_finger_stiffness.html"
_HTML_ANCHORS = ("<p>A cold bedroom", "can make the feeling stronger.</p>", "<li>Wear of the joint", "</ul>",
                 "<div class=\"section-body\" id=\"section-Alt-body\">", "<h1 class", "<div id=\"ency_summary\"")  # fmt: skip
HTML_PIECES = [
    "<script>window.__pwned=1</script>", "<a href='javascript:window.__pwned=1'>", "<a href=\" data:text/html,x\">",
    "</a>", "<img src=x onerror=window.__pwned=1>", "<p onclick=window.__pwned=1>", "</p>", "<ul><li>", "</li>",
    "</ul>", "<ol start=3><li>", "</ol>", "<em>", "</em>", "<strong>", "<b>", "<div class='section'>", "</div>",
    "<h2>", "</h2>", "&lt;script&gt;", "&amp;", "&#0;", "&#x202e;", "<!--", "-->", "<style>", "</style>", "<br>",
    "<svg onload=x>", "<iframe src=//evil.example>", "<a href='/ency/article/000431.htm'>", "<a href='#top'>",
    "*", "_", "[", "](javascript:x)", "- ", "1. ", "\n", " ", "<", ">", "\"", "'",
]  # fmt: skip


@fuzz(300)
@given(
    pieces=st.lists(st.sampled_from(HTML_PIECES) | st.text(max_size=8), max_size=15).map("".join),
    anchor=st.sampled_from(_HTML_ANCHORS),
)
def test_any_markup_in_a_saved_page_is_read_safely_or_refused_clearly(pieces, anchor):
    from editorial.importer.html import parse_html

    page_html = _HTML_PAGE.read_text(encoding="utf-8").replace(anchor, pieces + anchor, 1)
    try:
        page = parse_html(page_html)
    except ParseError as error:
        assert error.message.strip(), "a refusal says why"
        return
    texts = [page.summary, *(section.body for section in page.sections)]
    for text in texts:
        assert active_content(markup.render(text).html) == [], text
        assert not re.search(r"\]\(\s*(?:javascript|data|vbscript):", text, re.IGNORECASE), text
    for plain in [page.title, *page.alternative_names, *(s.heading for s in page.sections)]:
        assert "<script" not in plain.lower() and "onerror" not in plain.lower()
    for image in page.images:
        assert image.source_url == "" or image.source_url.startswith(("http://", "https://"))


@fuzz(300)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(lambda text: text.encode("utf-8")))
@example(data=b"")
@example(data=b"\xef\xbb\xbf<!DOCTYPE html>")
@example(data=b"%PDF-1.4")
def test_any_file_is_a_page_or_a_clear_refusal(data):
    from editorial.importer.sniff import parse_file

    try:
        parse_file(data, frozenset({"Causes"}))
    except ParseError as error:
        assert error.message.strip(), "a refusal says why"


# ---------------------------------------------------------------- the Infobutton service

_CODE_SYSTEMS = ["2.16.840.1.113883.6.90", "2.16.840.1.113883.6.103", "2.16.840.1.113883.6.96",
                 "2.16.840.1.113883.6.1", "2.16.840.1.113883.6.12"]  # fmt: skip
infobutton_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HOSTILE),
    st.sampled_from(
        [*_CODE_SYSTEMS, "E11.65", "e1165", "4548-4", "44054006", "99213", "250.00", "en", "es-MX"]
    ),
    st.sampled_from(["text/xml", "application/json", "text/javascript", "cb", "a.b_$1"]),
).filter(lambda value: not re.search("[\ud800-\udfff]", value))  # a URL cannot carry a lone surrogate
infobutton_queries = st.dictionaries(
    st.sampled_from(
        [
            "mainSearchCriteria.v.cs",
            "mainSearchCriteria.v.c",
            "mainSearchCriteria.v.dn",
            "informationRecipient.languageCode.c",
            "knowledgeResponseType",
            "callback",
        ]
    ),
    infobutton_values,
)


@pytest.mark.django_db
@fuzz(300)
@given(query=infobutton_queries)
@example(query={"mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90", "mainSearchCriteria.v.c": "E11.65"})
def test_any_infobutton_request_is_answered_or_refused_with_400(client, query):
    from xml.etree import ElementTree

    from encyclopedia import coding

    cache.clear()
    response = client.get("/infobutton/service", query)
    assert response.status_code in (200, 400), response.status_code
    kind = response["Content-Type"].split(";")[0]
    if kind == "text/xml":
        ElementTree.fromstring(response.content)
    elif kind == "application/json":
        assert response.json()
    else:
        assert kind == "text/javascript" and response.content.startswith(b"/**/")
    event(f"{response.status_code} {kind}")
    system = query.get("mainSearchCriteria.v.cs", "")
    code = coding.normalize(system, query.get("mainSearchCriteria.v.c", ""))
    assert coding.problem(system, code) is None or coding.problem(system, code).strip()


# ---------------------------------------------------------------- citation identifiers (year, PMID, DOI, URL)

_JOURNAL_CITATION = {
    "kind": "journal_article",
    "authors": "Doe A",
    "title": "Night cramps in runners",
    "container_title": "Example Journal",
    "year": "2024",
}
identifier_values = st.one_of(
    st.sampled_from(
        [
            "",
            "2024",
            " 2024a ",
            "2020 Mar 15",
            "abcd",
            "٢٠٢٤",
            "31234567",
            "0123",
            "PMID: 123",
            "10.1000/xyz123",
            "10.1000/a b",
            "doi:10.1000/x",
            "10.1000/x\u202e",
            "https://example.org/a",
            "example.org",
            "javascript:alert(1)",
            "https://exa mple.org",
        ]
    ),
    st.from_regex(r"[12][0-9]{3}[a-z]?( [A-Z][a-z]{2}( [0-9]{1,2})?)?", fullmatch=True),
    st.from_regex(r"10\.[0-9]{4,5}/[!-~]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9]{1,11}", fullmatch=True),
    st.text(max_size=24),
    page_text_pieces,
)


def _as_the_form_keeps_it(field: str, value: str) -> str:
    """``value`` as the admin's form hands it to the model: stripped (a URL given its https://
    scheme), without direction controls."""
    from django import forms

    from encyclopedia.fields import strip_direction_controls

    if field == "url":
        return forms.URLField(assume_scheme="https", required=False).clean(value)
    return strip_direction_controls(value.strip())


@pytest.mark.django_db
@fuzz(150)
@given(
    field=st.sampled_from(["year", "pmid", "doi", "url"]),
    value=identifier_values.filter(
        lambda value: not re.search("[\ud800-\udfff]", value)
    ),  # no browser sends one
)
@example(field="url", value="https://exa mple.org")
@example(field="year", value="\x00")
def test_any_citation_identifier_is_refused_on_its_field_or_stored_exactly(superuser_client, field, value):
    """The admin's citation form: the refusal on the field alone (no "needs this" elsewhere), and
    nothing saved; or the value kept as typed. Never a 500."""
    from encyclopedia.models import Citation

    with transaction.atomic():
        try:
            data = {**_JOURNAL_CITATION, field: value}
            response = superuser_client.post("/admin/encyclopedia/citation/add/", data)
            if response.status_code == 302:
                stored = Citation.objects.get()
                assert getattr(stored, field) == _as_the_form_keeps_it(field, value)
                if field != "url":  # a year, PMID or DOI the form keeps, the page format reads back
                    assert getattr(parse_citation(stored.as_text()), field) == getattr(stored, field)
                event("stored")
                return
            assert response.status_code == 200
            html = response.content.decode()
            lists = re.findall(r'<ul class="errorlist[^>]*>', html)
            assert lists == [f'<ul class="errorlist" id="id_{field}_error">'], "messages on the field alone"
            assert not Citation.objects.exists()
            event("refused")
        finally:
            transaction.set_rollback(True)


_PAGE_WITH_A_REFERENCE = (
    "Night cramps\n\nCramps come and go.\n\nReferences\n\nREFERENCE\n\nReview Date 3/31/2024\n\n"
    "Updated by: Rae Viewer, MD, Department of Medicine, Example University, Springfield, IL.\n"
)
_REFERENCE_LINE = 7
# References that import as they are: the identifiers drawn replace theirs.
_GOOD_REFERENCES = [
    {"kind": "journal_article", **_JOURNAL_CITATION, "volume": "3", "issue": "2", "pages": "10-12"},
    {
        "kind": "book",
        "title": "A book on cramps",
        "place": "Springfield",
        "publisher": "Example Press",
        "year": "2024",
    },
    {
        "kind": "website",
        "title": "Night cramps",
        "container_title": "Example Society",
        "url": "https://example.org/a",
    },
]


@pytest.mark.django_db
@fuzz(150)
@given(
    fields=st.sampled_from(_GOOD_REFERENCES) | citation_fields,
    identifiers=st.dictionaries(st.sampled_from(["year", "pmid", "doi", "url"]), identifier_values),
)
def test_any_reference_in_a_page_is_imported_exactly_or_refused_on_its_line(client, fields, identifiers):
    """Whatever a reference's identifiers are, the importer stores the reference as the page
    reads it, or refuses the page naming the reference's line, with nothing saved."""
    from editorial.importer.parser import CitationData
    from encyclopedia.fields import strip_direction_controls
    from encyclopedia.models import Citation

    reference = references.render_text(CitationData(**{**fields, **identifiers})).strip()
    assume(reference and not re.search(r"[\r\n]", reference))
    assume(
        not re.match(r"(?i)(review date\b|updated by:|learn how to cite this page$|references$)", reference)
    )
    cache.clear()
    with transaction.atomic():
        before = content_counts()
        try:
            result = import_page(
                parse_page(_PAGE_WITH_A_REFERENCE.replace("REFERENCE", reference)), source="fuzz.txt"
            )
        except ParseError as error:
            assert error.line == _REFERENCE_LINE, str(error)
            assert content_counts() == before, f"refused ({error}) but rows were saved"
            event("refused")
        else:
            expected = {
                name: strip_direction_controls(value)
                for name, value in parse_citation(reference).as_dict().items()
            }
            stored = Citation.objects.get()
            assert {name: getattr(stored, name) for name in expected} == expected
            assert client.get(f"/ency/article/{result.public_id}.htm").status_code == 200
            event("imported")
        finally:
            transaction.set_rollback(True)
