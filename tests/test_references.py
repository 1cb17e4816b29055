"""Citations render in the NLM/AMA style of the reference page, and read back the same."""

from __future__ import annotations

import datetime

import pytest

from editorial.importer.parser import CitationData, ParseError, parse_citation
from encyclopedia import references
from encyclopedia.models import Citation
from tests.factories import seed_sections


def test_each_seed_reference_renders_character_for_character(seed_text):
    for line in seed_sections(seed_text)["References"]:
        parsed = parse_citation(line)
        assert parsed.kind == "book_chapter"
        assert Citation(**parsed.as_dict()).as_text() == line


def test_book_title_is_italic_in_html(seed_text):
    line = seed_sections(seed_text)["References"][1]
    html = Citation(**parse_citation(line).as_dict()).as_html()
    assert "<i>Braddom&#x27;s Physical Medicine &amp; Rehabilitation</i>. 6th ed." in html
    assert "In: Cifu DX, ed. " in html, "one editor is “ed.”, several are “eds.”"


SAMPLES = {
    "book": CitationData(
        kind="book",
        authors="Rivera L, Okafor C",
        title="Everyday Nerve Health",
        edition="2nd",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2023",
    ),
    "journal_article": CitationData(
        kind="journal_article",
        authors="Okafor C, Lind P",
        title="Night cramps in older adults",
        container_title="J Example Med",
        year="2022",
        volume="14",
        issue="3",
        pages="101-109",
        doi="10.1000/example.2022.14",
        pmid="12345678",
    ),
    "website": CitationData(
        kind="website",
        container_title="Example Health Council",
        title="Staying hydrated",
        url="https://www.example.org/hydration",
        updated="March 3, 2024",
        accessed=datetime.date(2024, 4, 2),
    ),
    "guideline": CitationData(
        kind="guideline",
        authors="Example Society of Neurology",
        title="Guideline on muscle cramps",
        place="Chicago, IL",
        publisher="Example Society",
        year="2021",
    ),
}

EXPECTED = {
    "book": "Rivera L, Okafor C. *Everyday Nerve Health*. 2nd ed. Springfield, IL: Example Medical Press; 2023.",
    "journal_article": (
        "Okafor C, Lind P. Night cramps in older adults. *J Example Med*. 2022;14(3):101-109. "
        "doi:10.1000/example.2022.14. PMID: 12345678."
    ),
    "website": (
        "Example Health Council website. Staying hydrated. www.example.org/hydration. "
        "Updated March 3, 2024. Accessed April 2, 2024."
    ),
    "guideline": "Example Society of Neurology. Guideline on muscle cramps. Chicago, IL: Example Society; 2021.",
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_renders_and_reads_back(kind):
    rendered = references.render_text(SAMPLES[kind])
    assert rendered == EXPECTED[kind]
    assert parse_citation(rendered) == SAMPLES[kind]


def test_a_citation_missing_what_its_kind_needs_is_refused():
    from django.core.exceptions import ValidationError

    citation = Citation(kind="journal_article", title="No journal")
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert set(error.value.message_dict) >= {"authors", "container_title", "year"}


def test_unreadable_reference_is_an_error_not_a_guess():
    with pytest.raises(ParseError):
        parse_citation("Just some words without structure")
