"""A form too large for the server, in Chromium: the editor is told on the form and loses nothing.

The article form checks its size before sending (editorial/form_size.js). A browser that sends
it anyway (here: a script calling ``form.submit()``, which skips the check) gets the admin's own
"too large" page, and Back returns to the form with the text still in it.
"""

from __future__ import annotations

import re
import secrets

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = secrets.token_urlsafe(16)
PARAGRAPH = "Night cramps often follow a long day on the feet. " * 60_000  # 3 MB, as in the issue


@pytest.fixture
def editor_page(browser, live_server):
    from django.contrib.auth.models import User

    User.objects.create_superuser("sizer", "sizer@example.org", PASSWORD)
    context = browser.new_context()  # the Content-Security-Policy on: the check is a static script
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "sizer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{live_server.url}/admin/encyclopedia/article/add/")
    page.fill("#id_title", "Night cramps")
    page.locator("#id_summary").evaluate("(area, text) => { area.value = text; }", PARAGRAPH)
    page.script_errors = errors
    yield page
    context.close()


def test_a_form_too_large_is_stopped_on_the_page_with_the_text_kept(editor_page):
    page = editor_page
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.click("input[name=_save]")
    note = page.locator("#form-size-error")
    note.wait_for(state="visible")
    text = note.inner_text()
    assert text.startswith(
        "Nothing was sent: this form holds 3.0 MB of text, and the server reads at most 2.6 MB"
    )
    assert "(0.4 MB too much)" in text
    assert f"The largest text is “Summary”, {len(PARAGRAPH):,} characters." in text
    assert posts == [], "the browser never left the form"
    assert page.url.endswith("/admin/encyclopedia/article/add/")
    assert page.locator("#id_summary").input_value() == PARAGRAPH
    assert page.evaluate("document.activeElement.id") == "id_summary", "the text to shorten has the focus"
    assert page.script_errors == []

    # Shortened, the same form is sent and saved.
    page.locator("#id_summary").evaluate(
        "(area) => { area.value = 'Night cramps often follow a long day.'; }"
    )
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert posts, "the shortened form was sent"
    assert not note.is_visible()


def test_a_form_sent_anyway_gets_the_admins_page_and_back_keeps_the_text(editor_page, shot):
    page = editor_page
    with page.expect_navigation() as navigation:
        page.evaluate("HTMLFormElement.prototype.submit.call(document.getElementById('article_form'))")
    response = navigation.value
    assert response.status == 413
    assert page.locator("#site-name").inner_text() == "Medical Encyclopedia: editorial admin"
    text = page.inner_text("#content")
    assert "The form was too large to save" in text
    assert re.search(
        r"The form you sent is 3\.0 MB; the server reads at most 2\.6 MB of text from one form", text
    )
    assert "Your text is still in the form: go back with your browser's Back button" in text
    shot(page, "form-too-large-server-page")
    page.go_back()
    page.wait_for_url(re.compile(r"/admin/encyclopedia/article/add/$"))
    assert page.locator("#id_title").input_value() == "Night cramps"
    assert page.locator("#id_summary").input_value() == PARAGRAPH, "Back returns to the form with the text"


def test_a_section_too_large_is_named_by_its_heading_not_its_buttons(editor_page, live_server):
    """The note names a section's body as the editor reads the form, not with the text of the
    Collapse / Move buttons the editor's script puts in the section's heading."""
    from encyclopedia.models import Article, Section, SectionHeading

    page = editor_page
    article = Article.objects.create(
        title="Leg cramps", article_type="symptom", summary="Cramps in the calf at night."
    )
    Section.objects.create(
        article=article,
        position=1,
        heading=SectionHeading.objects.get(name="Treatment"),
        body="Stretch the calf.",
    )
    page.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    body = page.locator("#id_sections-0-body")
    body.wait_for()
    page.locator(".section-controls").first.wait_for()  # editor.js has added the buttons
    body.evaluate("(area, text) => { area.value = text; }", PARAGRAPH)
    page.click("input[name=_save]")
    note = page.locator("#form-size-error")
    note.wait_for(state="visible")
    text = note.inner_text()
    assert f"The largest text is “Body” of section “Treatment”, {len(PARAGRAPH):,} characters." in text
    assert "Move up" not in text and "Collapse" not in text
    assert "2.6 MB" in text, "the same unit as the README and the server's page"
    assert page.evaluate("document.activeElement.id") == "id_sections-0-body"
    assert page.script_errors == []
