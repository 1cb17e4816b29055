"""Importing pages saved from the public site as HTML, and refusing files that are not pages.

The fixtures in tests/pages are our own writing, in the HTML structure large public
encyclopedias use and, for the same article, in the text page format.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from editorial.importer.html import parse_html
from editorial.importer.parser import ParseError
from editorial.importer.sniff import parse_file, read_page
from encyclopedia.models import Article, Citation, ImageAwaitingUpload, Publication
from tests.conftest import page_text
from tests.factories import make_user, write_page

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).parent / "pages"
HTML_PAGE = PAGES / "morning_finger_stiffness.html"
TEXT_PAGE = PAGES / "morning_finger_stiffness.txt"


def html_fixture() -> str:
    return HTML_PAGE.read_text(encoding="utf-8")


def import_files(*paths, dry_run: bool = False) -> tuple[str, str, int]:
    """Run ``import_articles``; its standard output, standard error and exit status."""
    out, err = StringIO(), StringIO()
    arguments = [str(path) for path in paths] + (["--dry-run"] if dry_run else [])
    try:
        call_command("import_articles", *arguments, stdout=out, stderr=err)
    except SystemExit as exit_info:
        return out.getvalue(), err.getvalue(), int(exit_info.code or 0)
    return out.getvalue(), err.getvalue(), 0


def article_content(client, public_id: str) -> list[str]:
    """The article's own content on its public page, as lines a reader sees (title to credits)."""
    html = client.get(f"/ency/article/{public_id}.htm").content.decode()
    main = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert main, "the page has its <main>"
    blocks = re.split(r"</?(?:p|li|h1|h2|h3|dd|dt|div|section|ul|ol)\b[^>]*>", main.group())
    return [line for line in (page_text(block).strip() for block in blocks) if line]


def test_the_html_page_reads_into_the_same_parts_as_the_text_page(known_headings):
    from_html = read_page(HTML_PAGE, known_headings)
    from_text = read_page(TEXT_PAGE, known_headings)
    assert from_html.title == from_text.title == "Morning finger stiffness"
    assert from_html.public_id == "007731"
    assert from_html.summary == from_text.summary
    assert [(s.heading, s.body) for s in from_html.sections] == [
        (s.heading, s.body) for s in from_text.sections
    ]
    assert from_html.alternative_names == from_text.alternative_names
    assert from_html.citations == from_text.citations
    assert (from_html.review_date, from_html.reviewer, from_html.review_organization) == (
        from_text.review_date,
        from_text.reviewer,
        from_text.review_organization,
    )
    assert from_html.also_reviewed_by == from_text.also_reviewed_by
    assert from_html.article_links == from_text.article_links == ["000431"]


def test_an_html_page_shows_line_for_line_what_the_text_page_shows(client, tmp_path):
    out, err, status = import_files(TEXT_PAGE)
    assert status == 0, err
    from_text = article_content(client, "007731")
    # The same article saved as HTML, under another id so that both are live side by side.
    html_copy = write_page(tmp_path, html_fixture().replace("007731", "007732"), "copy.html")
    out, err, status = import_files(html_copy)
    assert status == 0, err
    assert "Imported 007732 “Morning finger stiffness” (new)" in out
    from_html = article_content(client, "007732")
    assert [line.replace("007732", "007731") for line in from_html] == from_text
    assert "Gentle movement is the first step. Try these in order:" in from_text
    assert "Touch the tip of each finger to the thumb." in from_text


def test_reimporting_the_html_of_a_page_imported_as_text_changes_nothing(tmp_path):
    import_files(TEXT_PAGE)
    publications = Publication.objects.count()
    out, err, status = import_files(HTML_PAGE)
    assert status == 0, err
    assert "(unchanged)" in out
    assert Publication.objects.count() == publications


def test_the_sites_chrome_is_not_imported(known_headings):
    page = read_page(HTML_PAGE, known_headings)
    stored = "\n".join([page.title, page.summary, *(s.heading + "\n" + s.body for s in page.sections)])
    for chrome in ("Share", "Print", "Learn how to cite", "Related", "Hand Injuries", "trackPage", "font-family",
                   "Search", "About this site", "Expand section", "Medical Encyclopedia"):  # fmt: skip
        assert chrome not in stored, chrome
    assert [s.heading for s in page.sections] == [
        "Causes",
        "Home Care",
        "When to Contact a Medical Professional",
    ]


VARIANT = """<!doctype html>
<html><head><meta charset="utf-8"><title>x</title></head>
<body>
<div class="outer"><div class="wrapper">
<article itemid="//example.org/ency/article/007740.htm">
  <div class="page-title"><h1>
      Knuckle   cracking
  </h1></div>
  <div id="ency_summary"><div><p>Knuckle cracking is the popping sound a joint makes when it is
     stretched. It is common &amp; rarely a concern &mdash; most people who do it feel no pain.</p>
     <p>The sound comes from gas in the joint fluid.</p></div></div>
  <div class="section" id="section-why"><div class="section-header"><div class="section-title">
     <h2>Why It Happens</h2></div></div>
    <div class="section-body"><ul>
      <li>Stretching a joint lowers the pressure in its fluid
        <ul><li>a small bubble forms</li><li>the bubble makes the <b>pop</b></li></ul>
      </li>
      <li>It takes about 20 minutes before the same joint can pop again</li>
    </ul></div>
  </div>
  <div class="section" id="section-empty"><div class="section-title"><h2>Tests</h2></div>
    <div class="section-body">   </div></div>
  <div class="section" id="section-Alt"><div class="section-title"><h2>Alternative Names</h2></div>
    <div class="section-body"><ul><li>Joint popping</li><li>Cracking knuckles</li></ul></div></div>
</article></div></div>
</body></html>
"""


def test_reasonable_variants_are_read(known_headings):
    page = parse_html(VARIANT)
    assert page.title == "Knuckle cracking"
    assert page.public_id == "007740"  # from the page's itemid: no canonical link
    assert page.summary == (
        "Knuckle cracking is the popping sound a joint makes when it is stretched. It is common & rarely a "
        "concern — most people who do it feel no pain.\n\nThe sound comes from gas in the joint fluid."
    )
    assert [(s.heading, s.body) for s in page.sections] == [
        (
            "Why It Happens",
            "- Stretching a joint lowers the pressure in its fluid\n"
            "  - a small bubble forms\n"
            "  - the bubble makes the **pop**\n"
            "- It takes about 20 minutes before the same joint can pop again",
        )
    ]  # the empty "Tests" section is left out
    assert page.alternative_names == ["Joint popping", "Cracking knuckles"]
    assert page.review_date is None and page.reviewer is None  # no review: it will wait as a draft


def test_a_page_without_its_review_is_kept_as_a_draft(tmp_path):
    out, err, status = import_files(write_page(tmp_path, VARIANT, "knuckles.htm"))
    assert status == 0, err
    article = Article.objects.get(public_id="007740")
    assert not article.is_live
    assert "kept as drafts for medical review" in out


def test_a_nested_list_renders_nested(client, tmp_path):
    import_files(TEXT_PAGE)  # a live article to compare with is not needed: render the variant's body
    page = parse_html(VARIANT)
    from encyclopedia.markup import render

    html = render(page.sections[0].body).html
    assert re.search(
        r"<li>Stretching a joint lowers the pressure in its fluid\s*<ul>\s*<li>a small bubble", html
    )


def test_images_are_recorded_awaiting_upload_and_never_shown(client, tmp_path):
    out, err, status = import_files(HTML_PAGE)
    assert status == 0, err
    article = Article.objects.get(public_id="007731")
    awaiting = list(article.images_awaiting_upload.values_list("alt_text", "caption", "source_url"))
    assert awaiting == [
        (
            "The small joints of the fingers",
            "Finger joints",
            "https://example.org/images/ency/small/finger-joints.jpg",
        ),
        (
            "Hands resting in a bowl of warm water",
            "Warm water soak",
            "https://example.org/images/ency/small/hand-warm-water.jpg",
        ),
    ]
    assert not article.images.exists()
    public = client.get("/ency/article/007731.htm").content.decode()
    assert "finger-joints.jpg" not in public and "example.org/images" not in public
    assert "The small joints of the fingers" not in public

    admin = make_user("boss", superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/encyclopedia/imageawaitingupload/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "The small joints of the fingers" in body and "Warm water soak" in body
    assert "007731" in body


def test_a_reimport_replaces_the_images_awaiting_upload(tmp_path):
    import_files(HTML_PAGE)
    fewer = re.sub(
        r'<div class="thumbnail"><a href="/ency/imagepages/19002.htm">.*?</div>', "", html_fixture()
    )
    fewer = fewer.replace("Review Date 2/14/2025", "Review Date 3/1/2025")
    out, err, status = import_files(write_page(tmp_path, fewer, "again.html"))
    assert status == 0, err
    assert list(ImageAwaitingUpload.objects.values_list("caption", flat=True)) == ["Finger joints"]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome.</p></body></html>",
         "home.html", "an HTML document without an article title"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "leaflet.txt", "binary data (a PDF document)"),
        (b"\x00\x01\x02\x03binary\x00\x00", "blob.html", "binary data"),
        (b"", "empty.txt", "an empty file"),
        (b"  \n\n \n", "blank.md", "an empty file"),
        ("Titre\n\nR\u00e9sum\u00e9 \u00e9crit en Latin-1.\n".encode("latin-1"), "latin1.txt", "not UTF-8"),
        ('{"title": "Not a page"}', "data.txt", "JSON data"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_page_is_refused_naming_it(tmp_path, content, name, expected):
    bad = write_page(tmp_path, content, name)
    good = write_page(tmp_path, html_fixture(), "good.html")
    out, err, status = import_files(bad, good)
    assert status == 1
    refusal = next(line for line in err.splitlines() if bad in line)
    assert expected in refusal
    assert "Nothing from this file was saved." in refusal
    assert list(Article.objects.values_list("public_id", flat=True)) == ["007731"]
    assert "1 file imported (1 new, 0 updated, 0 unchanged), 1 failed." in out


def test_the_refusal_says_what_was_expected(tmp_path):
    err = import_files(write_page(tmp_path, b"", "empty.txt"))[1]
    assert (
        "expected an encyclopedia page (the text page format, Markdown or a saved HTML article page)" in err
    )


def test_an_html_page_in_the_encoding_it_declares_is_read(known_headings):
    latin = (
        html_fixture()
        .replace("utf-8", "iso-8859-1")
        .replace("→", "&gt;")
        .replace("Finger joints", "Finger joints \u00e0 rest")
    )
    page = parse_file(latin.encode("iso-8859-1"), known_headings)
    assert page.images[0].caption == "Finger joints \u00e0 rest"


def test_the_old_bug_a_page_titled_doctype_is_no_more(tmp_path):
    page = (
        "<!DOCTYPE html>\n<html><body><div id='content'>"
        + "<p>Some markup.</p>" * 200
        + "</div></body></html>"
    )
    path = write_page(tmp_path, page, "page.html")
    out, err, status = import_files(path)
    assert status == 1
    assert f"error: {path}: expected an encyclopedia page" in err
    assert "but this is an HTML document without an article title" in err
    assert not Article.objects.exists()


# ---------------------------------------------------------------- folders


def test_a_folder_is_walked_with_one_line_per_file_and_one_summary(tmp_path):
    folder = tmp_path / "saved"
    (folder / "more").mkdir(parents=True)
    (folder / "a.html").write_text(html_fixture(), encoding="utf-8")
    (folder / "more" / "b.htm").write_text(VARIANT, encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.7")  # not a page suffix: not read
    (folder / ".hidden.html").write_text("<html></html>", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"")
    out, err, status = import_files(folder, dry_run=True)
    assert status == 1
    assert "Would import 007731 “Morning finger stiffness” (new) from" in out
    assert "Would import 007740 “Knuckle cracking” (draft) from" in out
    assert str(folder / "c.txt") in err and "an empty file" in err
    assert "notes.pdf" not in out + err and ".hidden" not in out + err
    summary = [line for line in out.splitlines() if "would be imported" in line]
    assert len(summary) == 1
    assert summary[0].startswith("2 files would be imported (1 new, 0 updated, 1 kept as drafts")
    assert "Dry run: nothing was saved." in summary[0]
    assert not Article.objects.exists()


def test_no_progress_bar_when_the_output_is_not_a_terminal(tmp_path, capsys):
    out, err, status = import_files(HTML_PAGE)
    assert status == 0
    captured = capsys.readouterr()
    assert "file/s" not in captured.err + err and "%|" not in captured.err + err


# ---------------------------------------------------------------- hostile HTML


def test_scripts_handlers_and_javascript_links_never_reach_the_stored_text(known_headings):
    hostile = html_fixture().replace(
        "<p>A cold bedroom can make the feeling stronger.</p>",
        '<p onclick="steal()">A cold <a href="javascript:alert(1)">bedroom</a> can make '
        '<a href=" JaVaScRiPt:alert(2)">the feeling</a> <img src=x onerror="alert(3)">stronger.'
        "<script>alert(4)</script><style>p{}</style><iframe src='https://evil.example'></iframe>"
        '<a href="data:text/html,<script>alert(5)</script>">data</a> <a href="vbscript:x">vb</a></p>',
    )
    page = parse_html(hostile)
    body = page.sections[0].body
    assert "A cold bedroom can make the feeling stronger.data vb" in body
    for trace in ("alert", "javascript", "onclick", "onerror", "steal", "<", "data:", "vbscript", "evil"):
        assert trace not in body.lower(), trace


def test_a_huge_attribute_or_address_is_dropped(known_headings):
    huge = "https://example.org/" + "a" * 50_000
    hostile = html_fixture().replace(
        'href="https://example.org/guides/hand-exercises"', f'href="{huge}" data-x="{"y" * 200_000}"'
    )
    page = parse_html(hostile)
    assert "See the hand exercise guide for pictures of each movement." in page.sections[1].body
    assert "aaaa" not in page.sections[1].body


def test_deep_nesting_is_refused_clearly():
    deep = html_fixture().replace(
        "<p>A cold bedroom can make the feeling stronger.</p>", "<span>" * 5000 + "deep" + "</span>" * 5000
    )
    with pytest.raises(ParseError, match="nested|cannot be read whole"):
        parse_html(deep)


def test_a_reference_that_does_not_read_back_is_kept_as_printed_and_flagged(client, tmp_path):
    printed = "Hand Study Group. Notes on morning stiffness, second series (draft), 2020, pp 3-9"
    page = html_fixture().replace(
        "<li>Ostrander PL. <i>Practical Hand Care</i>. 3rd ed. Boston, MA: Lakeview Press; 2019:chap 7.</li>",
        f"<li>Ostrander PL. <i>Practical Hand Care</i>. 3rd ed. Boston, MA: Lakeview Press; 2019:chap 7.</li>"
        f"<li>{printed}</li>",
    )
    out, err, status = import_files(write_page(tmp_path, page, "page.html"))
    assert status == 0, err
    article = Article.objects.get(public_id="007731")
    citations = [link.citation for link in article.citation_links.select_related("citation")]
    assert [c.kind for c in citations] == ["journal_article", "book", "unstructured"]
    assert citations[2].as_text() == printed
    assert Citation.objects.filter(kind=Citation.Kind.UNSTRUCTURED).count() == 1  # the admin filters on it
    assert printed in page_text(client.get("/ency/article/007731.htm").content.decode())


def test_each_role_sees_the_images_awaiting_upload_and_editors_strike_them_off(client):
    from editorial.roles import EDITORIAL_DIRECTORS, EDITORS, MEDICAL_REVIEWERS

    import_files(HTML_PAGE)
    row = ImageAwaitingUpload.objects.first()
    for name, group, may_delete in (
        ("ed", EDITORS, True),
        ("rev", MEDICAL_REVIEWERS, False),
        ("dir", EDITORIAL_DIRECTORS, True),
    ):
        client.force_login(make_user(name, group))
        assert client.get("/admin/encyclopedia/imageawaitingupload/").status_code == 200, name
        deleting = client.get(f"/admin/encyclopedia/imageawaitingupload/{row.pk}/delete/")
        assert (deleting.status_code == 200) is may_delete, name


# ---------------------------------------------------------------- the article id and inline images


def test_the_canonical_link_in_head_gives_the_id(known_headings):
    """A saved page whose only id is its canonical link (in <head>, which is chrome) keeps it."""
    with_canonical = VARIANT.replace(
        "<title>x</title>",
        '<title>x</title><link rel="canonical" href="https://example.org/ency/article/007741.htm">',
    ).replace(' itemid="//example.org/ency/article/007740.htm"', "")
    page = parse_html(with_canonical)
    assert page.public_id == "007741"
    assert page.public_id_line == 2


def test_a_page_whose_canonical_link_and_itemid_disagree_is_refused_naming_both(tmp_path, make_article):
    make_article("Knuckle cracking", public_id="007740")  # the same title: never matched by it
    both = VARIANT.replace(
        "<title>x</title>",
        '<title>x</title><link rel="canonical" href="https://example.org/ency/article/007741.htm">',
    )
    out, err, status = import_files(write_page(tmp_path, both, "both.html"))
    assert status == 1
    assert "canonical link …/ency/article/007741.htm" in err and "itemid …/ency/article/007740.htm" in err
    assert "Nothing from this file was saved." in err
    assert list(Article.objects.values_list("public_id", flat=True)) == ["007740"]


INLINE_FIGURE = """
      <figure class="inline-image"><img alt="A hand flexing its fingers" src="/images/ency/flex.jpg">
        <figcaption>Flexing the fingers</figcaption></figure>
      <p>Move each finger slowly.</p>
"""


def test_an_image_in_a_section_awaits_upload_and_its_caption_stays_out_of_the_text(tmp_path):
    with_figure = html_fixture().replace('<div class="section-body" id="section-1-body">',
                                         '<div class="section-body" id="section-1-body">' + INLINE_FIGURE)  # fmt: skip
    page = parse_html(with_figure)
    assert "Flexing the fingers" not in page.sections[0].body
    assert page.sections[0].body.startswith("Move each finger slowly.")
    assert [(i.alt_text, i.caption, i.source_url) for i in page.images][0] == (
        "A hand flexing its fingers",
        "Flexing the fingers",
        "https://example.org/images/ency/flex.jpg",
    )
    out, err, status = import_files(write_page(tmp_path, with_figure, "figure.html"))
    assert status == 0, err
    assert "Imported 007731 “Morning finger stiffness” (new) from" in out
    assert "; 3 images await upload" in out
    summary = out.splitlines()[-1]
    assert "3 images await upload" in summary
    assert Article.objects.get(public_id="007731").images_awaiting_upload.count() == 3


def _page_with_sections(count: int) -> str:
    """VARIANT with ``count`` sections of one short paragraph each, one section a line."""
    sections = "".join(
        f'<div class="section"><div class="section-title"><h2>Part {number}</h2></div>'
        f'<div class="section-body"><p>What part {number} says.</p></div></div>\n'
        for number in range(1, count + 1)
    )
    return VARIANT.replace("</article>", sections + "</article>")


def test_a_page_with_more_sections_than_an_article_may_have_is_refused_before_it_is_read(tmp_path):
    """100,000 sections (8 MB) kept the importer busy for minutes."""
    long = _page_with_sections(10_000)
    with pytest.raises(ParseError) as refusal:
        parse_html(long)
    assert "the page has 10,003 sections; an article has at most 200" in str(refusal.value)
    assert "<h2>Part 198</h2>" in long.splitlines()[refusal.value.line - 1]  # the first one too many
    out, err, status = import_files(write_page(tmp_path, long, "long.html"))
    assert status == 1
    assert "long.html" in err and "10,003 sections" in err and "Nothing from this file was saved." in err
    assert not Article.objects.exists()


def test_a_page_of_150_sections_imports_whole(tmp_path):
    out, err, status = import_files(write_page(tmp_path, _page_with_sections(150), "long.html"))
    assert status == 0, err
    article = Article.objects.get(public_id="007740")
    assert article.sections.count() == 151  # "Why It Happens" and the 150
    assert article.sections.order_by("-position").first().body == "What part 150 says."


def test_a_file_larger_than_any_article_could_need_is_refused_unread_naming_its_size(tmp_path, settings):
    settings.ARTICLE_MAX_CHARS = 2_000  # so a file of more than 20,000 bytes is too large
    padded = VARIANT.replace("</body>", "<!-- " + "x" * 20_000 + " --></body>")
    out, err, status = import_files(write_page(tmp_path, padded, "padded.html"))
    assert status == 1
    refusal = next(line for line in err.splitlines() if "padded.html" in line)
    assert f"the file is {len(padded.encode()):,} bytes; a page is at most 20,000 bytes" in refusal
    assert not Article.objects.exists()
    assert import_files(write_page(tmp_path, VARIANT, "variant.html"))[2] == 0  # 1,700 bytes: read


def test_text_that_opens_like_a_list_marker_reads_as_text_with_no_stray_backslash(
    client, tmp_path, publish_article
):
    """``<li>- item</li>`` was stored as ``- -\\ item``, and readers saw the backslash."""
    items = "<ul><li>- not a sublist</li><li>+ plus</li><li>* star</li><li>1. first</li></ul><p>- dash</p>"
    page = VARIANT.replace('<div class="section-body"><ul>', f'<div class="section-body">{items}<ul>', 1)
    body = parse_html(page).sections[0].body
    assert body.startswith("- \\- not a sublist\n- \\+ plus\n- \\* star\n- 1\\. first\n\n\\- dash\n\n")
    assert import_files(write_page(tmp_path, page, "markers.html"))[2] == 0
    publish_article(Article.objects.get(public_id="007740"))
    lines = article_content(client, "007740")
    assert lines[lines.index("Why It Happens") + 1 :][:5] == [
        "- not a sublist",
        "+ plus",
        "* star",
        "1. first",
        "- dash",
    ]
    assert not [line for line in lines if "\\" in line]


def _html_copies(tmp_path, ids: range) -> list[str]:
    """The fixture page saved under each of ``ids`` (its own title, so each is its own article)."""
    return [
        write_page(
            tmp_path,
            html_fixture()
            .replace("007731", f"{n:06d}")
            .replace("Morning finger stiffness", f"Finger stiffness {n}"),
            f"{n:06d}.html",
        )
        for n in ids
    ]


def test_html_pages_import_within_a_budget_of_queries_per_page(tmp_path):
    """Speed is round trips: a page's rows, revision, publication and audit go in a fixed number
    of queries however many sections, names, references and images it has."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(paths: list[str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert import_files(*paths)[2] == 0
        return len(captured.captured_queries)

    queries(_html_copies(tmp_path, range(8001, 8002)))  # the reviewer, organization, citations
    three = queries(_html_copies(tmp_path, range(8101, 8104)))
    nine = queries(_html_copies(tmp_path, range(8201, 8210)))
    per_page = (nine - three) / 6
    assert per_page <= 20, f"{per_page:.1f} queries per HTML page, over the budget of 20"
    assert Article.objects.live().count() == 13


def test_a_page_imported_twice_in_one_run_ends_as_its_second_file(tmp_path, client):
    """The run's batch publishes its pages together; a later file of the same article must still
    find the earlier one live (not a draft of someone's), and update it."""
    first = write_page(tmp_path, html_fixture(), "a.html")
    second = write_page(tmp_path, html_fixture().replace("Gentle movement", "Slow movement"), "b.html")
    out, err, status = import_files(first, second)
    assert status == 0, err
    assert "Imported 007731 “Morning finger stiffness” (new)" in out
    assert "Imported 007731 “Morning finger stiffness” (updated)" in out
    article = Article.objects.get(public_id="007731")
    assert article.publications.count() == 2
    shown = " ".join(article_content(client, "007731"))
    assert "Slow movement is the first step." in shown and "Gentle movement" not in shown
