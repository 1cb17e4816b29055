from html import escape

from django import template
from django.utils.safestring import mark_safe

from encyclopedia import markup
from encyclopedia.paths import article_path, letter_path, path
from encyclopedia.search import IndexLine

register = template.Library()


@register.filter
def us_date(day) -> str:
    """3/31/2024: the review date as the reference pages show it."""
    return f"{day.month}/{day.day}/{day.year}" if day else ""


@register.filter
def markdown(text: str) -> str:
    """Render editor-written Markdown to sanitized HTML (for low-traffic site text)."""
    return mark_safe(markup.render(text).html)  # noqa: S308 - sanitized by nh3 in markup.render


@register.filter
def article_url(public_id: str) -> str:
    """The public address of an article, for lists of many (``{% url %}`` costs a reverse each)."""
    return article_path(public_id)


@register.simple_tag(name="path")
def path_tag(viewname: str, public_id: str | None = None) -> str:
    """``{% url %}`` for the public pages' fixed and per-article addresses, reversed once."""
    return path(viewname, public_id)


@register.simple_tag
def letter_links(letters: list[str]) -> list[tuple[str, str]]:
    """(letter, address) for the letter bar, reversed once per process."""
    return [(letter, letter_path(letter)) for letter in letters]


@register.simple_tag
def article_index(entries: list[IndexLine]) -> str:
    """The A–Z list items: a name that is not a title says "see" its article.

    Built here rather than by a template loop: the largest letter lists thousands of names.
    """
    before, after = article_path("000000").rsplit("000000", 1)
    lines = [
        f'<li>{escape(label)}, see <a href="{before}{public_id}{after}">{escape(see)}</a></li>'
        if see
        else f'<li><a href="{before}{public_id}{after}">{escape(label)}</a></li>'
        for label, public_id, see in entries
    ]
    return mark_safe("\n".join(lines))  # noqa: S308 - every value escaped above; ids are six digits
