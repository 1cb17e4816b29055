"""The importer: the seed page lands whole in the model and on the public page."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from reversion.models import Version

from editorial.actions.import_article import import_page
from editorial.importer.parser import ParseError, parse_page
from encyclopedia.models import Article, Citation, Publication, ReviewOrganization
from encyclopedia.snapshot import is_current
from tests.conftest import page_text
from tests.factories import edit, make_user, seed_sections, to_markdown, write_page

pytestmark = pytest.mark.django_db


def seed_content_lines(seed_text: str) -> list[str]:
    """Every line of the article's own content, from the title to the end of the credits."""
    lines = [line.strip() for line in seed_text.splitlines()]
    start = lines.index("Hand or foot spasms")
    end = next(i for i, line in enumerate(lines) if line.startswith("Updated by:"))
    return [line for line in lines[start : end + 1] if line]


def test_every_part_of_the_seed_lands_in_the_model(seed_text, imported_seed):
    article = imported_seed
    expected = seed_sections(seed_text)
    assert article.title == "Hand or foot spasms"
    assert article.public_id == "003194"
    assert article.article_type == "symptom"
    assert article.summary.startswith("Spasms are contractions")

    sections = list(article.sections.all())
    content_headings = [h for h in expected if h not in ("Alternative Names", "References")]
    assert [s.heading_text for s in sections] == content_headings
    assert all(s.heading_id for s in sections), "the seed uses only standard headings"
    for section in sections:
        for line in expected[section.heading_text]:
            text = line[2:] if line.startswith("- ") else line
            bullet = f"- {text}" if line.startswith("- ") else text
            assert bullet in section.body.splitlines(), f"{section.heading_text}: {line!r}"

    names = list(article.alternative_names.values_list("name", flat=True))
    assert names == [n.strip() for n in expected["Alternative Names"][0].split(";")]

    references = [link.citation.as_text() for link in article.citation_links.select_related("citation")]
    assert references == expected["References"]

    assert article.review_date == datetime.date(2024, 3, 31)
    reviewer = article.reviewer
    assert (reviewer.name, reviewer.credentials) == ("Joseph V. Campellone", "MD")
    assert reviewer.department == "Department of Neurology"
    assert reviewer.institution == "Cooper Medical School at Rowan University"
    assert (reviewer.city, reviewer.state) == ("Camden", "NJ")
    assert article.review_organization.name == "VeriMed Healthcare Network"
    credits = [link.credit.credit() for link in article.credit_links.select_related("credit")]
    assert credits == [
        "David C. Dugdale, MD, Medical Director",
        "Brenda Conaway, Editorial Director",
        "the A.D.A.M. Editorial team",
    ]


def test_every_line_of_the_seed_appears_on_the_public_page(client, seed_text, imported_seed):
    response = client.get("/ency/article/003194.htm")
    assert response.status_code == 200
    text = page_text(response.content.decode())
    for line in seed_content_lines(seed_text):
        visible = re.sub(r"^- ", "", line).replace("*", "")
        assert visible in text, f"missing on the page: {visible!r}"


def test_the_page_has_one_h1_and_ordered_headings(client, imported_seed):
    html = client.get("/ency/article/003194.htm").content.decode()
    assert html.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert '<html lang="en">' in html


def test_markdown_form_of_the_seed_imports_the_same(seed_text, known_headings):
    plain = parse_page(seed_text, known_headings)
    markdown = parse_page(to_markdown(seed_text), known_headings)
    assert markdown.title == plain.title
    assert markdown.summary == plain.summary
    assert [(s.heading, s.body) for s in markdown.sections] == [(s.heading, s.body) for s in plain.sections]
    assert markdown.alternative_names == plain.alternative_names
    assert markdown.citations == plain.citations
    assert (markdown.review_date, markdown.reviewer) == (plain.review_date, plain.reviewer)


def test_markdown_custom_heading_is_kept(known_headings):
    page = parse_page("# Knee pain\n\nSummary line.\n\n## Living with it\n\nSome text.\n", known_headings)
    assert page.sections[0].heading == "Living with it"
    import_page(page, source="knee.md")
    section = Article.objects.get(title="Knee pain").sections.get()
    assert section.heading is None and section.custom_heading == "Living with it"


def test_command_imports_and_reports(tmp_path, seed_text):
    out = StringIO()
    call_command("import_articles", write_page(tmp_path, seed_text), stdout=out)
    assert "Imported 003194 “Hand or foot spasms” (new)" in out.getvalue()
    assert out.getvalue().strip().endswith("1 file imported (1 new, 0 updated, 0 unchanged), 0 failed.")
    article = Article.objects.get(public_id="003194")
    assert article.is_live
    assert article.live_publication.review_date == datetime.date(2024, 3, 31)


def test_dry_run_saves_nothing(tmp_path, seed_text):
    out = StringIO()
    call_command("import_articles", write_page(tmp_path, seed_text), "--dry-run", stdout=out)
    assert "Would import 003194" in out.getvalue()
    assert "Dry run: nothing was saved." in out.getvalue()
    assert Article.objects.count() == 0
    assert Citation.objects.count() == 0
    assert Version.objects.count() == 0


def test_reimport_updates_the_working_copy_as_a_new_revision(seed_text, known_headings, imported_seed):
    versions_before = Version.objects.get_for_object(imported_seed).count()
    changed = seed_text.replace("Nighttime leg cramps are common", "Night cramps are common")
    result = import_page(parse_page(changed, known_headings), source="seed-v2.txt")
    assert result.outcome == "updated"
    article = Article.objects.get(public_id="003194")
    assert Article.objects.count() == 1
    assert Version.objects.get_for_object(article).count() == versions_before + 1
    latest = Version.objects.get_for_object(article).first()
    assert latest.revision.comment == "Imported from seed-v2.txt"
    assert "Night cramps are common" in article.sections.get(heading__name="Considerations").body
    assert Citation.objects.count() == 3, "the same references are reused, not copied"


def test_reimport_of_the_same_page_changes_nothing(seed_page, imported_seed):
    publications = Publication.objects.count()
    versions = Version.objects.count()
    assert import_page(seed_page, source="again.txt").outcome == "unchanged"
    assert (Publication.objects.count(), Version.objects.count()) == (publications, versions)


def test_bad_file_names_file_and_line_saves_nothing_and_others_import(tmp_path, seed_text):
    broken = seed_text.replace("Review Date 3/31/2024", "Review Date 31/31/2024")
    bad_line = broken.splitlines().index("Review Date 31/31/2024") + 1
    bad = write_page(tmp_path, broken, "bad.txt")
    good = write_page(tmp_path, to_markdown(seed_text).replace("003194", "003195"), "good.md")
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_articles", bad, good, stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert (
        f"error: {bad}:{bad_line}: “31/31/2024” is not a review date in the form M/D/YYYY" in err.getvalue()
    )
    assert "Nothing from this file was saved." in err.getvalue()
    assert list(Article.objects.values_list("public_id", flat=True)) == ["003195"]
    assert "1 file imported (1 new, 0 updated, 0 unchanged), 1 failed." in out.getvalue()


def test_a_failure_late_in_a_file_leaves_nothing_half_saved(seed_text, known_headings):
    page = parse_page(seed_text, known_headings)
    page.alternative_names.append("x" * 300)  # too long for the model: refused after sections were written
    with pytest.raises(ParseError):
        import_page(page, source="seed.txt")
    assert Article.objects.count() == 0
    assert Citation.objects.count() == 0


def test_unreadable_reference_is_refused_with_its_line(seed_text, known_headings):
    broken = seed_text.replace("2021:chap 23.", "in press, see publisher")
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "in press, see publisher" in text)
    with pytest.raises(ParseError) as error:
        parse_page(broken, known_headings)
    assert error.value.line == line
    assert "cannot read this reference" in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file has no title"),
        ("Only a title\n", "expected a summary paragraph after the title"),
        ("URL of this page: nowhere\nTitle\n\nSummary.\n", "names no /ency/article/NNNNNN.htm"),
        ("Title\n\nSummary.\n\nUpdated by: nobody here at all\n", "cannot read the"),
    ],
)
def test_malformed_pages_get_a_clear_error(text, message, known_headings):
    with pytest.raises(ParseError) as error:
        parse_page(text, known_headings)
    assert message in str(error.value)


def test_links_to_articles_not_yet_imported(tmp_path, seed_text, client):
    linking = seed_text.replace(
        "Dehydration (not having enough fluids in your body)",
        "[Dehydration](https://medlineplus.gov/ency/article/000982.htm) (not having enough fluids)",
    ).replace("Spasms are contractions", "Spasms ([see also](https://example.org/cramps)) are contractions")
    out = StringIO()
    call_command("import_articles", write_page(tmp_path, linking), stdout=out)
    assert (
        "Links to articles not imported yet, shown as plain text until they are live: 000982 (linked from 003194)"
        in (out.getvalue())
    )
    body = Article.objects.get(public_id="003194").sections.get(heading__name="Causes").body
    assert "[Dehydration](article:000982)" in body
    html = client.get("/ency/article/003194.htm").content.decode()
    assert "<li>Dehydration (not having enough fluids)</li>" in html
    assert '<a href="https://example.org/cramps">see also</a>' in html

    target = (
        "URL of this page: //medlineplus.gov/ency/article/000982.htm\n\n# Dehydration\n\nSample summary.\n\n"
        "Review Date 3/31/2026\n\nUpdated by: Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL.\n"
    )
    call_command("import_articles", write_page(tmp_path, target, "dehydration.md"), stdout=StringIO())
    html = client.get("/ency/article/003194.htm").content.decode()
    assert '<a href="/ency/article/000982.htm">Dehydration</a>' in html


def test_seed_references_are_structured_not_just_round_tripped(imported_seed):
    first = imported_seed.citation_links.select_related("citation").first().citation
    assert first.kind == "book_chapter"
    assert first.authors == "Chonchol M, Smogorzewski MJ, Stubbs JR, Yu ASL"
    assert first.title == "Disorders of calcium, magnesium, and phosphate balance"
    assert first.editors == "Yu ASL, Chertow GM, Luyckx VA, Marsden PA, Skorecki K, Taal MW"
    assert first.container_title == "Brenner and Rector's The Kidney"
    assert (first.edition, first.place, first.publisher, first.year, first.chapter) == (
        "11th",
        "Philadelphia, PA",
        "Elsevier",
        "2020",
        "18",
    )


def test_a_byte_order_mark_and_crlf_line_ends_are_read_as_the_same_page(seed_text, known_headings):
    page = parse_page("\ufeff" + seed_text.replace("\n", "\r\n"), known_headings)
    assert (page.public_id, page.title) == ("003194", "Hand or foot spasms")
    assert page == parse_page(seed_text, known_headings)


def test_a_nul_byte_is_refused_with_its_line(known_headings):
    with pytest.raises(ParseError) as error:
        parse_page("Title\n\nSummary.\n\nBad\x00line\n", known_headings)
    assert error.value.line == 5


def test_a_missing_title_is_not_guessed_from_the_summary(known_headings):
    with pytest.raises(ParseError, match="reads like a sentence"):
        parse_page("Spasms are contractions of muscles.\n\nA second paragraph.\n", known_headings)


def test_a_page_without_an_id_updates_the_article_with_its_title(tmp_path):
    page = "Night cramps\n\nA sample summary.\n\nCauses\n\nSample causes.\n"
    call_command("import_articles", write_page(tmp_path, page, "a.txt"), stdout=StringIO())
    call_command(
        "import_articles",
        write_page(tmp_path, page.replace("Sample causes", "Other causes"), "b.txt"),
        stdout=StringIO(),
    )
    assert Article.objects.count() == 1
    assert "Other causes" in Article.objects.get().sections.get().body


def test_markdown_list_items_in_references_and_names(seed_text, known_headings):
    markdown = to_markdown(seed_text)
    for line in seed_sections(seed_text)["References"]:
        markdown = markdown.replace(line, "- " + line)
    markdown = markdown.replace(
        "Foot spasms; Carpopedal spasm; Spasms of the hands or feet; Hand spasms",
        "- Foot spasms\n- Carpopedal spasm\n- Spasms of the hands or feet\n- Hand spasms",
    )
    page = parse_page(markdown, known_headings)
    assert page.citations == parse_page(seed_text, known_headings).citations
    assert page.alternative_names == [
        "Foot spasms",
        "Carpopedal spasm",
        "Spasms of the hands or feet",
        "Hand spasms",
    ]


def test_an_unreadable_review_date_is_named_as_such(seed_text, known_headings):
    broken = seed_text.replace("Review Date 3/31/2024", "Review Date March 31, 2024")
    with pytest.raises(ParseError, match="“March 31, 2024” is not a review date"):
        parse_page(broken, known_headings)


def test_a_too_long_alternative_name_names_its_line_and_saves_nothing(tmp_path, seed_text):
    broken = seed_text.replace("Hand spasms", "x" * 250)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "x" * 250 in text)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", write_page(tmp_path, broken), stdout=StringIO(), stderr=err)
    assert (
        f"page.txt:{line}: alternative name: name: Ensure this value has at most 200 characters"
        in err.getvalue()
    )
    assert Article.objects.count() == 0


def test_a_too_long_review_organization_is_a_clear_error(tmp_path, seed_text):
    broken = seed_text.replace("VeriMed Healthcare Network", "V" * 250)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", write_page(tmp_path, broken), stdout=StringIO(), stderr=err)
    assert "review organization: name: Ensure this value has at most 200 characters" in err.getvalue()
    assert Article.objects.count() == 0
    assert not ReviewOrganization.objects.exists()


def test_an_article_in_review_is_not_overwritten_by_an_import(tmp_path, seed_text, imported_seed):
    from editorial.actions.submit import submit

    editor = make_user("ed", "Editors")
    edit(imported_seed, editor, "A draft in review.")
    submit(imported_seed, editor)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_articles",
            write_page(tmp_path, seed_text.replace("Twitching", "Jerking")),
            stdout=StringIO(),
            stderr=err,
        )
    message = err.getvalue()
    assert (
        "article 003194 “Hand or foot spasms” has a draft (live + in review) last changed by ed on "
        in message
    )
    assert "or run again with --replace-draft to discard it. Nothing from this file was saved." in message
    article = Article.objects.get(public_id="003194")
    assert article.state == "in_review"
    assert article.sections.first().body == "A draft in review."


# ---------------------------------------------------------------- many files in one run


def _pages(
    tmp_path, seed_text: str, titles: list[str], *, change: tuple[str, str] | None = None
) -> list[str]:
    """The seed as new pages without an id (each gets the next free one), one file per title."""
    paths = []
    for title in titles:
        text = seed_text.replace(
            "URL of this page: [//medlineplus.gov/ency/article/003194.htm](https://medlineplus.gov/ency/article/003194.htm)",
            "",
        ).replace("Hand or foot spasms", title)
        if change:
            text = text.replace(*change)
        paths.append(write_page(tmp_path, text, f"{title}.txt"))
    return paths


def _import_counting(paths: list[str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call_command("import_articles", *paths, stdout=StringIO())
    return len(captured.captured_queries)


def test_importing_costs_the_same_queries_per_file_however_many_rows_exist(tmp_path, seed_text):
    from encyclopedia.models import EditorialCredit, Reviewer, SectionHeading

    _import_counting(_pages(tmp_path, seed_text, ["Warm up"]))  # the shared reviewer, citations, credits
    three = _import_counting(_pages(tmp_path, seed_text, [f"Cramps {n}" for n in range(3)]))
    six = _import_counting(_pages(tmp_path, seed_text, [f"Spasms {n}" for n in range(6)]))
    per_file, remainder = divmod(six - three, 3)
    assert remainder == 0, (three, six)
    # At most 20 queries per page file: a read of the article it updates and of its id, its article
    # row written and then made live, its publication and links, its revision (reversion reads back
    # each table it versions: article, sections, names, citation and credit links) and its
    # savepoint. Its sections, names, links, review record and audit event are written with the
    # batch's other pages, one query per table; never a query per section, name or reference.
    assert per_file <= 20, f"{per_file} queries per page file, over the budget of 20"

    SectionHeading.objects.bulk_create(SectionHeading(name=f"Extra heading {n}") for n in range(60))
    Reviewer.objects.bulk_create(Reviewer(name=f"Reviewer {n}", credentials="MD") for n in range(60))
    Citation.objects.bulk_create(
        Citation(kind="book", title=f"Book {n}", publisher="Elsevier", year="2020") for n in range(200)
    )
    EditorialCredit.objects.bulk_create(EditorialCredit(name=f"Editor {n}") for n in range(30))
    assert _import_counting(_pages(tmp_path, seed_text, [f"Twitches {n}" for n in range(6)])) == six


def test_a_run_imports_each_page_as_its_own_revision_publication_audit_and_index_entry(tmp_path, seed_text):
    from editorial.models import AuditEvent, ReviewRecord
    from encyclopedia import search

    titles = [f"Foot cramps {n}" for n in range(25)]  # more than one batch
    out = StringIO()
    call_command("import_articles", *_pages(tmp_path, seed_text, titles), stdout=out)
    assert out.getvalue().strip().endswith("25 files imported (25 new, 0 updated, 0 unchanged), 0 failed.")
    articles = list(Article.objects.filter(title__in=titles))
    assert len(articles) == 25 and len({a.public_id for a in articles}) == 25
    for article in articles:
        (version,) = Version.objects.get_for_object(article)
        assert version.revision.comment == f"Imported from {article.title}.txt"
        assert article.is_live and article.state == "published"
        assert article.live_publication.revision_id == version.revision_id
        assert is_current(article), "the publication is what freeze() makes of the article"
        (event,) = AuditEvent.objects.filter(article=article)
        assert (event.action, event.data) == ("publish", {"publication": article.live_publication_id})
        (record,) = ReviewRecord.objects.filter(article=article)
        assert record.publication_id == article.live_publication_id
        assert search.exact(article.title) == article.public_id
    assert Citation.objects.count() == 3, "the same references are reused, not copied"


def test_an_import_publishes_what_publish_would(seed_page):
    """The import publishes by itself, without re-reading what it wrote: the publication and the
    revision are those ``publish`` (``workflow.run``) makes of the same article."""
    from editorial.actions.publish import publish

    import_page(seed_page, source="seed.txt")
    article = Article.objects.get(public_id="003194")
    imported, imported_revision = article.live_publication, article.live_publication.revision
    publish(article, None, comment="Published again")
    republished = Article.objects.get(pk=article.pk).live_publication
    assert republished.pk != imported.pk

    fields = [f.attname for f in Publication._meta.concrete_fields]
    # An import's batch leaves "Cite this page" to render_cite_boxes (test_page_citation.py).
    different = {"id", "published_at", "revision_id", "cite_templates"}
    assert {f: getattr(imported, f) for f in fields if f not in different} == {
        f: getattr(republished, f) for f in fields if f not in different
    }

    def versions(revision):
        return {
            (v.content_type_id, v.object_id): (
                v.object_repr,
                {name: value for name, value in v.field_dict.items() if name != "updated_at"},
            )
            for v in revision.version_set.all()
        }

    rows = [article.sections, article.alternative_names, article.citation_links, article.credit_links]
    assert len(versions(imported_revision)) == 1 + sum(r.count() for r in rows)  # and the rows it follows
    assert versions(imported_revision) == versions(republished.revision)


def test_a_failure_inside_a_batch_leaves_nothing_of_that_file_and_keeps_the_others(tmp_path, seed_text):
    from encyclopedia.models import IssuedArticleId

    good = _pages(tmp_path, seed_text, ["First page", "Last page"])
    bad = _pages(tmp_path, seed_text, ["Middle page"], change=("Hand spasms", "x" * 250))
    issued = IssuedArticleId.objects.count()
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", good[0], *bad, good[1], stdout=StringIO(), stderr=err)
    assert "Middle page.txt:" in err.getvalue() and "Nothing from this file was saved." in err.getvalue()
    assert sorted(Article.objects.values_list("title", flat=True)) == ["First page", "Last page"]
    assert IssuedArticleId.objects.count() == issued + 2
    assert Version.objects.filter(object_repr__startswith="Middle page").count() == 0
    assert not Article.objects.filter(title="Middle page").exists()


def test_a_batch_that_cannot_be_saved_is_imported_again_file_by_file(tmp_path, seed_text, monkeypatch):
    from django.db import DatabaseError

    from editorial.actions import import_article

    calls = []
    finish = import_article.ImportBatch.finish

    def refused_once(self):
        calls.append(len(self.published))
        if len(calls) == 1:
            raise DatabaseError("could not serialize access")
        finish(self)

    monkeypatch.setattr(import_article.ImportBatch, "finish", refused_once)
    titles = ["Leg cramps", "Toe cramps", "Thumb cramps"]
    out = StringIO()
    call_command("import_articles", *_pages(tmp_path, seed_text, titles), stdout=out)
    assert calls == [3, 1, 1, 1], "the batch, then each file in a transaction of its own"
    assert out.getvalue().strip().endswith("3 files imported (3 new, 0 updated, 0 unchanged), 0 failed.")
    for title in titles:
        article = Article.objects.get(title=title)
        assert Version.objects.get_for_object(article).count() == 1
        assert Publication.objects.filter(article=article).count() == 1


def test_a_reviewer_changed_by_a_later_page_of_the_run_is_updated_there(tmp_path, seed_text):
    from encyclopedia.models import Reviewer

    first = _pages(tmp_path, seed_text, ["Early page"])
    later = _pages(
        tmp_path, seed_text, ["Later page"], change=("Department of Neurology", "Department of Medicine")
    )
    call_command(
        "import_articles", *first, *later, *_pages(tmp_path, seed_text, ["Last page"]), stdout=StringIO()
    )
    (reviewer,) = Reviewer.objects.filter(name="Joseph V. Campellone")
    assert reviewer.department == "Department of Neurology", (
        "the last page credits the first department again"
    )
    credits = dict(Article.objects.values_list("title", "live_publication__updated_by"))
    assert "Department of Medicine" in credits["Later page"]
    assert (
        "Department of Neurology" in credits["Early page"]
        and "Department of Neurology" in credits["Last page"]
    )


def test_new_publications_are_cached_as_their_post_save_signal_would_cache_them(
    tmp_path, seed_text, django_assert_num_queries
):
    """The import inserts new publications without ``post_save`` and caches a batch at once: the
    first reader finds each new publication without a query, as after a save. If anything else
    ever listens to a saved publication, the import must do its work too, so this test says so."""
    from django.db.models.signals import post_save

    from encyclopedia.caching import publication_cache

    call_command(
        "import_articles", *_pages(tmp_path, seed_text, ["Calf cramps", "Arm cramps"]), stdout=StringIO()
    )
    imported = list(Article.objects.filter(title__in=["Calf cramps", "Arm cramps"]))
    assert len(imported) == 2
    for article in imported:
        with django_assert_num_queries(0):
            publication = publication_cache.get(article.live_publication_id)
        assert publication.title == article.title

    # Who answers a saved publication (``send`` returns each receiver that ran): the cache alone.
    answered = post_save.send(
        sender=Publication, instance=publication, created=True, update_fields=None, raw=False, using="default"
    )
    assert [receiver.__module__ for receiver, _ in answered] == ["encyclopedia.caching.publication_cache"], (
        "something new listens to a saved publication: the import, which sends no post_save, must do it too"
    )


# Article ids (issue "Honest records and any input").


def test_pages_without_an_id_import_after_an_id_typed_at_the_top_of_the_range(
    tmp_path, seed_text, make_article
):
    """Once an editor had typed 899999, a page without a "URL of this page" line aborted the
    run with a traceback, and the files after it were never read."""
    make_article("Typed high", public_id="899999")
    paths = _pages(tmp_path, seed_text, ["First page", "Second page"])
    out = StringIO()
    call_command("import_articles", *paths, stdout=out, stderr=StringIO())
    assert "2 files imported" in out.getvalue()
    assert sorted(Article.objects.exclude(title="Typed high").values_list("public_id", flat=True)) == [
        "000001",
        "000002",
    ]


def test_an_id_that_cannot_be_issued_is_an_error_line_and_the_next_files_import(
    tmp_path, seed_text, monkeypatch
):
    from django.core.exceptions import ValidationError

    from encyclopedia.models import IssuedArticleId

    def exhausted() -> str:
        raise ValidationError("Every article id below the sample range has been issued.")

    monkeypatch.setattr(IssuedArticleId, "issue_next", exhausted)
    no_id = _pages(tmp_path, seed_text, ["No id"])
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_articles", *no_id, write_page(tmp_path, seed_text), stdout=StringIO(), stderr=err
        )
    assert (
        "No id.txt: Every article id below the sample range has been issued. Nothing from this file was saved."
        in err.getvalue()
    )
    assert list(Article.objects.values_list("public_id", flat=True)) == ["003194"]


def test_a_page_with_a_sample_id_is_refused(tmp_path, seed_text):
    page = write_page(tmp_path, seed_text.replace("003194", "900194"), "sample.txt")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", page, stdout=StringIO(), stderr=err)
    assert "sample.txt" in err.getvalue() and "kept for sample content" in err.getvalue()
    assert not Article.objects.exists()


# ---------------------------------------------------------------- a Spanish edition's page

SPANISH_DRAFT_PAGE = """URL de esta página: https://www.example.org/spanish/ency/article/{id}.htm

Calambres en las piernas

Un calambre es una contracción dolorosa de un músculo.

Causas

Los calambres aparecen tras el ejercicio.

Referencias

Autora A. Una referencia escrita en español. Editorial Ejemplo; 2024.

Autor B. Otra referencia en español. Editorial Ejemplo; 2023.

Aprenda a citar esta página

Calambres en las piernas. Enciclopedia médica. Consultado el 1 de diciembre de 2026.
"""


@pytest.fixture
def leg_cramps(make_article, publish_article):
    return publish_article(make_article("Leg cramps"))


def test_a_spanish_page_without_review_lines_ends_at_aprenda_a_citar(leg_cramps):
    page = parse_page(SPANISH_DRAFT_PAGE.format(id=leg_cramps.public_id), {"Causas"})
    lines = SPANISH_DRAFT_PAGE.splitlines()
    first_reference = lines.index("Autora A. Una referencia escrita en español. Editorial Ejemplo; 2024.") + 1
    assert page.language == "es" and page.review_date is None
    assert page.citations == [], "a Spanish page's references are its English article's"
    assert page.shared_reference_lines == [first_reference, first_reference + 2]


def test_a_spanish_dry_run_names_the_english_article_and_the_references_left_out(leg_cramps, tmp_path):
    path = write_page(tmp_path, SPANISH_DRAFT_PAGE.format(id=leg_cramps.public_id), "calambres.txt")
    out, err = StringIO(), StringIO()
    call_command("import_articles", path, "--dry-run", stdout=out, stderr=err)
    first_reference = SPANISH_DRAFT_PAGE.splitlines().index(
        "Autora A. Una referencia escrita en español. Editorial Ejemplo; 2024."
    )
    assert err.getvalue() == ""
    assert (
        f"Would import {leg_cramps.public_id} “Calambres en las piernas” (draft) as the Spanish edition "
        f"of “Leg cramps” ({leg_cramps.public_id}) from {path}"
    ) in out.getvalue()
    assert (
        f"notice: {path}:{first_reference + 1}: the page's 2 references under “Referencias” not imported: "
        f"a Spanish edition shows the references of its English article {leg_cramps.public_id}."
    ) in out.getvalue()
    assert not Article.objects.spanish().exists()


def test_an_english_import_reports_no_edition_and_no_notice(tmp_path, seed_text):
    out = StringIO()
    call_command("import_articles", write_page(tmp_path, seed_text), stdout=out)
    assert "Spanish edition" not in out.getvalue() and "notice:" not in out.getvalue()


def test_a_spanish_pages_review_organization_shows_in_its_review_credit(leg_cramps, client):
    text = SPANISH_DRAFT_PAGE.format(id=leg_cramps.public_id).replace(
        "Aprenda a citar esta página",
        "Fecha de revisión 5/3/2026\n\n"
        "Actualizado por: Lucía Revisora, MD. Revisión provista por Revisores de Ejemplo.\n\n"
        "Aprenda a citar esta página",
    )
    import_page(parse_page(text, {"Causas"}), source="es.txt")
    edition = Article.objects.spanish().get()
    assert edition.is_live and edition.review_organization.name == "Revisores de Ejemplo"
    page = page_text(client.get(f"/spanish/ency/article/{leg_cramps.public_id}.htm").content.decode())
    assert (
        "Traducción al español revisada por: Lucía Revisora, MD (5 de marzo de 2026). "
        "Revisión provista por Revisores de Ejemplo."
    ) in page
