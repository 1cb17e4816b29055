"""Issue 13, "any input": citation identifiers checked where they enter (forms and importer), every
importer refusal naming its file and line, one form message per refused field, a Markdown page's
"URL of this page" line after its title, and accreditation badges checked and re-encoded as
article images are."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from encyclopedia import images
from encyclopedia.models import (
    AccreditationNotice,
    Article,
    Citation,
    EditorialCredit,
    Reviewer,
    ReviewOrganization,
)
from tests.conftest import page_text
from tests.factories import (
    article_form,
    field_error,
    notice_form,
    picture,
    png_header_only,
    upload,
    write_page,
)

pytestmark = pytest.mark.django_db

WEBSITE = {
    "kind": "website",
    "title": "Cramps",
    "container_title": "Example Society",
    "url": "https://example.org",
}
JOURNAL = {
    "kind": "journal_article",
    "authors": "Doe A",
    "title": "Night cramps in runners",
    "container_title": "Example Journal",
    "year": "2024",
}

# A reviewed page; each test puts its own reference, reviewer, organization or credit in it.
PAGE = """URL of this page: https://example.org/ency/article/004321.htm

Night cramps

Cramps come and go at night.

Causes

Long runs, mostly.

References

{reference}

Review Date 3/31/2024

Updated by: {reviewer}, MD, Department of Medicine, Example University, Springfield, IL. \
Review provided by {organization}. Also reviewed by {credit}, Editorial Director.
"""
GOOD = {
    "reference": "Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12.",
    "reviewer": "Rae Viewer",
    "organization": "Example Review Network",
    "credit": "Cal Editor",
}


def refusal(tmp_path, content: str | bytes) -> tuple[str, str]:
    """The importer's error for ``content`` (its path taken out) and the file's path."""
    path = write_page(tmp_path, content)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    return err.getvalue(), path


def assert_nothing_imported() -> None:
    assert not Article.objects.exists()
    assert not Citation.objects.exists() and not Reviewer.objects.exists()
    assert (
        not ReviewOrganization.objects.exists()
        and not EditorialCredit.objects.filter(standing=False).exists()
    )


# ---------------------------------------------------------------- citation identifiers


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "abcd", "Enter the year as four digits, like 2024"),
        ("year", "２０２４", "Enter the year as four digits, like 2024"),
        ("pmid", "not-a-number", "Enter the PubMed id alone, in digits"),
        ("pmid", "PMID: 123", "Enter the PubMed id alone, in digits"),
        ("doi", "10.1000/has space", "Enter the DOI alone, without spaces"),
        ("doi", "https://doi.org/10.1000/xyz", "Enter the DOI alone, without spaces"),
        ("url", "https://exa mple.org/page", "Enter a valid URL."),
    ],
)
def test_the_citation_form_refuses_a_bad_identifier_on_its_field(superuser_client, field, value, message):
    response = superuser_client.post("/admin/encyclopedia/citation/add/", {**JOURNAL, field: value})
    assert response.status_code == 200
    assert field_error(response.content.decode(), field).startswith(message)
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    ("year", "pmid", "doi"),
    [
        ("2024", "31234567", "10.1000/xyz123"),
        ("2019a", "1", "10.1002/(SICI)1097-0258"),
        ("2020 Mar 15", "", ""),
    ],
)
def test_the_citation_form_keeps_good_identifiers_exactly(superuser_client, year, pmid, doi):
    data = {**JOURNAL, "year": year, "pmid": pmid, "doi": doi}
    response = superuser_client.post("/admin/encyclopedia/citation/add/", data)
    assert response.status_code == 302, page_text(response.content.decode())[:500]
    assert Citation.objects.values_list("year", "pmid", "doi").get() == (year, pmid, doi)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12. doi:10.1000 /x.",
            "reference: DOI “10.1000 /x”: Enter the DOI alone, without spaces",  # the format cannot hold it
        ),
        (
            "Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12. PMID: 12ab34. doi: 11.1/xx",
            "reference: PMID “12ab34”: Enter the PubMed id alone, in digits, like 31234567 (without “PMID:”); "
            "DOI “11.1/xx”: Enter the DOI alone",
        ),
        (
            "Doe A. Night cramps in runners. *Example Journal*. 20x4;3(2):10-12.",
            "reference: year “20x4”: Enter the year as four digits",
        ),
        (
            "Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12. doi:not-a-doi.",
            "citation: doi: Enter the DOI alone, without spaces",
        ),
        (
            "Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12. PMID: 0123.",
            "citation: pmid: Enter the PubMed id alone, in digits",
        ),
        (
            "Doe A. *A book on cramps*. Springfield: Example Press; ٢٠٢٤.",
            "citation: year: Enter the year as four digits",
        ),
        (
            "Example Society website. Night cramps. exa..mple.org/page. Accessed March 31, 2024.",
            "citation: url: Enter a valid URL.",
        ),
    ],
)
def test_the_importer_refuses_a_bad_identifier_naming_file_and_line(tmp_path, reference, message):
    err, path = refusal(tmp_path, PAGE.format(**{**GOOD, "reference": reference}))
    assert f"error: {path}:13: {message}" in err
    assert "Nothing from this file was saved." in err
    assert_nothing_imported()


# ---------------------------------------------------------------- importer lines


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ("reviewer", "reviewer: name: Ensure this value has at most 200 characters (it has 201)"),
        (
            "organization",
            "review organization: name: Ensure this value has at most 200 characters (it has 201)",
        ),
        ("credit", "editorial credit: name: Ensure this value has at most 200 characters (it has 201)"),
    ],
)
def test_a_refused_reviewer_organization_or_credit_names_the_updated_by_line(tmp_path, part, message):
    err, path = refusal(tmp_path, PAGE.format(**{**GOOD, part: "R" * 201}))
    assert f"error: {path}:17: {message}" in err
    assert_nothing_imported()


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"Title\n\nA summary\xff\xfe.\n", ":3: the file is not UTF-8 text: byte 17 (0xFF, column 10)"),
        (
            b"Title\r\n\r\nHalf a pair \xed\xa0\x80.\r\n",
            ":3: the file is not UTF-8 text: byte 22 (0xED, column 13)",
        ),
        (
            "Tïtle\n\nCafé\n\nLast \xe9 line".encode("latin-1"),
            ":1: the file is not UTF-8 text: byte 2 (0xEF, column 2)",
        ),
        (
            "Title\n\nCafé summary, é\xe9".encode()[:-1],
            ":3: the file is not UTF-8 text: byte 25 (0xC3, column 16)",
        ),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_naming_line_and_byte(tmp_path, content, where):
    err, path = refusal(tmp_path, content)
    assert f"error: {path}{where} cannot be read; save the file as UTF-8" in err
    assert_nothing_imported()


@pytest.mark.parametrize(
    ("url_line", "message"),
    [
        ("000000", "article: public_id: 000000 is not an article id; ids start at 000001."),
        ("900123", "article: public_id: Ids from 900000 up are kept for sample content"),
    ],
)
def test_an_id_no_article_may_have_is_refused_at_its_url_line(tmp_path, url_line, message):
    text = MARKDOWN.format(url=f"URL of this page: https://example.org/ency/article/{url_line}.htm")
    err, path = refusal(tmp_path, text)
    assert f"error: {path}:3: {message}" in err
    assert_nothing_imported()


# ---------------------------------------------------------------- one message per refused field


def messages_on(html: str) -> list[str]:
    """Every error message the form shows, wherever it is."""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    return [page_text(item).strip() for found in lists for item in re.findall(r"<li>(.*?)</li>", found, re.S)]


def test_an_over_long_custom_heading_gets_one_message_on_its_field(superuser_client):
    response = superuser_client.post(
        "/admin/encyclopedia/article/add/", article_form(**{"sections-1-custom_heading": "H" * 201})
    )
    html = response.content.decode()
    assert field_error(html, "sections-1-custom_heading") == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    sections = html.split('id="sections-group"', 1)[1].split('-group"', 1)[0]  # the sections inline
    assert messages_on(sections) == ["Ensure this value has at most 200 characters (it has 201)."]
    assert not Article.objects.exists()


def test_a_bad_url_on_a_website_citation_gets_one_message_on_its_field(superuser_client):
    response = superuser_client.post(
        "/admin/encyclopedia/citation/add/", {**WEBSITE, "url": "https://exa mple.org/page"}
    )
    html = response.content.decode()
    assert field_error(html, "url") == "Enter a valid URL."
    assert messages_on(html) == ["Enter a valid URL."]
    assert not Citation.objects.exists()


def test_a_missing_url_on_a_website_citation_is_still_asked_for(superuser_client):
    response = superuser_client.post("/admin/encyclopedia/citation/add/", {**WEBSITE, "url": ""})
    assert field_error(response.content.decode(), "url") == "A website citation needs this."


# ---------------------------------------------------------------- the URL line of a Markdown page


MARKDOWN = """# Night cramps

{url}

Cramps come and go at night.

## Causes

Long runs, mostly.

Review Date 3/31/2024

Updated by: Rae Viewer, MD, Department of Medicine, Example University, Springfield, IL.
"""


def test_a_markdown_page_with_its_url_line_after_the_title_keeps_its_id(client, tmp_path):
    url = "URL of this page: https://example.org/ency/article/004567.htm"
    out = StringIO()
    call_command("import_articles", write_page(tmp_path, MARKDOWN.format(url=url), "page.md"), stdout=out)
    assert "Imported 004567 “Night cramps” (new)" in out.getvalue()
    article = Article.objects.get()
    assert article.summary == "Cramps come and go at night."
    html = client.get("/ency/article/004567.htm").content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert description.startswith("Cramps come and go at night.")
    assert "example.org" not in html  # the URL line is nowhere on the page (its own URL line is ours)


def test_two_url_lines_naming_different_articles_are_refused(tmp_path):
    text = "URL of this page: https://example.org/ency/article/004568.htm\n" + MARKDOWN.format(
        url="URL of this page: https://example.org/ency/article/004567.htm"
    )
    err, path = refusal(tmp_path, text)
    assert f"error: {path}:4: this “URL of this page” line names article 004567, but the one before" in err
    assert_nothing_imported()


# ---------------------------------------------------------------- accreditation badges


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def gif_with_a_script_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 40), 3).save(out, "GIF", comment=b"<script>window.__pwned=1</script>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (picture((100, 100)) + b"\0" * (30 * 1024 * 1024), "the limit is 5 MB"),
        (
            png_header_only(13_000, 13_000),
            "The image is 13000 × 13000 pixels; the limit is 6000 × 6000 pixels.",
        ),
        (b"<svg onload=alert(1)>", "SVG files are not accepted"),
    ],
    ids=["30 MB", "13000 x 13000", "SVG"],
)
def test_a_badge_upload_gets_the_article_image_checks(superuser_client, media, data, message):
    response = superuser_client.post(
        "/admin/encyclopedia/accreditationnotice/add/", notice_form(upload(data, "badge.png"))
    )
    assert response.status_code == 200
    assert message in field_error(response.content.decode(), "badge")
    assert not AccreditationNotice.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_badge_is_re_encoded_without_its_comment_and_fits_the_badge_box(superuser_client, media):
    raw = gif_with_a_script_comment()
    assert b"<script>" in raw
    response = superuser_client.post(
        "/admin/encyclopedia/accreditationnotice/add/", notice_form(upload(raw, "badge.gif", "image/gif"))
    )
    assert response.status_code == 302
    stored = AccreditationNotice.objects.get().badge
    with stored.open("rb") as f:
        data = f.read()
    assert b"script" not in data and b"pwned" not in data
    assert stored.name.endswith(".png") and "badge" not in stored.name.removeprefix("badges/")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (40, 40) and "comment" not in image.info

    large = AccreditationNotice(**{**notice_form(upload(picture((1200, 600)), "big.png")), "body": "Other"})
    large.full_clean()
    large.save()
    with Image.open(large.badge.path) as image:
        assert image.size == (images.BADGE_BOX[0], images.BADGE_BOX[0] // 2)


def test_a_bad_code_is_refused_in_one_sentence(tmp_path):
    page = PAGE.format(**GOOD).replace("Review Date", "Codes: ICD-10-CM E1\n\nReview Date")
    err, path = refusal(tmp_path, page)
    assert f"error: {path}:15: in the “Codes:” line, “E1” is not an ICD-10-CM code" in err
    assert "(E11 or E11.65). Nothing from this file was saved." in err
    assert ".." not in err
    assert_nothing_imported()
