"""The public pages' template engine: Jinja2, with the few helpers the pages need.

The public pages are rendered by Jinja2 rather than Django's template language because an
article page is rendered for every reader the page cache cannot serve (a signed-in reader, a
cookie, a page just published), and Jinja2 compiles templates to Python: the page around the
article text costs a fraction of what it did. The admin keeps Django's templates.
"""

from __future__ import annotations

import datetime
import functools
from html import escape
from typing import Any

import jinja2
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from markupsafe import Markup

from encyclopedia import dates, editions, markup
from encyclopedia.paths import article_path, letter_path, path
from encyclopedia.search import IndexLine


def environment(**options: Any) -> jinja2.Environment:
    """The Jinja2 environment of the public templates (``TEMPLATES`` in settings).

    Every value is escaped unless it is marked safe (always on, whatever the settings say). A
    missing variable, or an attribute of one, renders as nothing, as in Django's templates,
    whether or not DEBUG is on.

    Interface strings go through Django's translation (Jinja2's i18n extension, ``_()`` and
    ``{% trans %}``, calling Django's ``gettext``): Spanish under ``/spanish/``
    (``editions.py``), from the catalogue in ``locale/es``.
    """
    options.update(autoescape=True, undefined=jinja2.ChainableUndefined, keep_trailing_newline=True)
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.i18n"]
    env = jinja2.Environment(**options)  # noqa: S701 - autoescape is set just above
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(
        edition=editions.current,
        static=static,
        path=path,
        letter_links=letter_links,
        letter_bar=letter_bar,
        article_index=article_index,
        page_title=page_title,
    )
    env.filters.update(
        article_url=article_path,
        us_date=us_date,
        date=date,
        markdown=markdown,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
    )
    return env


def page_title(*parts: str) -> str:
    """The parts joined by colons, each once: the site's name is often also the first part
    ("Medical Encyclopedia: H", not "Medical Encyclopedia: H: Medical Encyclopedia")."""
    return ": ".join(dict.fromkeys(str(part) for part in parts if part))


def us_date(day: datetime.date | None) -> str:
    """3/31/2024: the review date as the reference pages show it, in the site's one date format."""
    return dates.day(day)


def date(value: datetime.date | datetime.datetime | None, format_string: str) -> str:
    """Django's ``date`` filter, in the site's time zone as Django's templates show it."""
    return defaultfilters.date(template_localtime(value), format_string) if value else ""


def markdown(text: str) -> Markup:
    """Render editor-written Markdown to sanitized HTML (for low-traffic site text)."""
    return Markup(markup.render(text).html)  # noqa: S704 - sanitized by nh3 in markup.render


def letter_links(letters: list[str]) -> list[tuple[str, str]]:
    """(letter, address) for the letter bar, reversed once per process."""
    return [(letter, letter_path(letter)) for letter in letters]


@jinja2.pass_environment
def letter_bar(env: jinja2.Environment, letters: list[str], current: Any = None) -> Markup:
    """The letter bar (``includes/letter_bar.html``) with ``current`` marked, rendered once per
    process, script prefix and edition: nothing on it changes until the next deploy, and the index,
    every letter's page and every search page show it."""
    current = current if isinstance(current, str) else None  # a page with no letter: undefined
    return _letter_bar(env, get_script_prefix(), editions.current(), tuple(letters), current)


@functools.lru_cache(maxsize=128)
def _letter_bar(
    env: jinja2.Environment, script_prefix: str, language: str, letters: tuple[str, ...], current: str | None
) -> Markup:
    html = env.get_template("includes/letter_bar.html").render(letters=list(letters), letter=current)
    return Markup(html)  # noqa: S704 - rendered by the template, every value escaped


def article_index(entries: list[IndexLine]) -> str:
    """The A–Z list items: a name that is not a title says "see" its article.

    Built here rather than by a template loop: the largest letter lists thousands of names.
    """
    before, after = article_path("000000").rsplit("000000", 1)
    see_word = escape(gettext("see"))
    lines = [
        f'<li>{escape(label)}, {see_word} <a href="{before}{public_id}{after}">{escape(see)}</a></li>'
        if see
        else f'<li><a href="{before}{public_id}{after}">{escape(label)}</a></li>'
        for label, public_id, see in entries
    ]
    return mark_safe("\n".join(lines))  # noqa: S308 - every value escaped above; ids are six digits
