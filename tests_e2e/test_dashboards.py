"""Each role's dashboard and the destructive confirmations, in Chromium: what each person sees and
clicks, with axe-core on every page and a screenshot of each in e2e-screenshots/."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LOGINS = {
    "editor": "editor-demo-2026",
    "reviewer": "reviewer-demo-2026",
    "director": "director-demo-2026",
}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True  # demo logins and the demo team's drafts exist only with DEBUG
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def sign_in(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)  # axe is injected
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", LOGINS[username])
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def panel_counts(page) -> dict[str, int]:
    return {
        panel.get_attribute("id").removeprefix("panel-"): int(panel.locator(".count").inner_text())
        for panel in page.locator(".dashboard-panel").all()
    }


@pytest.mark.parametrize(
    ("role", "panels", "absent"),
    [
        ("editor", ["my_drafts", "changes_for_me", "my_submissions", "my_published"], "Awaiting my review"),
        ("reviewer", ["awaiting_me", "my_overdue", "my_due_soon"], "My drafts"),
        (
            "director",
            [
                "in_review",
                "changes_requested",
                "overdue",
                "due_30",
                "unassigned",
                "scheduled",
                "accreditation",
            ],
            "Awaiting my review",
        ),
    ],
)
def test_each_role_has_its_own_full_width_dashboard(
    browser, live_server, demo, shot, axe, role, panels, absent
):
    page = sign_in(browser, live_server, role)
    counts = panel_counts(page)
    assert [key for key in panels if not counts.get(key)] == [], f"{role}: every panel has something"
    assert absent not in page.inner_text("#content")
    dashboard = page.locator(".review-dashboard").bounding_box()
    assert dashboard["width"] > 1200, "the dashboard uses the whole width"
    shot(page, f"dashboard-{role}")
    assert axe(page) == []

    # Every count links to a list that shows exactly that many articles.
    for key in panels:
        if key == "accreditation":
            continue
        page.goto(f"{live_server.url}/admin/")
        link = page.locator(f"#panel-{key} a.panel-link")
        expected = int(link.locator(".count").inner_text())
        link.click()
        page.wait_for_selector("#result_list, .paginator")
        assert page.locator("#result_list tbody tr").count() == expected, key
    page.context.close()


def test_a_reviewer_goes_from_the_dashboard_to_the_workspace_in_one_click(browser, live_server, demo):
    page = sign_in(browser, live_server, "reviewer")
    page.click("#panel-awaiting_me li a >> nth=0")
    page.wait_for_url(re.compile(r"/workspace/$"))
    page.context.close()


def test_withdraw_then_restore_says_what_readers_get_and_how_to_undo(browser, live_server, demo, shot, axe):
    from encyclopedia.models import Article

    article = Article.objects.english().get(public_id="900014")  # Nosebleed: live, no draft
    public = f"{live_server.url}/ency/article/900014.htm"
    page = sign_in(browser, live_server, "director")
    page.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/change/")
    withdraw = page.locator(".workflow-actions a", has_text="Withdraw")
    assert "danger" in withdraw.get_attribute("class")
    withdraw.click()
    text = page.inner_text("#content")
    assert "410 Gone" in text and "/ency/article/900014.htm" in text
    assert "How to undo it" in text and "restore it" in text
    assert "Preview the draft" not in text, "there is no draft to preview"
    button = page.locator("input[type=submit].danger")
    assert button.count() == 1
    shot(page, "confirm-withdraw")
    assert axe(page) == []
    page.fill("textarea[name='reason']", "Sample withdrawal in the browser test.")
    button.click()
    page.wait_for_selector("text=Withdrawn.")
    assert page.request.get(public).status == 410

    page.locator(".workflow-actions a", has_text="Restore").click()
    text = page.inner_text("#content")
    assert "puts back the page readers had when the article was withdrawn" in text
    assert "Preview the draft" not in text
    shot(page, "confirm-restore")
    assert axe(page) == []
    page.click("input[type=submit]")
    page.wait_for_selector("text=Restored.")
    assert page.request.get(public).status == 200
    page.context.close()


def test_merge_says_readers_are_redirected(browser, live_server, demo, shot, axe):
    from encyclopedia.models import Article

    article = Article.objects.get(public_id="900024")  # X-ray
    page = sign_in(browser, live_server, "director")
    page.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/workflow/merge/")
    text = page.inner_text("#content")
    assert "redirected (301)" in text and "How to undo it" in text
    assert page.locator("input[type=submit].danger").count() == 1
    shot(page, "confirm-merge")
    assert axe(page) == []
    page.fill("input[name='into']", "900023")
    page.fill("textarea[name='reason']", "Sample merge in the browser test.")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Merged.")
    response = page.request.get(f"{live_server.url}/ency/article/900024.htm", max_redirects=0)
    assert response.status == 301 and response.headers["location"].endswith("/900023.htm")
    page.context.close()


def test_delete_says_readers_get_404_and_how_to_recover(browser, live_server, demo, shot, axe):
    from encyclopedia.models import Article

    article = Article.objects.get(public_id="900028")  # never published: may be deleted as it is
    page = sign_in(browser, live_server, "director")
    page.goto(f"{live_server.url}/admin/encyclopedia/article/{article.pk}/delete/")
    text = page.inner_text("#content")
    assert "404 Not Found" in text and "Recover deleted articles" in text
    shot(page, "confirm-delete")
    assert axe(page) == []
    page.click("input[type=submit]")
    page.wait_for_selector("text=deleted successfully")
    assert not Article.objects.filter(public_id="900028").exists()
    page.context.close()
