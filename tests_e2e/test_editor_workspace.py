"""The editor's form (toolbar, live preview, article-link picker, sections) and the reviewer's
workspace, in a real browser, with axe-core on each new page and a screenshot of each."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # demo logins exist only with DEBUG
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def sign_in(browser, live_server, username: str, password: str):
    # bypass_csp only so that the test can inject axe-core; the pages' own scripts are static files.
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.script_errors = errors
    return page


def test_editor_uses_toolbar_preview_and_link_picker_then_submits(browser, live_server, demo, shot, axe):
    from encyclopedia.models import Article, WorkflowState

    article = Article.objects.english().get(public_id="900001")
    editor = sign_in(browser, live_server, "editor", "editor-demo-2026")
    editor.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    body = editor.locator("textarea[name='sections-0-body']")
    toolbar = editor.locator("[role=toolbar][aria-controls='id_sections-0-body']")
    preview = editor.locator("#id_sections-0-body ~ .markdown-preview .markdown-preview-body")
    editor.wait_for_function("document.querySelectorAll('.markdown-preview-body p').length > 0")

    # The toolbar: bold a typed phrase, then make two lines a numbered list.
    body.press("Control+End")
    body.type("\n\nDrink some water slowly")
    body.evaluate("area => area.setSelectionRange(area.value.lastIndexOf('some'), area.value.length)")
    toolbar.get_by_role("button", name="Bold").click()
    assert body.input_value().endswith("Drink **some water slowly**")
    editor.wait_for_function(
        "document.querySelector('#id_sections-0-body ~ .markdown-preview').innerHTML"
        ".includes('<strong>some water slowly</strong>')"
    )
    body.press("Control+End")
    body.type("\n\nHold your breath\nSwallow sugar")
    body.evaluate("area => area.setSelectionRange(area.value.lastIndexOf('Hold'), area.value.length)")
    toolbar.get_by_role("button", name="Numbered list").click()
    assert body.input_value().endswith("1. Hold your breath\n2. Swallow sugar")
    editor.wait_for_function(
        "document.querySelector('#id_sections-0-body ~ .markdown-preview ol li:last-child')?.textContent"
        " === 'Swallow sugar'"
    )

    # The link picker: find the common cold by part of its title, see it is live, insert it.
    body.press("Control+End")
    body.type("\n\nSee also ")
    toolbar.get_by_role("button", name="Link to an article").click()
    dialog = editor.locator("dialog.link-picker")
    dialog.get_by_label("Title or alternative name").fill("common co")
    choice = dialog.locator(".link-picker-choice", has_text="900002")
    choice.wait_for()
    assert "Live" in choice.inner_text()
    shot(editor, "editor-link-picker", full_page=False)
    found = axe(editor)
    assert found == [], found
    choice.click()
    assert re.search(r"See also \[[^\]]*[Cc]old[^\]]*\]\(article:900002\)$", body.input_value())
    editor.wait_for_function(
        "document.querySelector('#id_sections-0-body ~ .markdown-preview')"
        ".innerHTML.includes('/ency/article/900002.htm')"
    )
    # Right after a word, the link is inserted with a space before it, not glued to the word.
    body.type(" Or here.")
    toolbar.get_by_role("button", name="Link to an article").click()
    dialog.get_by_label("Title or alternative name").fill("common co")
    choice.wait_for()
    choice.click()
    assert re.search(r"Or here\. \[[^\]]*[Cc]old[^\]]*\]\(article:900002\)$", body.input_value())
    assert (
        "Reading grade"
        in editor.locator("#id_sections-0-body ~ .markdown-preview .reading-hint").inner_text()
    )
    assert "<strong>some water slowly</strong>" in preview.inner_html()

    # Sections move without typing positions, and collapse.
    rows = editor.locator("#sections-group .inline-related:not(.empty-form)")
    if rows.count() > 1:
        first_heading = rows.nth(0).locator(".inline_label").inner_text()
        rows.nth(0).get_by_role("button", name=re.compile("^Move down section")).click()
        assert rows.nth(1).locator(".inline_label").inner_text() == first_heading
        positions = [
            rows.nth(i).locator("input[name$='-position']").input_value() for i in range(rows.count())
        ]
        assert positions == [str(i + 1) for i in range(rows.count())]
        rows.nth(1).get_by_role("button", name=re.compile("^Move up section")).click()
        assert rows.nth(0).locator(".inline_label").inner_text() == first_heading
    collapse = rows.nth(0).get_by_role("button", name=re.compile("^Collapse section"))
    collapse.click()
    assert not body.is_visible()
    rows.nth(0).get_by_role("button", name=re.compile("^Expand section")).click()
    assert body.is_visible()
    shot(editor, "editor-toolbar-and-preview")
    found = axe(editor)
    assert found == [], found

    editor.click("input[name='_continue']")
    editor.wait_for_selector("text=was changed successfully")
    saved = Article.objects.get(pk=article.pk).sections.order_by("position").first().body
    assert "**some water slowly**" in saved and "(article:900002)" in saved
    editor.click("text=Submit for medical review")
    editor.fill("textarea[name='note']", "Added home remedies and a link to the common cold.")
    editor.click("input[type=submit]")
    editor.wait_for_selector("text=Submitted for review.")
    assert Article.objects.get(pk=article.pk).state == WorkflowState.IN_REVIEW
    assert editor.script_errors == []
    editor.context.close()


def test_the_form_works_without_javascript(browser, live_server, demo):
    from encyclopedia.models import Article

    article = Article.objects.english().get(public_id="900001")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-demo-2026")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    assert page.locator("[role=toolbar]").count() == 0
    body = page.locator("textarea[name='sections-0-body']")
    body.fill(body.input_value() + "\n\nTyped without the script.")
    page.click("input[name='_continue']")
    page.wait_for_selector("text=was changed successfully")
    assert "Typed without the script." in Article.objects.get(pk=article.pk).sections.first().body
    context.close()


def test_reviewer_decides_from_the_workspace_alone(browser, live_server, demo, shot, axe):
    from django.contrib.auth.models import User

    from editorial.actions.submit import submit
    from encyclopedia.models import Article, WorkflowState
    from tests.factories import edit

    editor = User.objects.get(username="editor")
    article = Article.objects.english().get(public_id="900001")
    edit(article, editor, "Sip cold water slowly.\n\nIf hiccups last more than two days, see a doctor.")
    submit(Article.objects.get(pk=article.pk), editor, note="Shorter advice; please check the two-day rule.")
    public_url = f"{live_server.url}/ency/article/900001.htm"

    reviewer = sign_in(browser, live_server, "reviewer", "reviewer-demo-2026")
    reviewer.goto(f"{live_server.url}/admin/encyclopedia/article/queue/")
    found = axe(reviewer)
    assert found == [], found
    shot(reviewer, "review-queue")
    reviewer.get_by_role("link", name=re.compile("^Review Hiccups")).click()  # one click from the queue
    reviewer.wait_for_url(re.compile(r"/workspace/$"))
    text = reviewer.inner_text("#content")
    assert "Shorter advice; please check the two-day rule." in text
    assert reviewer.locator("#changes ins", has_text="Sip cold water").count() >= 1
    assert "see a doctor" in reviewer.inner_text(".draft-page")
    assert "Review history" in text and "References and their age" in text
    assert "time)" in reviewer.inner_text("label[for='id_approve-go_live_at']")  # the time zone is named
    shot(reviewer, "reviewer-workspace")
    found = axe(reviewer)
    assert found == [], found

    # Request changes, from the keyboard: a comment is required.
    reviewer.get_by_role("link", name="Decision").click()
    reviewer.get_by_role("button", name="Request changes").focus()
    reviewer.keyboard.press("Enter")
    assert reviewer.locator("#id_changes-comment").evaluate("area => area.validity.valueMissing")  # not sent
    assert Article.objects.get(pk=article.pk).state == WorkflowState.IN_REVIEW
    reviewer.get_by_label("What should change").fill("Name the source of the two-day rule.")
    reviewer.get_by_label("What should change").press("Tab")
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_selector("text=Changes requested.")
    assert Article.objects.get(pk=article.pk).review_comment == "Name the source of the two-day rule."

    # The editor fixes it and resubmits; the reviewer approves from the workspace.
    edit(
        Article.objects.get(pk=article.pk),
        editor,
        "Sip cold water slowly.\n\nIf hiccups last more than two days (sample source), see a doctor.",
    )
    submit(Article.objects.get(pk=article.pk), editor, note="Source named.")
    reviewer.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/workspace/")
    assert "Changes requested" in reviewer.inner_text("#history")
    reviewer.get_by_label("Review notes").fill("Checked against the sample source.")
    shot(reviewer, "reviewer-approves-in-workspace")
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    reviewer.wait_for_selector("text=The public page shows it now.")
    page = browser.new_page()
    page.goto(public_url)
    assert "(sample source)" in page.inner_text("main")
    page.close()
    assert reviewer.script_errors == []
    reviewer.context.close()
