"""The Spanish edition, editorial side: starting a translation, keeping it in step with the
English article (the out-of-date mark, set and cleared), who may review it, the importer's
Spanish pages, export and restore, and the demo."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from editorial import roles, workflow
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.confirm_translation import confirm_translation
from editorial.actions.import_article import import_page
from editorial.actions.publish_correction import publish_correction
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.submit import submit
from editorial.errors import EditorialError, NotAllowed
from editorial.forms import SubmitForm
from editorial.importer.parser import ParseError, parse_page
from editorial.models import AuditEvent
from encyclopedia.models import Article, IssuedArticleId, Language, Reviewer, Section, WorkflowState
from tests.conftest import page_text
from tests.factories import edit, export_text, make_user, restore_text, wipe

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 24, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def editor():
    return make_user("editor", roles.EDITORS)


def _reviewer(username: str, name: str, languages: str) -> User:
    user = make_user(username, roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name=name, credentials="MD", languages=languages, user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def english_reviewer():
    return _reviewer("rae", "Rae Viewer", "en")


@pytest.fixture
def spanish_reviewer():
    return _reviewer("lucia", "Lucía Revisora", "en,es")


@pytest.fixture
def director():
    return make_user("director", roles.EDITORIAL_DIRECTORS)


@pytest.fixture
def english(make_article, publish_article):
    """A live English article."""
    return publish_article(make_article("Leg cramps"))


def translate(edition: Article, editor: User, words: str) -> Article:
    """The translator's work: Spanish text in every section (a revision by ``editor``)."""
    edition.title = "Calambres en las piernas"
    edition.summary = f"Resumen en español. {words}"
    edition.save()
    for section in edition.sections.all():
        section.body = f"Texto traducido: {words}"
        section.save()
    edit(Article.objects.get(pk=edition.pk), editor, f"Texto traducido: {words}")
    return Article.objects.get(pk=edition.pk)


@pytest.fixture
def live_edition(english, director, editor, spanish_reviewer):
    """The English article's Spanish edition, translated, approved and live."""
    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)
    approve(edition, spanish_reviewer)
    return Article.objects.get(pk=edition.pk)


def english_update(article: Article, editor: User, words: str) -> Article:
    edit(Article.objects.get(pk=article.pk), editor, words)
    return Article.objects.get(pk=article.pk)


# ---------------------------------------------------------------- the model


def test_a_spanish_edition_shares_its_english_articles_id_and_issues_none(english, director):
    issued = IssuedArticleId.objects.count()
    edition = add_spanish_edition(english, director)
    assert (edition.public_id, edition.language, edition.translation_of) == (english.public_id, "es", english)
    assert IssuedArticleId.objects.count() == issued
    assert list(Article.objects.english()) == [english]
    assert list(Article.objects.spanish()) == [edition]
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=edition.pk).update(language=Language.ENGLISH)  # two English 0000NN


def test_standard_headings_print_in_the_editions_language(english, director):
    edition = add_spanish_edition(english, director)
    assert [s.heading_text for s in edition.sections.order_by("position")][0] == "Causas"
    assert [s.heading_text for s in english.sections.order_by("position")][0] == "Causes"


def test_a_reviewers_languages_are_kept_as_codes_the_lists_find():
    reviewer = Reviewer.objects.create(name="Typed With Spaces", languages=" es , en ")
    assert Reviewer.objects.get(pk=reviewer.pk).languages == "es,en"
    assert list(Reviewer.objects.qualified_for("es")) == [reviewer]
    with pytest.raises(ValidationError, match="codes separated by commas"):
        Reviewer(name="Unknown", languages="en,fr").full_clean()


# ---------------------------------------------------------------- starting a translation


def test_adding_a_spanish_edition_starts_a_draft_and_publishes_nothing(client, english, director):
    edition = add_spanish_edition(english, director)
    assert edition.state == WorkflowState.DRAFT and not edition.is_live
    assert edition.translated_from == english.live_publication
    assert edition.out_of_date_since is None
    assert Section.objects.filter(article=edition).count() == english.sections.count()
    assert set(Section.objects.filter(article=edition).values_list("body", flat=True)) == {""}
    assert AuditEvent.objects.filter(article=edition, action="add_translation", user=director).exists()
    assert client.get(f"/spanish/ency/article/{english.public_id}.htm").status_code == 404
    with pytest.raises(EditorialError, match="has a Spanish edition already"):
        add_spanish_edition(english, director)


def test_only_a_live_english_article_gets_a_spanish_edition(make_article, director, editor):
    with pytest.raises(EditorialError, match="needs a live article"):
        add_spanish_edition(make_article("Not live yet"), director)
    with pytest.raises(NotAllowed):
        add_spanish_edition(
            make_article("Another"), User.objects.get(pk=make_user("rev", roles.MEDICAL_REVIEWERS).pk)
        )


# ---------------------------------------------------------------- out of date: set


def test_an_english_approval_marks_the_translation_out_of_date(
    live_edition, english, editor, english_reviewer
):
    assert live_edition.out_of_date_since is None
    updated = english_update(english, editor, "New advice on stretching.")
    submit(updated, editor)
    with time_machine.travel(NOON, tick=False):
        approve(updated, english_reviewer)
    edition = Article.objects.get(pk=live_edition.pk)
    assert edition.out_of_date_since == NOON
    assert edition.is_live, "the Spanish page stays live"
    event = AuditEvent.objects.get(article=edition, action="translation_out_of_date")
    assert event.data["english_publication"] == Article.objects.get(pk=english.pk).live_publication_id


def test_a_minor_english_correction_marks_it_too(live_edition, english, editor, director):
    publish_correction(english_update(english, editor, "Fixed a typo."), director, reason="Typo")
    assert Article.objects.get(pk=live_edition.pk).out_of_date_since is not None


def test_a_scheduled_english_update_marks_it_when_it_goes_live(
    live_edition, english, editor, english_reviewer
):
    updated = english_update(english, editor, "Scheduled wording.")
    submit(updated, editor)
    go_live_at = timezone.now() + datetime.timedelta(days=1)
    approve(updated, english_reviewer, go_live_at=go_live_at)
    assert Article.objects.get(pk=live_edition.pk).out_of_date_since is None, "not live yet"
    publish_due(go_live_at + datetime.timedelta(minutes=1))
    assert Article.objects.get(pk=live_edition.pk).out_of_date_since is not None


def test_an_english_confirmation_without_new_words_leaves_it_current(live_edition, english, english_reviewer):
    confirm_still_accurate(english, english_reviewer)
    assert Article.objects.get(pk=english.pk).live_publication != live_edition.translated_from
    assert Article.objects.get(pk=live_edition.pk).out_of_date_since is None


def test_the_mark_keeps_its_first_date_through_later_english_changes(live_edition, english, editor, director):
    with time_machine.travel(NOON, tick=False):
        publish_correction(english_update(english, editor, "First."), director, reason="One")
    with time_machine.travel(NOON + datetime.timedelta(days=5), tick=False):
        publish_correction(english_update(english, editor, "Second."), director, reason="Two")
    assert Article.objects.get(pk=live_edition.pk).out_of_date_since == NOON


# ---------------------------------------------------------------- out of date: cleared


@pytest.fixture
def out_of_date(live_edition, english, editor, director):
    publish_correction(english_update(english, editor, "Changed English words."), director, reason="Words")
    edition = Article.objects.get(pk=live_edition.pk)
    assert edition.out_of_date_since is not None
    return edition


def test_confirming_the_translation_clears_the_mark_without_new_text(out_of_date, english, spanish_reviewer):
    live_before = out_of_date.live_publication_id
    confirm_translation(out_of_date, spanish_reviewer, notes="Only a typo changed.")
    edition = Article.objects.get(pk=out_of_date.pk)
    assert edition.out_of_date_since is None
    assert edition.translated_from_id == Article.objects.get(pk=english.pk).live_publication_id
    assert edition.live_publication_id == live_before, "nothing republished"
    event = AuditEvent.objects.get(article=edition, action="confirm_translation")
    assert event.user == spanish_reviewer and event.data["english_publication"] == edition.translated_from_id


def test_a_spanish_approval_records_the_english_source_and_clears_the_mark(
    out_of_date, english, editor, spanish_reviewer
):
    updated = translate(out_of_date, editor, "palabras nuevas")
    submit(updated, editor)
    approve(updated, spanish_reviewer)
    edition = Article.objects.get(pk=out_of_date.pk)
    assert edition.out_of_date_since is None
    assert edition.translated_from_id == Article.objects.get(pk=english.pk).live_publication_id


def test_an_english_change_during_the_spanish_review_keeps_the_mark(
    out_of_date, english, editor, director, spanish_reviewer
):
    updated = translate(out_of_date, editor, "palabras nuevas")
    submit(updated, editor)
    submitted_against = Article.objects.get(pk=english.pk).live_publication_id
    publish_correction(english_update(english, editor, "Yet another change."), director, reason="More")
    approve(updated, spanish_reviewer)
    edition = Article.objects.get(pk=out_of_date.pk)
    assert edition.translated_from_id == submitted_against
    assert edition.out_of_date_since is not None, "the translator saw an older English page"


# ---------------------------------------------------------------- who may review


def test_only_a_spanish_qualified_reviewer_approves_a_spanish_edition(
    english, director, editor, english_reviewer, spanish_reviewer
):
    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)
    with pytest.raises(NotAllowed, match="not qualified to review the Spanish edition"):
        approve(edition, english_reviewer)
    assert Article.objects.get(pk=edition.pk).state == WorkflowState.IN_REVIEW
    assert ("approve", "Approve") not in workflow.allowed_actions(edition, english_reviewer)
    approve(edition, spanish_reviewer)
    assert Article.objects.get(pk=edition.pk).is_live


def test_only_a_spanish_qualified_reviewer_confirms_a_translation(out_of_date, english_reviewer):
    with pytest.raises(NotAllowed, match="not qualified"):
        confirm_translation(out_of_date, english_reviewer)
    assert Article.objects.get(pk=out_of_date.pk).out_of_date_since is not None


def test_a_spanish_only_reviewer_does_not_approve_english(english, editor):
    spanish_only = _reviewer("solo", "Solo Español", "es")
    updated = english_update(english, editor, "English words.")
    submit(updated, editor)
    with pytest.raises(NotAllowed, match="English edition"):
        approve(updated, spanish_only)


def test_no_self_approval_of_a_translation(english, director):
    translator = make_user("both", roles.EDITORS, roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Both", languages="en,es", user=translator)
    translator = User.objects.get(pk=translator.pk)
    edition = translate(add_spanish_edition(english, director), translator, "mío")
    submit(edition, translator)
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(edition, translator)


def test_assign_to_lists_only_reviewers_of_the_editions_language(
    english, director, editor, english_reviewer, spanish_reviewer
):
    spanish_choices = set(SubmitForm(language="es").fields["reviewer"].queryset)
    english_choices = set(SubmitForm(language="en").fields["reviewer"].queryset)
    assert spanish_choices == {spanish_reviewer}
    assert english_choices == {english_reviewer, spanish_reviewer}
    edition = add_spanish_edition(english, director)
    with pytest.raises(EditorialError, match="does not review the Spanish edition"):
        submit(edition, editor, reviewer=english_reviewer)


def test_awaiting_my_review_lists_a_spanish_draft_for_spanish_reviewers_only(
    english, director, editor, english_reviewer, spanish_reviewer
):
    from editorial import dashboard

    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)
    today = timezone.localdate()

    def awaiting(user: User) -> list[Article]:
        return list(next(p for p in dashboard.panels(user, today) if p.key == "awaiting_me").articles)

    assert awaiting(spanish_reviewer) == [edition]
    assert awaiting(english_reviewer) == []


def test_confirm_translation_is_for_an_out_of_date_spanish_edition_only(
    english, live_edition, spanish_reviewer
):
    with pytest.raises(EditorialError, match="is for a Spanish edition"):
        confirm_translation(english, spanish_reviewer)
    with pytest.raises(EditorialError, match="up to date with the English page"):
        confirm_translation(live_edition, spanish_reviewer)
    assert "confirm_translation" not in dict(workflow.allowed_actions(live_edition, spanish_reviewer))


# ---------------------------------------------------------------- the admin


def test_the_change_form_shows_the_english_changes_since_the_source(client, out_of_date, director):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    page = client.get(f"/admin/encyclopedia/article/{out_of_date.pk}/change/").content.decode()
    text = page_text(page)
    assert "Out of date for 0 days" in text
    assert "English changes since the translation's source" in text
    assert "Changed English words" in text
    english_page = client.get(f"/admin/encyclopedia/article/{out_of_date.translation_of_id}/change/")
    assert "Spanish edition" in page_text(english_page.content.decode())


def test_the_confirm_page_offers_the_action_and_shows_the_diff(client, out_of_date, spanish_reviewer):
    client.force_login(spanish_reviewer)
    change = client.get(f"/admin/encyclopedia/article/{out_of_date.pk}/change/").content.decode()
    assert "Confirm translation still matches" in change
    url = f"/admin/encyclopedia/article/{out_of_date.pk}/workflow/confirm_translation/"
    assert "Changed English words" in page_text(client.get(url).content.decode())
    response = client.post(url, {"notes": ""})
    assert response.status_code == 302
    assert Article.objects.get(pk=out_of_date.pk).out_of_date_since is None


def test_the_article_list_filters_by_edition_and_out_of_date(client, out_of_date, english):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    listed = client.get("/admin/encyclopedia/article/?edition=out_of_date").context["cl"].result_list
    assert list(listed) == [out_of_date]
    listed = client.get("/admin/encyclopedia/article/?edition=en").context["cl"].result_list
    assert list(listed) == [english]


def test_the_dashboard_lists_out_of_date_translations_with_the_lag(
    client, live_edition, english, editor, director
):
    with time_machine.travel(NOON, tick=False):
        publish_correction(english_update(english, editor, "Changed."), director, reason="Words")
    client.force_login(director)
    with time_machine.travel(NOON + datetime.timedelta(days=3), tick=False):
        page = page_text(client.get("/admin/").content.decode())
    assert "1 Out-of-date translations" in page
    assert "3 days behind the English page" in page


def test_the_add_spanish_edition_button_starts_one(client, english, director):
    client.force_login(director)
    change = client.get(f"/admin/encyclopedia/article/{english.pk}/change/").content.decode()
    assert "Add Spanish edition" in change
    # (A browser sends the CSRF token with the form; the test client does not check it.)
    client.post(f"/admin/encyclopedia/article/{english.pk}/workflow/add_translation/", {"go": "1"})
    assert Article.objects.spanish().get().translation_of == english


# ---------------------------------------------------------------- the importer

SPANISH_PAGE = """URL de esta página: https://www.example.org/spanish/ency/article/{id}.htm

Calambres en las piernas

Un calambre es una contracción dolorosa de un músculo.

Causas

Los calambres aparecen tras el ejercicio.

Cuándo contactar a un profesional médico

Llame si los calambres no se alivian.

Nombres alternativos

Calambres musculares; Espasmos

Fecha de revisión 5/3/2026

Actualizado por: Lucía Revisora, MD.

Traducido por: Agencia de Traducción de Ejemplo.
"""


def test_a_spanish_text_page_imports_as_the_edition_of_the_english_article(english):
    page = parse_page(
        SPANISH_PAGE.format(id=english.public_id), {"Causas", "Cuándo contactar a un profesional médico"}
    )
    assert page.language == "es" and page.review_date == datetime.date(2026, 3, 5)
    assert page.alternative_names == ["Calambres musculares", "Espasmos"]
    result = import_page(page, source="es.txt")
    edition = Article.objects.spanish().get()
    assert (result.outcome, edition.public_id, edition.translation_of) == ("new", english.public_id, english)
    assert edition.is_live and edition.translated_by == "Agencia de Traducción de Ejemplo"
    assert edition.translated_from == english.live_publication and edition.out_of_date_since is None
    assert [s.heading.name for s in edition.sections.order_by("position")] == [
        "Causes",
        "When to Contact a Medical Professional",
    ]
    assert edition.live_publication.sections[0]["heading"] == "Causas"
    assert Article.objects.get(pk=english.pk).title == "Leg cramps", "the English article is untouched"


def test_a_spanish_markdown_page_through_the_command(english, tmp_path):
    markdown = f"""URL de esta página: /spanish/ency/article/{english.public_id}.htm

# Calambres en las piernas

Un calambre es una contracción dolorosa de un músculo.

## Causas

Los calambres aparecen tras el ejercicio.

## Referencias

Fecha de revisión 5 de marzo de 2026

Actualizado por: Lucía Revisora, MD.
"""
    path = tmp_path / "calambres.md"
    path.write_text(markdown, encoding="utf-8")
    call_command("import_articles", str(path), stdout=StringIO())
    edition = Article.objects.spanish().get()
    assert edition.review_date == datetime.date(2026, 3, 5) and edition.is_live
    assert edition.sections.get().heading.name_es == "Causas"


def test_a_spanish_page_without_its_english_article_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "huerfana.txt"
    path.write_text("\n" + SPANISH_PAGE.format(id="123456"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
    assert f"{path}:2" in err.getvalue()
    assert "has no English article" in err.getvalue()
    assert not Article.objects.exists()


ENGLISH_PAGE = """URL of this page: https://www.example.org/ency/article/004321.htm

Leg cramps

A cramp is a painful tightening of a muscle.

Causes

{causes}

Review Date 3/31/2026

Updated by: Rae Viewer, MD.
"""


def test_an_english_reimport_with_new_words_marks_the_translation(tmp_path):
    import_page(parse_page(ENGLISH_PAGE.format(causes="Cramps follow exercise.")), source="en.txt")
    import_page(parse_page(SPANISH_PAGE.format(id="004321"), {"Causas"}), source="es.txt")
    assert Article.objects.spanish().get().out_of_date_since is None
    import_page(parse_page(ENGLISH_PAGE.format(causes="Cramps often follow exercise.")), source="en.txt")
    assert Article.objects.spanish().get().out_of_date_since is not None


def test_a_spanish_import_never_replaces_a_spanish_draft(english, director, editor):
    translate(add_spanish_edition(english, director), editor, "borrador")
    page = parse_page(SPANISH_PAGE.format(id=english.public_id), {"Causas"})
    with pytest.raises(EditorialError, match="has a draft"):
        import_page(page, source="es.txt")
    assert "borrador" in Article.objects.spanish().get().summary


def test_a_spanish_page_with_a_us_date_is_refused_with_its_line():
    text = SPANISH_PAGE.format(id="000123").replace("5/3/2026", "3/31/2026")
    with pytest.raises(ParseError) as error:
        parse_page(text)
    assert error.value.line == text.splitlines().index("Fecha de revisión 3/31/2026") + 1


# ---------------------------------------------------------------- export and restore


def test_export_and_restore_carry_the_editions(out_of_date, english):
    before = Article.objects.spanish().values(
        "public_id", "translation_of__public_id", "translated_from", "out_of_date_since", "translated_by"
    )
    before = list(before)
    text = export_text()
    wipe()
    restore_text(text)
    after = list(
        Article.objects.spanish().values(
            "public_id", "translation_of__public_id", "translated_from", "out_of_date_since", "translated_by"
        )
    )
    assert after == before and after[0]["out_of_date_since"] is not None


# ---------------------------------------------------------------- the demo


def test_the_demo_has_spanish_editions_one_of_them_out_of_date(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=StringIO())
    editions = Article.objects.spanish()
    assert editions.count() >= 3
    assert all(edition.is_live for edition in editions)
    assert all(re.match(r"^\*Contenido de muestra", edition.summary) for edition in editions)
    assert editions.filter(out_of_date_since__isnull=False).count() == 1
    assert Reviewer.objects.qualified_for("es").exists()
    second = StringIO()
    call_command("load_demo", stdout=second)
    assert "0 articles published" in second.getvalue()
