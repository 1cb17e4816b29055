"""Accessibility: axe-core (from the npm registry, injected into the page) finds no serious or
critical violation on the article, index, search and admin pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def demo(settings):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: make test-e2e runs `npm ci` first.")
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.mark.parametrize(
    "path",
    [
        "/ency/article/900001.htm",
        "/ency/",
        "/ency/encyclopedia_H.htm",
        "/ency/search/?q=hiccups+cold",
        "/ency/search/?q=zzzz",
        "/about/editorial-policy/",
        # The Spanish edition (issue #17): an article, the index, a letter, search, and the 404 of
        # an article with no Spanish edition, which links the English one.
        "/spanish/ency/article/900001.htm",
        "/spanish/ency/",
        "/spanish/ency/encyclopedia_H.htm",
        "/spanish/ency/search/?q=hipo",
        "/spanish/ency/article/900003.htm",
    ],
)
def test_public_pages_have_no_serious_violations(browser, live_server, demo, path):
    context = browser.new_context(bypass_csp=True)  # to inject axe; the pages' own CSP stays strict
    page = context.new_page()
    page.goto(live_server.url + path)
    assert violations(page) == []
    context.close()


def test_admin_pages_have_no_serious_violations(browser, live_server, demo):
    from encyclopedia.models import Article

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "reviewer-demo-2026")
    page.click("input[type=submit]")
    article = Article.objects.english().get(public_id="900002")
    found = {}
    for path in (
        "/admin/",
        f"/admin/encyclopedia/article/{article.pk}/change/",
        f"/admin/encyclopedia/article/{article.pk}/changes/",
    ):
        page.goto(live_server.url + path)
        found[path] = violations(page)
    assert found == {path: [] for path in found}
    context.close()
