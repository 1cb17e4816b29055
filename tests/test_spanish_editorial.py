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
from django.test import Client
from django.utils import timezone

from editorial import roles, workflow
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.confirm_translation import confirm_translation
from editorial.actions.import_article import import_page
from editorial.actions.merge import merge
from editorial.actions.publish_correction import publish_correction
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.request_changes import request_changes
from editorial.actions.restore import restore
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
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


def test_a_spanish_edition_left_blank_neither_goes_to_review_nor_goes_live(client, english, director, editor):
    """Started and never translated, an edition would go live as the English title over an empty
    page: submitting or publishing it is refused, naming what is still empty."""
    from editorial.actions.publish import publish

    edition = add_spanish_edition(english, director)
    client.force_login(editor)
    step = f"/admin/encyclopedia/article/{edition.pk}/workflow/submit/"
    assert step in client.get(f"/admin/encyclopedia/article/{edition.pk}/change/").content.decode()
    assert "the summary and every section still empty" in client.get(step).content.decode()
    with pytest.raises(EditorialError, match="the summary and every section still empty"):
        submit(edition, editor)
    with pytest.raises(EditorialError, match="not translated yet"):
        publish(edition, director, comment="Straight to the public")
    edition.summary = "Resumen en español."
    edition.save()
    with pytest.raises(EditorialError, match="every section still empty"):
        submit(Article.objects.get(pk=edition.pk), editor)
    assert Client().get(f"/spanish/ency/article/{english.public_id}.htm").status_code == 404
    first = edition.sections.order_by("position").first()
    first.body = "Texto traducido."
    first.save()
    assert submit(Article.objects.get(pk=edition.pk), editor).state == WorkflowState.IN_REVIEW


def test_the_withdraw_page_says_what_each_editions_readers_get(client, live_edition, english, director):
    """Withdrawing the English article takes its Spanish edition down too, and the page says so;
    withdrawing the Spanish edition alone leaves its readers the 404 that links the English page."""
    client.force_login(director)
    english_page = client.get(f"/admin/encyclopedia/article/{english.pk}/workflow/withdraw/").content.decode()
    spanish_address = f"/spanish/ency/article/{english.public_id}.htm"
    assert f"Its Spanish edition, {spanish_address}, is withdrawn with it" in english_page
    spanish_page = client.get(
        f"/admin/encyclopedia/article/{live_edition.pk}/workflow/withdraw/"
    ).content.decode()
    assert (
        f"Readers who open {spanish_address} will get a page in Spanish saying there is no Spanish"
        in spanish_page
    )
    assert "410" not in spanish_page.split("Readers who open", 1)[1].split("</", 1)[0]
    withdraw(live_edition, director, reason="Translation to be redone")
    assert Client().get(spanish_address).status_code == 404


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


def test_sending_a_translation_back_or_correcting_it_takes_a_reader_of_spanish(
    live_edition, english, director, editor, english_reviewer, spanish_reviewer
):
    """Judging Spanish words needs Spanish: an English-only reviewer may not send a Spanish draft
    back, and a director may not publish a "minor correction" no Spanish reader has seen."""
    edit(Article.objects.get(pk=live_edition.pk), editor, "Corrección sin revisar.")
    with pytest.raises(NotAllowed, match="reviews that language"):
        publish_correction(Article.objects.get(pk=live_edition.pk), director, reason="Typo")
    assert "Corrección sin revisar" not in page_text(
        Client().get(f"/spanish/ency/article/{english.public_id}.htm").content.decode()
    )
    edition = Article.objects.get(pk=live_edition.pk)
    assert ("publish_correction", "Publish a minor correction") not in workflow.allowed_actions(
        edition, director
    )
    submit(edition, editor)
    edition = Article.objects.get(pk=live_edition.pk)
    assert "request_changes" not in dict(workflow.allowed_actions(edition, english_reviewer))
    with pytest.raises(NotAllowed, match="reviews that language"):
        request_changes(edition, english_reviewer, comment="Looks wrong to me.")
    assert Article.objects.get(pk=edition.pk).state == WorkflowState.IN_REVIEW
    request_changes(edition, spanish_reviewer, comment="Revise la sección.")
    assert Article.objects.get(pk=edition.pk).state == WorkflowState.CHANGES_REQUESTED


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


def test_the_review_queue_lists_a_spanish_draft_for_spanish_reviewers_only(
    client, english, director, editor, english_reviewer, spanish_reviewer
):
    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)

    def queue(user: User) -> str:
        client.force_login(user)
        return client.get("/admin/encyclopedia/article/queue/").content.decode()

    assert "Calambres en las piernas" in queue(spanish_reviewer)
    assert "Calambres en las piernas" not in queue(english_reviewer)
    assert "Nothing is waiting for review." in queue(english_reviewer)
    assert "Calambres en las piernas" in queue(director)  # no reviewer profile: every edition


def test_confirm_translation_is_for_an_out_of_date_spanish_edition_only(
    english, live_edition, spanish_reviewer
):
    with pytest.raises(EditorialError, match="is for a Spanish edition"):
        confirm_translation(english, spanish_reviewer)
    with pytest.raises(EditorialError, match="up to date with the English page"):
        confirm_translation(live_edition, spanish_reviewer)
    assert "confirm_translation" not in dict(workflow.allowed_actions(live_edition, spanish_reviewer))


# ---------------------------------------------------------------- withdrawn or merged with English


def _events(article: Article) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(article=article).order_by("id").values_list("action", "comment"))


def test_withdrawing_the_english_article_takes_its_spanish_page_down_and_restore_brings_it_back(
    client, english, live_edition, director
):
    spanish_url = f"/spanish/ency/article/{english.public_id}.htm"
    shown = live_edition.live_publication_id
    withdraw(english, director, reason="Unsafe advice")
    edition = Article.objects.get(pk=live_edition.pk)
    assert edition.withdrawn_at is not None and edition.live_publication is None
    assert _events(edition)[-1] == ("withdraw", "With the English article: Withdrawn: Unsafe advice")
    assert client.get(spanish_url).status_code == 410
    assert not Article.objects.spanish().live().exists()

    restore(english, director)
    edition = Article.objects.get(pk=live_edition.pk)
    assert (edition.withdrawn_at, edition.live_publication_id) == (None, shown)
    assert _events(edition)[-1] == ("restore", "Restored with the English article")
    assert client.get(spanish_url).status_code == 200


def test_merging_the_english_article_sends_its_spanish_page_to_the_spanish_address_of_the_other(
    client, make_article, publish_article, english, live_edition, director
):
    other = publish_article(make_article("Muscle cramps"))
    merge(english, director, into=other, reason="One article")
    edition = Article.objects.get(pk=live_edition.pk)
    assert edition.merged_into == other and edition.live_publication is None
    assert _events(edition)[-1][0] == "merge"
    response = client.get(f"/spanish/ency/article/{english.public_id}.htm")
    assert (response.status_code, response["Location"]) == (
        301,
        f"/spanish/ency/article/{other.public_id}.htm",
    )
    # The other article has no Spanish edition: its Spanish address says so and links the English page.
    assert f"/ency/article/{other.public_id}.htm" in client.get(response["Location"]).content.decode()

    restore(english, director)
    assert Article.objects.get(pk=live_edition.pk).live_publication_id == live_edition.live_publication_id


def test_a_spanish_edition_withdrawn_on_its_own_stays_withdrawn_when_the_english_one_is_restored(
    english, live_edition, director
):
    withdraw(live_edition, director, reason="Poor translation")
    withdraw(english, director, reason="Unsafe advice")
    restore(english, director)
    edition = Article.objects.get(pk=live_edition.pk)
    assert edition.withdrawn_at is not None and not edition.is_live
    assert [action for action, _ in _events(edition)].count("withdraw") == 1  # not taken down twice


def test_no_spanish_page_goes_live_while_its_english_article_is_withdrawn(
    english, director, editor, spanish_reviewer
):
    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)
    approve(edition, spanish_reviewer, go_live_at=timezone.now() + datetime.timedelta(hours=1))
    withdraw(english, director, reason="Unsafe advice")
    assert publish_due(timezone.now() + datetime.timedelta(hours=2)) == []
    assert not Article.objects.get(pk=edition.pk).is_live
    with pytest.raises(EditorialError, match="restore the English article first"):
        publish_correction(Article.objects.get(pk=edition.pk), director, reason="Typo")


def test_a_failed_spanish_take_down_leaves_the_english_article_live(
    monkeypatch, english, live_edition, director
):
    from editorial import translation

    def broken(*args, **kwargs):
        raise RuntimeError("the Spanish take-down failed")

    monkeypatch.setattr(translation, "take_down_with", broken)
    with pytest.raises(RuntimeError):
        withdraw(english, director, reason="Unsafe advice")
    assert Article.objects.get(pk=english.pk).is_live and Article.objects.get(pk=live_edition.pk).is_live


# ---------------------------------------------------------------- the admin


def test_the_change_form_shows_the_english_changes_since_the_source(client, out_of_date, director):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    page = client.get(f"/admin/encyclopedia/article/{out_of_date.pk}/change/").content.decode()
    text = page_text(page)
    assert "Out of date since today" in text
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


# ---------------------------------------------------------------- a new user's trial (editors, reviewers)


def test_any_reviewer_submission_of_a_spanish_edition_emails_spanish_reviewers_only(
    english, director, editor, english_reviewer, spanish_reviewer
):
    from editorial.models import OutgoingMail

    edition = translate(add_spanish_edition(english, director), editor, "palabra")
    submit(edition, editor)  # "Assign to: Any medical reviewer"
    assert OutgoingMail.objects.get(kind="submitted").recipients == [spanish_reviewer.email]
    OutgoingMail.objects.all().delete()
    submit(english_update(english, editor, "English words."), editor)
    assert OutgoingMail.objects.get(kind="submitted").recipients == sorted(
        [english_reviewer.email, spanish_reviewer.email]
    )


def test_confirm_still_accurate_is_refused_on_an_out_of_date_edition(client, out_of_date, spanish_reviewer):
    review_date = out_of_date.review_date
    with pytest.raises(EditorialError, match="Confirm translation still matches"):
        confirm_still_accurate(out_of_date, spanish_reviewer)
    assert Article.objects.get(pk=out_of_date.pk).review_date == review_date
    offered = dict(workflow.allowed_actions(out_of_date, spanish_reviewer))
    assert "confirm" not in offered and "confirm_translation" in offered
    confirm_translation(out_of_date, spanish_reviewer)
    current = Article.objects.get(pk=out_of_date.pk)
    assert "confirm" in dict(workflow.allowed_actions(current, spanish_reviewer)), "up to date again"
    client.force_login(spanish_reviewer)
    page = page_text(client.get(f"/admin/encyclopedia/article/{out_of_date.pk}/change/").content.decode())
    assert "Confirm still accurate" in page


def test_editors_and_spanish_reviewers_see_out_of_date_translations_on_their_dashboard(
    client, out_of_date, editor, english_reviewer, spanish_reviewer
):
    def dashboard(user: User) -> str:
        client.force_login(user)
        return page_text(client.get("/admin/").content.decode())

    assert "1 Out-of-date translations to update" in dashboard(editor)
    spanish = dashboard(spanish_reviewer)
    assert "1 Out-of-date translations to confirm" in spanish
    assert "Spanish, behind the English page since today" in spanish
    assert "Out-of-date translations" not in dashboard(english_reviewer)


def test_the_workspace_of_a_spanish_draft_shows_the_english_source_and_the_translator(
    client, out_of_date, editor, spanish_reviewer
):
    edition = translate(out_of_date, editor, "palabras nuevas")
    edition.translated_by = "Agencia de Ejemplo"
    edition.save()
    submit(edition, editor)
    client.force_login(spanish_reviewer)
    page = page_text(client.get(f"/admin/encyclopedia/article/{edition.pk}/workspace/").content.decode())
    assert "The translation" in page and "Agencia de Ejemplo" in page
    assert "The English page the translator worked from: “Leg cramps”" in page
    assert "Changed English words." in page  # the English text, and the English change
    assert "The translation is out of date since today" in page
    assert "English changes since the translation's source" in page


def test_the_translators_form_shows_the_english_text_spanish_headings_and_a_spanish_hint(
    client, out_of_date, director
):
    client.force_login(director)
    response = client.get(f"/admin/encyclopedia/article/{out_of_date.pk}/change/")
    page = response.content.decode()
    text = page_text(page)
    assert "The English text to translate: “Leg cramps”" in text and "Changed English words." in text
    heading = response.context["inline_admin_formsets"][0].formset.forms[0]["heading"]
    assert "Causas (Causes)" in str(heading)
    assert "Left empty, the next free id is assigned" not in text
    assert "the English article's id, shared by its Spanish edition" in text
    assert "Save and add another" not in text
    assert (
        "Save and add another"
        in client.get(f"/admin/encyclopedia/article/{out_of_date.translation_of_id}/change/").content.decode()
    )


def test_the_reading_hint_scores_spanish_text_on_a_spanish_scale():
    from editorial import readability

    easy = (
        "El niño tiene fiebre y tos. Dele agua. Deje que descanse en casa. Llame al médico si no mejora pronto. "
        * 2
    )
    hard = (
        "La hipercolesterolemia familiar heterocigótica constituye una alteración metabólica caracterizada "
        "por concentraciones plasmáticas elevadas de lipoproteínas de baja densidad, que predisponen "
        "considerablemente a enfermedad cardiovascular aterosclerótica prematura."
    )
    assert "within the target of 55 or more" in readability.grade(easy, "es").message
    hint = readability.grade(hard, "es")
    assert hint.above_target and "Szigriszt-Pazos" in hint.message and "grade" not in hint.message


def test_adding_a_spanish_edition_opens_it_and_the_english_page_says_when_it_falls_behind(
    client, english, editor, director
):
    client.force_login(director)
    response = client.post(f"/admin/encyclopedia/article/{english.pk}/workflow/add_translation/", {"go": "1"})
    edition = Article.objects.spanish().get()
    assert response.status_code == 302 and response.url == f"/admin/encyclopedia/article/{edition.pk}/change/"
    english_page = f"/admin/encyclopedia/article/{english.pk}/change/"
    assert "a draft not yet live" in page_text(client.get(english_page).content.decode())
    Article.objects.filter(pk=edition.pk).update(
        out_of_date_since=timezone.now() - datetime.timedelta(days=4)
    )
    assert "out of date for 4 days" in page_text(client.get(english_page).content.decode())


def test_a_reviewers_languages_accept_any_case_and_say_what_is_valid():
    reviewer = Reviewer(name="Case", languages="EN, Es")
    reviewer.full_clean()
    reviewer.save()
    assert Reviewer.objects.get(pk=reviewer.pk).languages == "en,es"
    with pytest.raises(ValidationError, match="“fr” is not a language of the site.*“es” \\(Spanish\\)"):
        Reviewer(name="French", languages="en,fr").full_clean()


def test_the_audit_log_dates_the_english_change_as_the_admin_does(out_of_date, director):
    comments = AuditEvent.objects.filter(
        article=out_of_date, action__in=("add_translation", "translation_out_of_date")
    ).values_list("comment", flat=True)
    assert len(comments) == 2
    for comment in comments:
        assert not re.search(r"\d{4}-\d{2}-\d{2}", comment), comment
        assert re.search(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2} [AP]M", comment), comment


def test_the_demo_has_an_english_only_reviewer_login(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())
    english_only = User.objects.get(username="reviewer_en").reviewer_profile
    assert not english_only.qualified_for("es") and english_only.qualified_for("en")
    assert User.objects.get(username="reviewer").reviewer_profile.qualified_for("es")
    assert "reviews English and Spanish" in out.getvalue() and "reviews English)" in out.getvalue()
