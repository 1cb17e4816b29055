"""The content model's rules: article ids, ordering, headings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from encyclopedia.models import (
    AlternativeName,
    Article,
    HeadingPlacement,
    IssuedArticleId,
    Section,
    SectionHeading,
    sample_ids_allowed,
)

pytestmark = pytest.mark.django_db


def test_ids_are_six_digits_assigned_in_order(make_article):
    first, second = make_article("First"), make_article("Second")
    assert first.public_id == "000001"
    assert second.public_id == "000002"


def test_an_id_given_by_hand_is_kept_and_the_lowest_free_one_comes_next(make_article):
    assert make_article("Given", public_id="003194").public_id == "003194"
    assert make_article("Next").public_id == "000001"


def test_automatic_ids_take_the_lowest_never_issued_so_a_high_typed_id_runs_nothing_out(make_article):
    """An editor typed 899999, the last id below the sample range: every later article with no
    id was refused ("Every article id below the sample range has been issued")."""
    make_article("Typed high", public_id="899999")
    for public_id in ("000001", "000002", "000004"):
        make_article(f"Typed {public_id}", public_id=public_id)
    gone = make_article("Typed and deleted", public_id="000005")
    gone.delete()
    assert [make_article(f"Automatic {n}").public_id for n in range(3)] == ["000003", "000006", "000007"]
    assert IssuedArticleId.lowest_free() == "000008"


def test_new_ids_are_not_000000_nor_sample_ids_outside_load_demo(make_article):
    for public_id in ("000000", "900000", "912345"):
        article = Article(public_id=public_id, title="Typed", article_type="symptom", summary="x")
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert "public_id" in error.value.message_dict, public_id
        with pytest.raises(ValidationError):
            article.save()
    assert not Article.objects.exists() and not IssuedArticleId.objects.exists()
    with sample_ids_allowed():  # load_demo's sample articles
        assert make_article("Sample", public_id="900001").public_id == "900001"


def test_id_format_is_validated():
    article = Article(public_id="12345", title="Short id", article_type="symptom", summary="x")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "six digits" in str(error.value)


def test_ids_are_unique(make_article):
    make_article("One", public_id="000010")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(public_id="000010", title="Two", article_type="symptom", summary="x")


def test_ids_never_change(make_article):
    article = make_article("Fixed")
    article.public_id = "000099"
    with pytest.raises(ValidationError):
        article.save()


def test_ids_of_deleted_articles_are_not_reused(make_article):
    make_article("Kept")
    gone = make_article("Deleted")
    gone_id = gone.public_id
    gone.delete()
    assert make_article("Later").public_id != gone_id
    with pytest.raises(ValidationError, match="never reused"):
        make_article("Same id by hand", public_id=gone_id)


def test_sample_ids_do_not_push_real_ids_up(make_article):
    with sample_ids_allowed():
        make_article("Sample", public_id="900001")
    assert make_article("Real").public_id == "000001"


def test_sections_and_names_keep_their_order(make_article):
    article = make_article("Ordered", sections=0)
    for position, heading in [(3, "Third"), (1, "First"), (2, "Second")]:
        Section.objects.create(article=article, position=position, custom_heading=heading, body="x")
        AlternativeName.objects.create(article=article, position=position, name=heading)
    assert [s.heading_text for s in article.sections.all()] == ["First", "Second", "Third"]
    assert list(article.alternative_names.values_list("name", flat=True)) == ["First", "Second", "Third"]


def test_a_section_has_a_standard_or_a_custom_heading_not_both(make_article):
    article = make_article("Headings", sections=0)
    causes = SectionHeading.objects.get(name="Causes")
    with pytest.raises(ValidationError):
        Section(article=article, heading=causes, custom_heading="Also this", body="x").full_clean()
    with pytest.raises(ValidationError):
        Section(article=article, body="x").full_clean()
    Section(article=article, custom_heading="Living with cramps", body="x").full_clean()


def test_standard_headings_have_a_conventional_order_per_type(make_article):
    names = [h.name for h in make_article("Test type", article_type="test").conventional_headings()]
    assert names[:2] == ["How the Test is Performed", "How to Prepare for the Test"]
    assert names.index("Normal Results") < names.index("What Abnormal Results Mean") < names.index("Risks")
    symptom = [p.heading.name for p in HeadingPlacement.objects.filter(article_type="symptom")]
    assert symptom[0] == "Considerations"


def test_an_article_id_in_other_digits_is_refused_and_never_routed(db, client):
    """Python's \\d takes Arabic-Indic digits: an id like ١٢٣٤٥٦ must be refused, not served."""
    from django.core.exceptions import ValidationError

    from encyclopedia.models import public_id_validator

    with pytest.raises(ValidationError, match="six digits"):
        public_id_validator("١٢٣٤٥٦")
    with pytest.raises(ValidationError):
        public_id_validator("003194\n")
    public_id_validator("003194")
    assert client.get("/ency/article/١٢٣٤٥٦.htm").status_code == 404
