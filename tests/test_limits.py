"""Size limits of an article's texts (``encyclopedia.limits``), the searches over the largest
article they allow, and the admin's answer to a form too large for the server to read.

Each limit is shown in the form's help text, refused with the limit and the size in the admin
and in the importer (the same words), and a text at the limit is stored whole.
"""

from __future__ import annotations

import contextlib
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from encyclopedia import limits, search
from encyclopedia.models import Article, SearchEntry, Section
from tests.conftest import page_text
from tests.factories import article_form, form_data, write_page

pytestmark = pytest.mark.django_db

ADD = "/admin/encyclopedia/article/add/"
REVIEW = "Review Date 3/31/2026\n\nUpdated by: Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL.\n"
# Our own sample prose, 8 sentences, repeated to any length.
PROSE = (
    "Night cramps often follow a long day on the feet. Stretching the calf before bed can help. "
    "Drinking enough water during hot weather matters too. A warm bath relaxes tight muscles. "
    "Some medicines list cramps among their side effects. Ask a pharmacist about yours. "
    "Cramps that wake you every night deserve a visit to a clinic. Keep a note of when they happen. "
)


def prose(length: int, ending: str = "") -> str:
    """Sample text exactly ``length`` characters long, ending with ``ending``."""
    body = (PROSE * (length // len(PROSE) + 1))[: length - len(ending)]
    return body + ending


def errors_of(html: str, name: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{re.escape(name)}_error">(.*?)</ul>', html, re.S)
    return page_text(found.group(1)).strip() if found else ""


# ---------------------------------------------------------------- the admin's forms


def test_the_article_form_shows_each_limit_in_its_help_text(superuser_client):
    html = page_text(superuser_client.get(ADD).content.decode())
    assert "The lead paragraph (Markdown). At most 3,000 characters." in html
    assert (
        "Markdown: paragraphs, lists, emphasis and links. At most 20,000 characters, and 150,000 for "
        "the summary and all sections together." in html
    )


def test_the_help_text_follows_the_settings(superuser_client, settings):
    settings.ARTICLE_SECTION_MAX_CHARS = 5_000
    settings.ARTICLE_SUMMARY_MAX_CHARS = 800
    settings.ARTICLE_MAX_CHARS = 40_000
    html = page_text(superuser_client.get(ADD).content.decode())
    assert "At most 800 characters." in html
    assert "At most 5,000 characters, and 40,000 for the summary and all sections together." in html


def test_a_section_longer_than_its_limit_is_a_form_error_with_the_limit_and_the_size(superuser_client):
    response = superuser_client.post(ADD, article_form(**{"sections-0-body": prose(20_345)}))
    assert response.status_code == 200
    assert errors_of(response.content.decode(), "sections-0-body") == (
        "This section is 20,345 characters long; the limit is 20,000 characters (345 too many). "
        "Shorten it or split it into two sections."
    )
    assert not Article.objects.exists()


def test_a_summary_longer_than_its_limit_is_a_form_error_with_the_limit_and_the_size(superuser_client):
    response = superuser_client.post(ADD, article_form(summary=prose(3_001)))
    assert response.status_code == 200
    assert errors_of(response.content.decode(), "summary") == (
        "The summary is 3,001 characters long; the limit is 3,000 characters (1 too many). "
        "Shorten it: it is the lead paragraph."
    )
    assert not Article.objects.exists()


def _sections(bodies: list[str]) -> dict:
    data = {"sections-TOTAL_FORMS": str(len(bodies))}
    for index, body in enumerate(bodies):
        data |= {
            f"sections-{index}-heading": "",
            f"sections-{index}-custom_heading": f"Part {index + 1}",
            f"sections-{index}-position": str(index + 1),
            f"sections-{index}-body": body,
        }
    return data


def test_an_article_longer_than_its_limit_is_refused_above_its_sections(superuser_client):
    # Each section within its own limit; together with the summary, 1,500 characters too many.
    bodies = [prose(20_000)] * 7 + [prose(8_500)]
    response = superuser_client.post(ADD, article_form(summary=prose(3_000), **_sections(bodies)))
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(r'<ul class="errorlist nonform">(.*?)</ul>', html, re.S)
    assert errors, "the refusal is shown above the sections"
    assert page_text(errors.group(1)).strip() == (
        "The article (its summary and sections together) is 151,500 characters long; the limit is "
        "150,000 characters (1,500 too many). Shorten it, or split it into two articles."
    )
    assert not Article.objects.exists()


def test_an_article_at_every_limit_is_saved_exactly(superuser_client):
    summary = prose(3_000, ending="Summary ends here.")
    bodies = [prose(20_000, ending=f"Part {n} ends.") for n in range(1, 8)] + [prose(7_000, ending="Last.")]
    response = superuser_client.post(ADD, article_form(summary=summary, **_sections(bodies)))
    assert response.status_code == 302, errors_of(response.content.decode(), "summary")
    article = Article.objects.get()
    assert article.summary == summary
    assert [section.body for section in article.sections.order_by("position")] == bodies
    assert limits.article_size(article.summary, bodies) == 150_000


def test_an_edit_that_makes_an_article_too_long_saves_nothing(superuser_client, make_article, settings):
    settings.ARTICLE_MAX_CHARS = 300
    article = make_article("Leg cramps", sections=1)
    data = form_data(superuser_client, article)
    data |= {"title": "Leg cramps, longer", "sections-0-body": prose(290)}
    response = superuser_client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    assert response.status_code == 200
    assert "the limit is 300 characters" in page_text(response.content.decode())
    article.refresh_from_db()
    assert article.title == "Leg cramps" and len(article.sections.get().body) < 100


def test_the_limits_are_settings(superuser_client, settings):
    settings.ARTICLE_SECTION_MAX_CHARS = 100
    response = superuser_client.post(ADD, article_form(**{"sections-0-body": prose(101)}))
    assert errors_of(response.content.decode(), "sections-0-body").startswith(
        "This section is 101 characters long; the limit is 100 characters (1 too many)."
    )


def test_the_model_refuses_a_section_over_its_limit(make_article):
    section = make_article(sections=1).sections.get()
    section.body = prose(20_001)
    with pytest.raises(
        Exception, match=r"20,001 characters long; the limit is 20,000 characters \(1 too many\)"
    ):
        section.full_clean()


# ---------------------------------------------------------------- the importer


def _import(tmp_path, text: str) -> tuple[str, str]:
    path = write_page(tmp_path, text)
    err = StringIO()
    with contextlib.suppress(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    return path, err.getvalue()


def test_the_importer_refuses_a_section_over_its_limit_naming_file_and_line(tmp_path):
    text = f"Leg cramps\n\nA short summary.\n\nCauses\n\n{prose(20_345)}\n\n{REVIEW}"
    path, err = _import(tmp_path, text)
    assert err.strip() == (
        f"error: {path}:5: The section “Causes” is 20,345 characters long; the limit is 20,000 "
        "characters (345 too many). Shorten it or split it into two sections. Nothing from this file was saved."
    )
    assert not Article.objects.exists()


def test_the_importer_refuses_a_summary_over_its_limit_naming_file_and_line(tmp_path):
    path, err = _import(tmp_path, f"Leg cramps\n\n{prose(3_001)}\n\n{REVIEW}")
    assert (
        f"error: {path}:3: The summary is 3,001 characters long; the limit is 3,000 characters (1 too many)."
        in err
    )
    assert not Article.objects.exists()


def test_the_importer_refuses_an_article_over_its_limit_at_the_section_that_passes_it(tmp_path):
    sections = "".join(f"Part {n}\n\n{prose(20_000)}\n\n" for n in range(1, 9))  # 160,000 and the summary
    path, err = _import(tmp_path, f"Leg cramps\n\nA short summary.\n\n{sections}{REVIEW}")
    # Part 8 (line 33) passes the limit: 7 × 20,000 + the summary are within it.
    assert (
        f"error: {path}:33: The article (its summary and sections together) is 160,016 characters long" in err
    )
    assert "(10,016 too many)" in err
    assert not Article.objects.exists()


def test_the_importer_refuses_more_sections_or_names_than_an_article_may_have(tmp_path, settings):
    """Each section and name is a row and a version: 50,000 of them once took minutes to refuse."""
    settings.ARTICLE_MAX_SECTIONS, settings.ARTICLE_MAX_ALTERNATIVE_NAMES = 3, 2
    sections = "".join(f"Part {n}\n\nShort text {n}.\n\n" for n in range(1, 5))  # Part 4 on line 17
    path, err = _import(tmp_path, f"Leg cramps\n\nA short summary.\n\n{sections}{REVIEW}")
    assert f"error: {path}:17: the page has 4 sections; an article has at most 3" in err
    names = "Alternative Names\n\nCalf cramps; Charley horse\nNight cramps\n\n"  # the third on line 8
    path, err = _import(tmp_path, f"Leg cramps\n\nA short summary.\n\n{names}{REVIEW}")
    assert f"error: {path}:8: the page has 3 alternative names; an article has at most 2" in err
    assert not Article.objects.exists()


def test_the_importer_stores_an_article_at_its_limits_whole(tmp_path):
    summary = prose(3_000, ending="Summary ends.")
    bodies = [prose(20_000, ending=f"Part {n} ends.") for n in range(1, 8)]
    sections = "".join(f"Part {n}\n\n{body}\n\n" for n, body in enumerate(bodies, start=1))
    _path, err = _import(tmp_path, f"Leg cramps\n\n{summary}\n\n{sections}{REVIEW}")
    assert err == ""
    article = Article.objects.get()
    assert article.summary == summary and article.is_live
    assert [section.body for section in article.sections.order_by("position")] == bodies


# ---------------------------------------------------------------- search over the largest article


@pytest.fixture
def largest(make_article, publish_article):
    """A live article of the largest size allowed; its last section ends with a rare word."""
    article = make_article("Night cramps", sections=0, summary=prose(limits.summary_limit()))
    room = limits.article_limit() - limits.summary_limit()
    position = 0
    while room:
        position += 1
        size = min(room, limits.section_limit())
        room -= size
        ending = " Zygomycosis is unrelated." if not room else ""
        Section.objects.create(
            article=article, position=position, custom_heading=f"Part {position}", body=prose(size, ending)
        )
    others = [
        make_article(f"Cramp note {n}", sections=1, summary="Stretching the calf helps.") for n in range(3)
    ]
    for each in [article, *others]:
        publish_article(each)
    return article


def test_a_search_over_the_largest_article_finds_it_with_a_marked_snippet(client, largest):
    with CaptureQueriesContext(connection) as queries:
        found = search.search("zygomycosis")
    assert [result.public_id for result in found.results] == [largest.public_id]
    assert "<mark>Zygomycosis</mark> is unrelated" in found.results[0].snippet, (
        "the match, from deep in the text"
    )
    assert len(queries) <= 2, "one page of results, in one or two queries"

    found = search.search("stretching calf")
    assert found.total == 4 and largest.public_id in [result.public_id for result in found.results]
    for result in found.results:
        assert "<mark>" in result.snippet and len(result.snippet) < 1_000, "a snippet, not the text"

    response = client.get("/ency/search/?q=zygomycosis")
    assert response.status_code in (200, 302)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_search_never_reads_a_whole_oversized_text_for_its_snippet(largest):
    """A 2 MB body stored before the limits (as in the issue) answers as fast as any: ts_headline
    over the whole of it takes seconds (4 s for this phrase); over a bounded window, milliseconds."""
    SearchEntry.objects.filter(pk=largest.pk).update(body=prose(2_000_000, " Zygomycosis is unrelated."))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '1s'")  # ended by the test's rollback
        found = search.search('"night cramps"')
    assert [result.public_id for result in found.results] == [largest.public_id]
    assert "<mark>Night</mark> <mark>cramps</mark>" in found.results[0].snippet


# ---------------------------------------------------------------- a form too large to read


def test_a_form_too_large_to_read_gets_the_admins_page_saying_by_how_much(superuser_client):
    data = article_form(summary="Cramps. " * 375_000)  # a 3 MB paragraph
    response = superuser_client.post(ADD, data)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Medical Encyclopedia: editorial admin" in html, "in the admin's own style"
    text = page_text(html)
    assert "The form was too large to save" in text
    sent = int(response.wsgi_request.META["CONTENT_LENGTH"])
    assert f"The form you sent is {sent / 1e6:.1f} MB; the server reads at most 2.6 MB" in text
    assert f"({(sent - 2_621_440) / 1e6:.1f} MB too much)" in text
    assert "Your text is still in the form: go back with your browser's Back button" in text
    assert not Article.objects.exists()


def test_a_form_with_too_many_fields_gets_the_admins_page(superuser_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    response = superuser_client.post(ADD, article_form())
    assert response.status_code == 413
    assert "The form you sent has more than 20 fields" in page_text(response.content.decode())
    assert not Article.objects.exists()


def test_an_admin_post_with_a_content_length_that_is_no_number_is_a_400(client):
    response = client.generic(
        "POST",
        "/admin/login/",
        b"a=b",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="abc",
    )
    assert response.status_code == 400
    assert b"Content-Length" in response.content
