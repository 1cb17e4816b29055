"""Article text is a safe Markdown subset: nothing an editor types can run in a reader's browser."""

from __future__ import annotations

import pytest

from encyclopedia import markup
from encyclopedia.markup import render, unlink_articles
from tests.conftest import active_content

pytestmark = pytest.mark.django_db

HOSTILE = {
    "script": "Before <script>alert('x')</script> after",
    "onerror": 'An image <img src="x" onerror="alert(1)"> here',
    "javascript link": "[click me](javascript:alert(1))",
    "data link": "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "raw anchor": '<a href="javascript:alert(1)">x</a>',
    "svg": '<svg onload="alert(1)"><circle r="5"/></svg>',
    "style": '<style>body{display:none}</style><p style="color:red">x</p>',
}


def test_paragraphs_lists_emphasis_and_links():
    html = render(
        "First *para*.\n\nSecond **para** with [a link](https://example.org).\n\n- one\n- two\n\n1. first\n2. second"
    ).html
    assert "<p>First <em>para</em>.</p>" in html
    assert "<strong>para</strong>" in html
    assert '<a href="https://example.org">a link</a>' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markup_never_becomes_markup(name):
    assert active_content(render(HOSTILE[name]).html) == []


def test_the_checker_sees_active_content():
    assert active_content('<p onclick="x"><script></script><a href="javascript:x">') == [
        "p onclick=",
        "<script>",
        "a href=javascript:x",
    ]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_on_the_public_page_is_inert(name, client, make_article, publish_article):
    article = make_article("Hostile")
    section = article.sections.first()
    section.body = HOSTILE[name]
    section.save()
    article.summary = HOSTILE[name]
    article.title = "<script>alert('title')</script>"
    article.save()
    publish_article(article)
    response = client.get(f"/ency/article/{article.public_id}.htm")
    assert response.status_code == 200
    assert active_content(response.content.decode()) == []


def test_article_links_are_recorded_and_rendered_as_urls():
    rendered = render(
        "See [dehydration](article:000982) and [cramps](article:000983), [again](article:000982)."
    )
    assert rendered.article_ids == ["000982", "000983"]
    assert '<a href="/ency/article/000982.htm">dehydration</a>' in rendered.html


def test_malformed_article_link_is_plain_text():
    assert render("[odd](article:12)").html == "<p>odd</p>"


def test_links_to_articles_that_are_not_live_become_text():
    html = render("[a](article:000001) and [b](article:000002)").html
    assert unlink_articles(html, {"000002"}) == '<p>a and <a href="/ency/article/000002.htm">b</a></p>'


def test_plain_text_keeps_punctuation_against_links_and_emphasis():
    """Meta descriptions and feed summaries read as written: no space before a comma after a link
    or an emphasised word, and no word split by markup inside it; paragraphs still separate words."""
    html = render(
        "Gout is a *type* of [arthritis](https://example.org/a). It is **un**usual.\n\n- one\n- two"
    ).html
    assert markup.plain_text(html) == "Gout is a type of arthritis. It is unusual. one two"
