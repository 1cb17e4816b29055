"""The editorial round trip in a real browser, and what the public sees at each step."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests_e2e.steps import public_text, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_SENTENCE = "A sentence added in the browser test."


def test_edit_review_request_changes_fix_approve(browser, live_server, settings, shot):
    settings.DEBUG = True  # demo logins exist only with DEBUG
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    from encyclopedia.models import Article

    article = Article.objects.english().get(public_id="900001")
    public_url = f"{live_server.url}/ency/article/900001.htm"
    before = public_text(browser, public_url)
    assert NEW_SENTENCE not in before

    editor = sign_in(browser, live_server, "editor", "editor-demo-2026")
    editor.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    body = editor.locator("textarea[name='sections-0-body']")
    body.fill(body.input_value() + "\n\n" + NEW_SENTENCE)
    editor.click("input[name='_continue']")
    editor.wait_for_selector("text=was changed successfully")
    shot(editor, "editor-saved-draft")
    assert "Live + draft" in editor.inner_text(".workflow-panel")
    assert NEW_SENTENCE not in public_text(browser, public_url)
    editor.click("text=Submit for medical review")
    editor.fill("textarea[name='note']", "Added one sentence.")
    editor.click("input[type=submit]")
    editor.wait_for_selector("text=Submitted for review.")
    shot(editor, "editor-submitted")

    reviewer = sign_in(browser, live_server, "reviewer", "reviewer-demo-2026")
    reviewer.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/workflow/request_changes/")
    assert reviewer.locator("ins", has_text=NEW_SENTENCE).count() == 1
    shot(reviewer, "reviewer-sees-the-diff")
    reviewer.fill("textarea[name='comment']", "Say where this advice comes from.")
    reviewer.click("input[type=submit]")
    reviewer.wait_for_selector("text=Changes requested.")
    shot(reviewer, "reviewer-requested-changes")
    assert NEW_SENTENCE not in public_text(browser, public_url)

    editor.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    assert "Say where this advice comes from." in editor.inner_text(".workflow-panel")
    body = editor.locator("textarea[name='sections-0-body']")
    body.fill(body.input_value().replace(NEW_SENTENCE, NEW_SENTENCE + " (Sample source.)"))
    editor.click("input[name='_continue']")
    editor.wait_for_selector("text=was changed successfully")
    editor.click("text=Submit for medical review")
    editor.click("input[type=submit]")
    editor.wait_for_selector("text=Submitted for review.")
    shot(editor, "editor-resubmitted")

    reviewer.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/workflow/approve/")
    shot(reviewer, "reviewer-approves")
    reviewer.click("input[type=submit]")
    reviewer.wait_for_selector("text=The public page shows it now.")

    after = public_text(browser, public_url)
    assert NEW_SENTENCE + " (Sample source.)" in after
    review_line = re.search(r"Review Date \d{1,2}/\d{1,2}/\d{4}", after).group(0)
    assert review_line not in before, "the review date moved to the approval"
    page = browser.new_page()
    page.goto(public_url)
    shot(page, "public-page-after-approval")
