"""The benchmark's own machinery: its generated pages go through the product's importer as they
are, and its report replaces only the marked tables of a hand-written file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from bench import content
from bench.generate import PageWriter
from bench.report import fill
from encyclopedia.models import Article, Reviewer


@pytest.mark.django_db
def test_generated_pages_import_as_live_articles_with_their_ids_sections_and_references(tmp_path):
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    for row in content.reviewer_rows():
        Reviewer.objects.create(**row)
    writer = PageWriter(articles=5, citations=50)
    paths = []
    for index in range(1, 6):
        path = tmp_path / f"{index:06d}.md"
        path.write_text(writer.page(index), encoding="utf-8")
        paths.append(str(path))

    reviewers = Reviewer.objects.count()

    call_command("import_articles", *paths, stdout=io.StringIO())

    articles = Article.objects.filter(public_id__in=[f"{i:06d}" for i in range(1, 6)])
    assert articles.count() == 5
    for article in articles:
        assert article.live_publication is not None, article.public_id
        assert article.sections.count() == 6
        assert article.citation_links.count() == 4
        assert article.alternative_names.count() == 3
        assert article.reviewer is not None and article.review_date is not None
    assert Reviewer.objects.count() == reviewers, "a page's credit made a new reviewer, not the generated one"


def test_the_report_replaces_marked_tables_and_keeps_the_prose_and_blocks_without_figures(tmp_path):
    page = tmp_path / "REPORT.md"
    page.write_text(
        "Prose written by hand.\n<!-- x:a -->\nold a\n<!-- /x:a -->\nMore prose.\n"
        "<!-- x:b -->\nold b\n<!-- /x:b -->\n"
    )

    fill(page, "x", {"a": lambda: ["| new | table |", ""], "b": lambda: None})

    assert page.read_text() == (
        "Prose written by hand.\n<!-- x:a -->\n| new | table |\n\n<!-- /x:a -->\nMore prose.\n"
        "<!-- x:b -->\nold b\n<!-- /x:b -->\n"
    )


def test_the_report_refuses_a_file_whose_markers_do_not_match_and_names_them(tmp_path):
    page = tmp_path / "REPORT.md"
    page.write_text("<!-- x:a -->\nold\n<!-- /x:a -->\n<!-- x:stray -->\n<!-- /x:stray -->\n")

    with pytest.raises(SystemExit, match=r"missing \['b'\], unknown \['stray'\]"):
        fill(page, "x", {"a": lambda: [], "b": lambda: []})
    assert "old" in page.read_text()
