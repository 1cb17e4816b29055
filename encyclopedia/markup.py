"""The safe Markdown subset of article text, rendered to sanitized HTML.

Editors write paragraphs, bullet and numbered lists, emphasis and links. Raw HTML is
off in the parser and the output is sanitized again with nh3, so no markup an editor
types can reach a reader's browser. ``[text](article:000982)`` links to another
article; such links are recorded so the page can show them as plain text while the
target is not live.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache

import nh3
from markdown_it import MarkdownIt

ARTICLE_SCHEME = "article:"
_ARTICLE_HREF = re.compile(r"^(?:article:(\d{6})|/ency/article/(\d{6})\.htm)$")
_BARE_ANCHOR = re.compile(r"<a>(.*?)</a>", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a UTF-16 pair: not text, and not encodable
_ARTICLE_ANCHOR = re.compile(r'<a href="/ency/article/(\d{6})\.htm"[^>]*>(.*?)</a>', re.DOTALL)

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    article_ids: list[str] = field(default_factory=list)


def article_url(public_id: str) -> str:
    return f"/ency/article/{public_id}.htm"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "breaks": False}).enable(
        ["emphasis", "list", "link", "newline", "escape", "entity"]
    )


def render(text: str) -> Rendered:
    """Render Markdown to sanitized HTML and list the article ids it links to."""
    parser = _parser()
    tokens = parser.parse(_SURROGATE.sub("\ufffd", text or ""))
    article_ids: list[str] = []
    for block in tokens:
        for token in block.children or []:
            if token.type != "link_open":
                continue
            href = str(token.attrGet("href") or "")
            match = _ARTICLE_HREF.match(href)
            if match:
                public_id = match.group(1) or match.group(2)
                article_ids.append(public_id)
                token.attrSet("href", article_url(public_id))
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    clean = _BARE_ANCHOR.sub(r"\1", clean)  # links whose address was refused
    return Rendered(html=clean.strip(), article_ids=list(dict.fromkeys(article_ids)))


# Tags inside a line of text: they go without a trace, so "a <em>fever</em>, then" stays
# "a fever, then". Every other tag (paragraphs, list items, breaks) separates words.
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|cite|code|em|i|mark|q|s|small|span|strong|sub|sup|u)\b[^>]*>", re.I)


# Control characters that are not white space (\x1c-\x1f are, to Python's \s): no reader sees them,
# an XML feed may not hold them, and search snippets use two of them to stand for <mark>. Search
# entries indexed before they were dropped keep them until `manage.py rebuild_search_index`.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def plain_text(fragment: str) -> str:
    """Rendered HTML as one line of plain text: inline tags dropped, block tags become spaces,
    entities characters, runs of white space one space, control characters gone (for search,
    meta descriptions and feed summaries)."""
    text = re.sub(r"<[^>]+>", " ", _INLINE_TAG.sub("", fragment))
    return re.sub(r"\s+", " ", _CONTROL.sub("", html.unescape(text))).strip()


def article_links(text: str) -> list[str]:
    """The ids of the articles a Markdown text links to, in order, without repeats."""
    return render(text).article_ids


def linked_articles(fragment: str) -> list[str]:
    """The ids of the articles rendered HTML links to, in order, without repeats."""
    return list(dict.fromkeys(match.group(1) for match in _ARTICLE_ANCHOR.finditer(fragment)))


def sanitize(fragment: str, base: str = "") -> str:
    """Rendered HTML sanitized again with the article text's allow-list; with ``base`` (a site
    address), links to the site's own pages made absolute, for HTML read on another site."""
    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return clean.replace('href="/', f'href="{base}/') if base else clean


def unlink_articles(html: str, live_ids: set[str]) -> str:
    """Turn links to articles that are not live into their plain text."""

    def replace(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) in live_ids else match.group(2)

    return _ARTICLE_ANCHOR.sub(replace, html)


_ARTICLE_LINK = re.compile(r'<a href="/ency/article/(\d{6})\.htm"')


def relink_articles(html: str, ids: set[str], prefix: str = "/spanish") -> str:
    """Point the links to articles ``ids`` at their edition under ``prefix`` (a Spanish page
    links the Spanish editions that are live; its other links stay on the English articles)."""

    def replace(match: re.Match[str]) -> str:
        return (
            f'<a href="{prefix}/ency/article/{match.group(1)}.htm"'
            if match.group(1) in ids
            else match.group(0)
        )

    return _ARTICLE_LINK.sub(replace, html) if ids else html
