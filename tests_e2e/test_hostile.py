"""Hostile values in every field, in a real browser: nothing runs on the public pages or in the admin.

The article is published with a payload in each text field that reaches a page. Each payload
would set ``window.__pwned`` (to the field's name), open a dialog, or set a ``--pwned`` style
if any of it became markup. The pages are opened twice: with the Content-Security-Policy
bypassed, so that only the sanitizing and escaping stand between the payload and the reader
(a script blocked by the CSP would still be a bug), and with the CSP on, where the public pages
must report no violation at all: nothing even tried to run.
"""

from __future__ import annotations

import datetime
import re
import secrets

import pytest

from tests.factories import picture, upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = secrets.token_urlsafe(16)  # a fresh login for this run only


def payload(field: str) -> str:
    """Markup that would run, or restyle the page, if it reached the DOM as markup (under 150 characters)."""
    return (
        f"<img src=x onerror=__pwned='{field}'><script>__pwned='{field}'</script>"
        f"<svg onload=__pwned='{field}'><style>*{{--pwned:1}}</style>\"><a href=javascript:__pwned=1>j</a>"
    )


def markdown_payload(field: str) -> str:
    """For Markdown fields, links with unsafe addresses as well."""
    return (
        f"{payload(field)}\n\n[click](javascript:__pwned='{field}') [data](data:text/html,x) "
        "<https://example.org/\u202eevil\u202c>\u200b"
    )


@pytest.fixture
def hostile(settings, tmp_path):
    """A live article with a payload in every field, a draft change to it, and hostile site data."""
    from django.contrib.auth.models import User

    from editorial.actions.publish import publish
    from encyclopedia.models import (
        AccreditationNotice,
        Article,
        ArticleImage,
        Citation,
        EditorialCredit,
        PolicyPage,
        Reviewer,
        ReviewOrganization,
        Section,
        SectionHeading,
        SiteSettings,
    )

    settings.MEDIA_ROOT = tmp_path
    policy = PolicyPage.objects.create(
        slug="hostile", title=payload("policy"), body=markdown_payload("policy body")
    )
    AccreditationNotice.objects.create(
        body=payload("notice body"),
        body_url="https://example.org/body",
        program=payload("program"),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        statement=markdown_payload("statement"),
        editorial_policy=policy,
    )
    SiteSettings.objects.update_or_create(
        pk=1,
        defaults={
            "site_name": payload("site"),
            "publisher_name": payload("publisher"),
            "publisher_place": payload("place"),
            "copyright_holder": payload("holder"),
            "disclaimer": payload("disclaimer"),
        },
    )
    article = Article.objects.create(
        title="Zeta " + payload("title"),
        article_type="symptom",
        summary=markdown_payload("summary"),
        review_date=datetime.date(2026, 1, 15),
        reviewer=Reviewer.objects.create(
            name=payload("reviewer"),
            credentials="MD",
            title=payload("reviewer title"),
            department=payload("department"),
            institution=payload("institution"),
            city="Springfield",
            state="IL",
        ),
        review_organization=ReviewOrganization.objects.create(name=payload("organization")),
    )
    Section.objects.create(
        article=article,
        position=1,
        heading=SectionHeading.objects.get(name="Causes"),
        body=markdown_payload("body"),
    )
    Section.objects.create(
        article=article, position=2, custom_heading=payload("heading"), body=markdown_payload("custom body")
    )
    article.alternative_names.create(name="Zeta " + payload("name"), position=1)
    citation = Citation.objects.create(
        kind="book_chapter",
        authors=payload("authors"),
        title=payload("chapter"),
        editors=payload("editors"),
        container_title=payload("book"),
        place="Springfield",
        publisher=payload("press"),
        year="2024",
        url="javascript:__pwned='citation url'",
    )
    article.citation_links.create(citation=citation, position=1)
    article.credit_links.create(
        credit=EditorialCredit.objects.create(name=payload("credit"), role=payload("role")), position=1
    )
    image = ArticleImage(
        article=article,
        image=upload(picture((40, 30)), "hostile.png"),
        alt_text=payload("alt"),
        caption=payload("caption"),
    )
    image.save()
    publish(article, None, comment="Hostile")
    article.refresh_from_db()
    article.summary = markdown_payload("draft summary")  # a draft, for the diff
    article.save()
    User.objects.create_superuser("hostile", "hostile@example.org", PASSWORD)
    return {"article": article, "image": image, "citation": citation}


# What the page's DOM holds that could run or restyle it: handlers, unsafe URLs, injected
# scripts, styles, frames, SVG carrying the payload, images that are not ours.
DOM_CHECK = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      const value = attribute.value.replace(/[\\t\\n\\r]/g, '');
      if (attribute.name.startsWith('on')) found.push(`${el.tagName} ${attribute.name}=`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attribute.name)
          && /^\\s*(javascript|data|vbscript):/i.test(value)) found.push(`${el.tagName} ${attribute.name}=${value}`);
      if (attribute.name === 'style' && value.includes('pwned')) found.push(`${el.tagName} style=${value}`);
    }
    const tag = el.tagName.toUpperCase();
    if ((tag === 'SCRIPT' && el.type !== 'application/ld+json' || tag === 'STYLE') && el.textContent.includes('pwned'))
      found.push(`${tag} ${el.textContent.slice(0, 60)}`);
    if (['IFRAME', 'FRAME', 'OBJECT', 'EMBED'].includes(tag)) found.push(tag);
    if (tag === 'IMG' && !(el.getAttribute('src') || '').startsWith('/')) found.push(`IMG src=${el.getAttribute('src')}`);
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml' && el.outerHTML.includes('pwned')) found.push(`${tag} (SVG/MathML)`);
  }
  return found;
}"""

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`);
});
"""


def open_page(context, url: str) -> dict:
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url)
    page.wait_for_load_state("networkidle")  # broken images report their error by now
    found = {
        "status": response.status if response else 0,
        "pwned": page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)"),
        "dialogs": dialogs,
        "style": page.evaluate(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--pwned')"
        ),
        "dom": page.evaluate(DOM_CHECK),
        "violations": page.evaluate("() => window.__violations || []"),
        "text": page.inner_text("body"),
    }
    page.close()
    return found


def assert_inert(found: dict, url: str) -> None:
    assert found["status"] == 200, url
    assert found["pwned"] is None, f"{url}: the payload in “{found['pwned']}” ran"
    assert found["dialogs"] == [], url
    assert found["style"].strip() == "", f"{url}: an injected style applies"
    assert found["dom"] == [], url


def sign_in(context, live_server) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "hostile")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.close()


def public_urls(live_server, hostile) -> list[str]:
    article, image = hostile["article"], hostile["image"]
    return [
        f"{live_server.url}{article.get_absolute_url()}",
        f"{live_server.url}/ency/imagepages/{image.pk:06d}.htm",
        f"{live_server.url}/ency/",
        f"{live_server.url}/ency/encyclopedia_Z.htm",
        f"{live_server.url}/ency/search/?q=zeta",
        f"{live_server.url}/ency/search/?q=%3Cimg+src%3Dx+onerror%3D__pwned%3D%27query%27%3E%E2%80%AE",
        f"{live_server.url}/about/hostile/",
    ]


def test_nothing_hostile_runs_on_the_public_pages(browser, live_server, hostile, shot):
    context = browser.new_context(bypass_csp=True)
    for url in public_urls(live_server, hostile):
        assert_inert(open_page(context, url), url)
    page = context.new_page()
    page.goto(f"{live_server.url}{hostile['article'].get_absolute_url()}")
    heading = page.inner_text("h1")
    assert heading == "Zeta " + payload("title"), "the title is shown as the text the editor typed"
    assert payload("caption") in page.inner_text("main")
    shot(page, "hostile-article")
    page.close()
    context.close()


def test_the_public_pages_trip_no_content_security_policy(browser, live_server, hostile):
    context = browser.new_context()
    context.add_init_script(WATCH)
    for url in public_urls(live_server, hostile):
        found = open_page(context, url)
        assert_inert(found, url)
        assert found["violations"] == [], f"{url}: something tried to run and the CSP stopped it"
    context.close()


def test_nothing_hostile_runs_in_the_admin(browser, live_server, hostile, shot):
    article, citation = hostile["article"], hostile["citation"]
    context = browser.new_context(bypass_csp=True)
    sign_in(context, live_server)
    base = f"{live_server.url}/admin/encyclopedia"
    for path in (
        "/article/?q=zeta",
        f"/article/{article.pk}/change/",
        f"/article/{article.pk}/changes/",
        f"/article/{article.pk}/history/",
        f"/article/{article.pk}/preview/",
        f"/citation/{citation.pk}/change/",
        f"/reviewer/{article.reviewer_id}/change/",
        "/sitesettings/1/change/",
        "/accreditationnotice/",
    ):
        found = open_page(context, base + path)
        assert_inert(found, path)
    page = context.new_page()
    page.goto(f"{base}/article/{article.pk}/changes/")
    added = page.locator("ins", has_text="__pwned='draft summary'")
    assert added.count() >= 1, "the diff shows the hostile text, as text"
    shot(page, "hostile-diff")
    page.close()
    context.close()


def test_very_long_values_do_not_make_pages_scroll_sideways(browser, live_server):
    """The longest title, heading and name the admin accepts, as single unbroken words, on a phone."""
    from editorial.actions.publish import publish
    from encyclopedia.models import Article, Citation, Section

    article = Article.objects.create(
        title="Z" + "x" * 199,
        article_type="symptom",
        summary="S" * 3_000,
        review_date=datetime.date(2026, 1, 15),
    )
    Section.objects.create(article=article, position=1, custom_heading="H" * 200, body="B" * 5_000)
    article.alternative_names.create(name="N" * 200, position=1)
    citation = Citation.objects.create(
        kind="website", title="T" * 300, container_title="C" * 300, url="https://example.org/" + "u" * 400
    )
    article.citation_links.create(citation=citation, position=1)
    publish(article, None, comment="Long")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    widths = {}
    for path in (
        article.get_absolute_url(),
        "/ency/encyclopedia_Z.htm",
        "/ency/encyclopedia_N.htm",
        "/ency/search/?q=" + "x" * 400,
    ):
        page.goto(live_server.url + path)
        widths[path] = page.evaluate("() => document.documentElement.scrollWidth")
    assert widths == dict.fromkeys(widths, 375)
    context.close()
