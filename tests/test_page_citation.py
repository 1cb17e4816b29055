"""Cite this page: NLM, APA and MLA on the page, RIS and BibTeX downloads, references as RIS.

The worked examples were derived from the official CSL styles' output and checked against
the styles' rules: APA 7 (group author, full date of a web page, italic title, site name,
URL; a retrieval date only when undated) and MLA 9 (title in quotation marks with the full
stop inside, italic website, publisher, day-month-year date, URL; "Accessed" only when
undated).
"""

from __future__ import annotations

import datetime
import re

import bibtexparser
import pytest
import rispy
import time_machine
from bibtexparser.middlewares import LatexDecodingMiddleware
from django.test import RequestFactory
from django.utils import timezone

from encyclopedia import page_citation
from encyclopedia.models import Article, Citation, SiteSettings
from tests.conftest import active_content, executable_scripts, page_text

pytestmark = pytest.mark.django_db

URL = "https://example.org/ency/article/900123.htm"
# Noon in New York (the site's time zone), so "today" is the same date everywhere.
TODAY = datetime.datetime(2026, 6, 5, 16, 0, tzinfo=datetime.UTC)


def page(**fields) -> page_citation.PageCitation:
    values = {
        "title": "Leg cramps at night",
        "site_name": "Medical Encyclopedia",
        "publisher": "Example Health Publishing",
        "place": "Springfield (IL)",
        "reviewed": datetime.date(2024, 3, 31),
        "accessed": datetime.date(2026, 6, 5),
        "url": URL,
        "public_id": "900123",
    }
    return page_citation.PageCitation(**{**values, **fields})


# --- The worked examples -----------------------------------------------------------------


def test_nlm_worked_example():
    assert page_citation.nlm(page()) == (
        "Leg cramps at night: Medical Encyclopedia [Internet]. Springfield (IL): Example Health "
        "Publishing; [reviewed 2024 Mar 31; cited 2026 Jun 5]. Available from: " + URL
    )


def test_apa_worked_example():
    html = page_citation.apa(page())
    assert html == (
        "Example Health Publishing. (2024, March 31). <i>Leg cramps at night</i>. "
        "Medical Encyclopedia. Retrieved June 5, 2026, from " + URL
    )


def test_mla_worked_example():
    html = page_citation.mla(page())
    assert html == (
        "“Leg Cramps at Night.” <i>Medical Encyclopedia</i>, Example Health Publishing, "
        "31 Mar. 2024, " + URL + ". Accessed 5 June 2026."
    )


def test_an_undated_page_also_gives_the_date_of_access_in_every_style():
    undated = page(reviewed=None)
    assert page_citation.nlm(undated).endswith("; [cited 2026 Jun 5]. Available from: " + URL)
    assert page_citation.plain(page_citation.apa(undated)) == (
        "Example Health Publishing. (n.d.). Leg cramps at night. Medical Encyclopedia. "
        "Retrieved June 5, 2026, from " + URL
    )
    assert page_citation.plain(page_citation.mla(undated)) == (
        "“Leg Cramps at Night.” Medical Encyclopedia, Example Health Publishing, "
        + URL
        + ". Accessed 5 June 2026."
    )


def test_a_question_takes_no_added_full_stop():
    question = page(title="Is a cramp serious?")
    assert "<i>Is a cramp serious?</i>. Medical" not in page_citation.apa(question)
    assert "<i>Is a cramp serious?</i> Medical Encyclopedia." in page_citation.apa(question)
    assert page_citation.plain(page_citation.mla(question)).startswith(
        "“Is a Cramp Serious?” Medical Encyclopedia, "
    )


def test_a_site_named_after_its_publisher_is_named_once():
    same = page(site_name="Example Health", publisher="Example Health")
    assert page_citation.plain(page_citation.apa(same)) == (
        "Example Health. (2024, March 31). Leg cramps at night. Retrieved June 5, 2026, from " + URL
    )
    assert page_citation.plain(page_citation.mla(same)) == (
        "“Leg Cramps at Night.” Example Health, 31 Mar. 2024, " + URL + ". Accessed 5 June 2026."
    )


def test_ris_worked_example():
    (record,) = rispy.loads(page_citation.ris(page()))
    assert record == {
        "type_of_reference": "ELEC",
        "title": "Leg cramps at night",
        "secondary_title": "Medical Encyclopedia",
        "publisher": "Example Health Publishing",
        "place_published": "Springfield (IL)",
        "urls": [URL],
        "access_date": "2026/06/05",
        "id": "900123",
        "language": "en",
        "year": "2024",
        "date": "2024/03/31",
        "notes": ["Reviewed March 31, 2024"],
    }
    assert not page_citation.ris(page()).startswith("1."), "no record counter before TY"


def test_bibtex_worked_example():
    text = page_citation.bibtex(page())
    assert text.strip() == (
        "@misc{ency900123,\n"
        "\ttitle = {{Leg cramps at night}},\n"
        "\thowpublished = {Medical Encyclopedia},\n"
        "\tpublisher = {Example Health Publishing},\n"
        "\taddress = {Springfield (IL)},\n"
        "\tlangid = {english},\n"
        "\tyear = {2024},\n"
        "\tdate = {2024-03-31},\n"
        "\tnote = {Reviewed March 31, 2024. Accessed June 5, 2026},\n"
        "\tmonth = mar,\n"
        f"\turl = {{{URL}}},\n"
        "\turldate = {2026-06-05}\n"
        "}"
    )
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    fields = library.entries[0].fields_dict
    assert fields["url"].value == URL
    assert fields["urldate"].value == "2026-06-05"
    assert fields["langid"].value == "english", "biblatex's language name, for hyphenation"


# --- The article page --------------------------------------------------------------------


@pytest.fixture
def live(make_article, publish_article):
    return publish_article(make_article("Leg cramps at night", review_date=datetime.date(2024, 3, 31)))


def test_the_page_offers_each_style_with_both_dates(client, live):
    with time_machine.travel(TODAY):
        html = client.get(f"/ency/article/{live.public_id}.htm").content.decode()
    url = f"http://testserver/ency/article/{live.public_id}.htm"
    box = html[
        html.index('<details class="cite">') : html.index("</details>", html.index('<details class="cite">'))
    ]
    text = page_text(box)
    assert "NLM (Citing Medicine)" in text and "APA (7th edition)" in text and "MLA (9th edition)" in text
    assert (
        "Leg cramps at night: Medical Encyclopedia [Internet]. Springfield (IL): Example Health Publishing; "
        f"[reviewed 2024 Mar 31; cited 2026 Jun 5]. Available from: {url}"
    ) in text
    assert (
        "Example Health Publishing. (2024, March 31). Leg cramps at night. Medical Encyclopedia. "
        f"Retrieved June 5, 2026, from {url}" in text
    )
    assert (
        f"“Leg Cramps at Night.” Medical Encyclopedia, Example Health Publishing, 31 Mar. 2024, {url}. "
        "Accessed 5 June 2026." in text
    )
    assert "<i>Leg cramps at night</i>" in box
    assert box.count('<p class="cite-text"') == 3, "each style in its own block of plain, selectable text"
    assert f'<a href="/ency/article/{live.public_id}.ris" download>' in box
    assert f'<a href="/ency/article/{live.public_id}.bib" download>' in box
    assert "-references.ris" not in box, "no references, no references download"
    assert executable_scripts(html) == [] and "onclick" not in html


def test_the_references_download_is_offered_when_there_are_references(client, imported_seed):
    html = client.get("/ency/article/003194.htm").content.decode()
    assert '<a href="/ency/article/003194-references.ris" download>' in html


def test_a_preview_offers_no_downloads(make_article, admin_user):
    from types import SimpleNamespace

    from encyclopedia.snapshot import freeze
    from encyclopedia.views import render_article

    request = RequestFactory().get("/admin/preview/")
    request.user = admin_user
    html = render_article(request, SimpleNamespace(**freeze(make_article("Draft only"))), preview=True)
    html = html.content.decode()
    assert "Draft only: Medical Encyclopedia [Internet]." in page_text(html)
    assert ".ris" not in html and ".bib" not in html


# --- Downloads -------------------------------------------------------------------------


def test_ris_download(client, live):
    with time_machine.travel(TODAY):
        response = client.get(f"/ency/article/{live.public_id}.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{live.public_id}.ris"'
    (record,) = rispy.loads(response.content.decode())
    assert record["title"] == "Leg cramps at night"
    assert record["urls"] == [f"http://testserver/ency/article/{live.public_id}.htm"]
    assert record["date"] == "2024/03/31"
    assert record["access_date"] == "2026/06/05"


def test_bibtex_download(client, live):
    with time_machine.travel(TODAY):
        response = client.get(f"/ency/article/{live.public_id}.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{live.public_id}.bib"'
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc" and entry.key == f"ency{live.public_id}"
    fields = {name: field.value for name, field in entry.fields_dict.items()}
    assert fields["title"] == "{Leg cramps at night}"
    assert fields["url"] == f"http://testserver/ency/article/{live.public_id}.htm"
    assert fields["date"] == "2024-03-31" and fields["year"] == "2024" and fields["month"] == "mar"
    assert fields["urldate"] == "2026-06-05"
    assert fields["note"] == "Reviewed March 31, 2024. Accessed June 5, 2026"


def test_the_site_url_setting_is_the_base_of_the_cited_url(client, live, settings):
    settings.SITE_URL = "https://encyclopedia.example.org"
    (record,) = rispy.loads(client.get(f"/ency/article/{live.public_id}.ris").content.decode())
    assert record["urls"] == [f"https://encyclopedia.example.org/ency/article/{live.public_id}.htm"]


def test_references_download_has_each_reference_of_the_seed(client, imported_seed):
    publication = imported_seed.live_publication
    response = client.get("/ency/article/003194-references.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="003194-references.ris"'
    records = rispy.loads(response.content.decode())
    assert len(records) == len(publication.references) >= 3
    rows = [link.citation for link in imported_seed.citation_links.order_by("position", "id")]
    for record, reference, row in zip(records, publication.references, rows, strict=True):
        published = page_citation.plain(reference)
        assert record["type_of_reference"] == "CHAP"
        assert record["title"] == row.title and record["title"] in published
        assert record["secondary_title"] == row.container_title and row.container_title in published
        assert record["year"] == row.year and record["publisher"] == row.publisher
        assert record["section"] == row.chapter and f"chap {row.chapter}" in published
        assert len(record["authors"]) == len(row.authors.split(","))
        for author in record["authors"]:
            surname, initials = author.split(", ")
            assert f"{surname} {initials}" in published
        assert record["secondary_authors"], "the book's editors"


def test_a_reference_edited_since_publishing_downloads_as_published(client, imported_seed):
    row = imported_seed.citation_links.order_by("position", "id").first().citation
    published_title = row.title
    row.title = "An unapproved new title"
    row.save()
    records = rispy.loads(client.get("/ency/article/003194-references.ris").content.decode())
    assert records[0]["type_of_reference"] == "GEN"
    assert published_title in records[0]["title"]
    assert "unapproved" not in client.get("/ency/article/003194-references.ris").content.decode()


def test_journal_and_website_references_map_to_their_ris_types(client, make_article, publish_article):
    journal = Citation.objects.create(
        kind="journal_article",
        authors="Smith J, Example Study Group",
        title="A sample trial",
        container_title="Sample J Med",
        year="2023",
        volume="12",
        issue="3",
        pages="101-109",
        doi="10.0000/sample.1",
        pmid="12345678",
    )
    website = Citation.objects.create(
        kind="website",
        title="Sample guidance page",
        container_title="Example Society",
        url="https://example.org/guidance",
        updated="May 2, 2025",
        accessed=datetime.date(2025, 6, 1),
    )
    article = make_article("With references")
    article.citation_links.create(citation=journal, position=1)
    article.citation_links.create(citation=website, position=2)
    publish_article(article)
    first, second = rispy.loads(
        client.get(f"/ency/article/{article.public_id}-references.ris").content.decode()
    )
    assert first["type_of_reference"] == "JOUR"
    assert first["authors"] == ["Smith, J", "Example Study Group"]
    assert (first["journal_name"], first["volume"], first["number"]) == ("Sample J Med", "12", "3")
    assert (first["start_page"], first["end_page"]) == ("101", "109")
    assert first["doi"] == "10.0000/sample.1" and first["accession_number"] == "PMID: 12345678"
    assert second["type_of_reference"] == "ELEC"
    assert second["urls"] == ["https://example.org/guidance"]
    assert second["access_date"] == "2025/06/01"
    assert second["notes"] == ["Updated May 2, 2025"]
    assert "year" not in second


# --- Only live articles ----------------------------------------------------------------

DOWNLOADS = ["{}.ris", "{}.bib", "{}-references.ris"]


@pytest.mark.parametrize("name", DOWNLOADS)
def test_drafts_and_unknown_ids_are_404(client, make_article, name):
    draft = make_article("Unpublished draft")
    response = client.get("/ency/article/" + name.format(draft.public_id))
    assert response.status_code == 404
    assert "Unpublished draft" not in response.content.decode()
    assert client.get("/ency/article/" + name.format("123456")).status_code == 404


@pytest.mark.parametrize("name", DOWNLOADS)
def test_a_withdrawn_article_is_410(client, live, name):
    Article.objects.filter(pk=live.pk).update(withdrawn_at=timezone.now())
    response = client.get("/ency/article/" + name.format(live.public_id))
    assert response.status_code == 410
    assert "Leg cramps at night" not in response.content.decode()


@pytest.mark.parametrize("name", DOWNLOADS)
def test_a_merged_article_redirects_to_its_successors_file(client, live, make_article, publish_article, name):
    target = publish_article(make_article("Successor"))
    Article.objects.filter(pk=live.pk).update(merged_into=target)
    response = client.get("/ency/article/" + name.format(live.public_id))
    assert response.status_code == 301
    assert response["Location"] == "/ency/article/" + name.format(target.public_id)


# --- Hostile text ----------------------------------------------------------------------

HOSTILE_TITLE = 'Bad <script>alert(1)</script> } {x \\ 50% & "q"\nER  - \nTY  - JOUR\n@misc{evil,'


def test_hostile_titles_break_neither_the_page_nor_the_downloads(client, make_article, publish_article):
    article = publish_article(make_article(HOSTILE_TITLE))
    one_line = " ".join(HOSTILE_TITLE.split())

    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    assert active_content(html) == []
    box = html[html.index('<details class="cite">') :]
    assert box.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3, "the title is text in every style"

    records = rispy.loads(client.get(f"/ency/article/{article.public_id}.ris").content.decode())
    assert len(records) == 1 and records[0]["type_of_reference"] == "ELEC"
    assert records[0]["title"] == one_line

    text = client.get(f"/ency/article/{article.public_id}.bib").content.decode()
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == f"ency{article.public_id}"
    # Decoded, the title is the reader's (LaTeX writes the straight quotes as '' and decodes ”).
    assert entry.fields_dict["title"].value.replace("”", '"') == one_line
    assert entry.fields_dict["url"].value.endswith(f"/ency/article/{article.public_id}.htm")


def test_hostile_site_settings_stay_text(client, live):
    settings = SiteSettings.load()
    settings.publisher_name = "<b onmouseover=alert(1)>Evil</b> & Co"
    settings.save()
    html = client.get(f"/ency/article/{live.public_id}.htm").content.decode()
    assert active_content(html) == []
    box = html[html.index('<details class="cite">') : html.index("</details>")]
    assert len(re.findall(r"&lt;b onmouseover=alert\(1\)&gt;Evil&lt;/b&gt; &amp; Co", box)) == 3
    records = rispy.loads(client.get(f"/ency/article/{live.public_id}.ris").content.decode())
    assert records[0]["publisher"] == "<b onmouseover=alert(1)>Evil</b> & Co"


# --- Rendered once, when the page is frozen ----------------------------------------------


def _cite_box_text(client, public_id: str) -> str:
    with time_machine.travel(TODAY):
        html = client.get(f"/ency/article/{public_id}.htm").content.decode()
    start = html.index('<details class="cite">')
    return page_text(html[start : html.index("</details>", start)])


def test_a_first_view_renders_no_citation_the_publish_rendered(client, live, monkeypatch):
    def not_again(*args):
        raise AssertionError("citeproc-py ran for a reader")

    monkeypatch.setattr(page_citation, "_render", not_again)
    text = _cite_box_text(client, live.public_id)
    url = f"http://testserver/ency/article/{live.public_id}.htm"
    assert f"Medical Encyclopedia. Retrieved June 5, 2026, from {url}" in text, "the day and URL filled in"
    assert f"Example Health Publishing, 31 Mar. 2024, {url}. Accessed 5 June 2026." in text


def test_a_site_renamed_after_the_publish_is_cited_by_its_new_name(client, live):
    site = SiteSettings.load()
    site.site_name = "Health Library"
    site.save()
    text = _cite_box_text(client, live.public_id)
    assert (
        "Example Health Publishing. (2024, March 31). Leg cramps at night. Health Library. Retrieved" in text
    )
    assert "Medical Encyclopedia" not in text


def test_an_imported_page_is_given_its_citations_by_the_command(client, imported_seed):
    from io import StringIO

    from django.core.management import call_command

    publication = imported_seed.live_publication
    out = StringIO()
    call_command("render_cite_boxes", stdout=out)
    publication.refresh_from_db()
    assert publication.cite_templates["key"][0] == "Hand or foot spasms"
    call_command("render_cite_boxes", stdout=out)
    assert out.getvalue().splitlines()[-1] == "0 live pages given their citations."
    assert "Retrieved June 5, 2026, from http://testserver/ency/article/003194.htm" in _cite_box_text(
        client, imported_seed.public_id
    )
