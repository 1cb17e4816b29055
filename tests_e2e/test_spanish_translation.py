"""A translator's update after an English change, in a real browser (issue #17): the English
article gets a correction, its Spanish edition is marked out of date, the editor sees the English
diff and updates the Spanish draft, a Spanish-qualified reviewer approves, and the Spanish page
shows the new text (while the old one stayed live meanwhile)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests_e2e.steps import public_text, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPANISH_SENTENCE = "Lavarse las manos a menudo ayuda a no contagiar el resfriado."


def test_a_translator_updates_the_spanish_edition_after_an_english_change(
    browser, live_server, settings, shot
):
    settings.DEBUG = True  # demo logins exist only with DEBUG
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    from editorial.demo_spanish import CORRECTION_SENTENCE, OUT_OF_DATE
    from encyclopedia.models import Article

    edition = Article.objects.spanish().get(public_id=OUT_OF_DATE)
    assert edition.out_of_date_since is not None, "the demo's English correction left it out of date"
    spanish_url = f"{live_server.url}/spanish/ency/article/{OUT_OF_DATE}.htm"
    before = public_text(browser, spanish_url)
    assert SPANISH_SENTENCE not in before and CORRECTION_SENTENCE not in before

    editor = sign_in(browser, live_server, "editor", "editor-demo-2026")
    editor.goto(f"{live_server.url}/admin/encyclopedia/article/{edition.pk}/change/")
    assert editor.locator("ins", has_text=CORRECTION_SENTENCE).count() >= 1, "the English diff"
    shot(editor, "translator-sees-the-english-diff")
    body = editor.locator("textarea[name='sections-0-body']")
    body.fill(body.input_value() + "\n\n" + SPANISH_SENTENCE)
    editor.click("input[name='_continue']")
    editor.wait_for_selector("text=was changed successfully")
    assert SPANISH_SENTENCE not in public_text(browser, spanish_url), "the draft is not public"
    editor.click("text=Submit for medical review")
    editor.fill("textarea[name='note']", "Traducida la corrección en inglés.")
    editor.click("input[type=submit]")
    editor.wait_for_selector("text=Submitted for review.")
    shot(editor, "translator-submitted")

    reviewer = sign_in(browser, live_server, "reviewer", "reviewer-demo-2026")
    reviewer.goto(f"{live_server.url}/admin/encyclopedia/article/{edition.pk}/workflow/approve/")
    assert reviewer.locator("ins", has_text=SPANISH_SENTENCE).count() >= 1
    shot(reviewer, "spanish-reviewer-approves")
    reviewer.click("input[type=submit]")
    reviewer.wait_for_selector("text=The public page shows it now.")

    after = public_text(browser, spanish_url)
    assert SPANISH_SENTENCE in after
    edition.refresh_from_db()
    assert edition.out_of_date_since is None, "the approval names the current English source"
    page = browser.new_page()
    page.goto(spanish_url)
    shot(page, "spanish-page-after-approval")
