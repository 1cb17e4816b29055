"""Steps the browser tests share: signing in to the admin, reading a public page's text."""

from __future__ import annotations

import re


def sign_in(browser, live_server, username: str, password: str):
    """A new browser page signed in to the admin as ``username``, on the admin's front page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def public_text(browser, url: str) -> str:
    """The text of ``url``'s main content, as a reader signed in nowhere sees it."""
    page = browser.new_page()
    page.goto(url)
    text = page.inner_text("main")
    page.close()
    return text
