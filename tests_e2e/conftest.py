"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), no browser download."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[1] / "e2e-screenshots"))


@pytest.fixture(scope="session")
def browser(request):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (make test-e2e installs Debian's chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        # The live server starts once Playwright runs, so that it shares the connection the tests
        # use (see django_db_setup); and it stops only after the browser has closed: else the
        # browser's idle connections end in server threads whose shared database connection
        # may no longer be used from them (DatabaseError at the end of the session).
        request.getfixturevalue("live_server")
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def django_db_setup(browser, django_db_setup):
    """The test database, created only once Playwright runs, whichever test comes first.

    Playwright's sync API leaves its event loop marked as running in the main thread, and from
    then on Django keeps that thread's database connections apart from the ones opened before
    (asgiref's thread-critical Local: context-local while a loop runs). Had the database been
    set up before the browser started (a test without a browser running first, as the Nu
    checker's do), the later tests would get a new connection without the migrations' data
    saved for ``serialized_rollback``: Django then skips restoring it, and each flush leaves
    the groups and section headings gone (pytest-django issue #1117).

    Every test here thereby has the live server (see browser), and pytest-django then runs each
    as a transactional test, flushed afterwards: mark them all
    ``django_db(transaction=True, serialized_rollback=True)``.
    """
    return django_db_setup


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(page, name: str, full_page: bool = True) -> None:
        path = SHOTS / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)  # a modal dialog shows in the viewport only
        taken.append(path)

    yield take
    for path in taken:
        print(f"screenshot: {path}")


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    """A function: the serious and critical axe-core violations on a page (injected into it, so the
    page's context needs ``bypass_csp=True``)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: make test-e2e runs `npm ci` first.")

    def violations(page) -> list[str]:
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return violations
