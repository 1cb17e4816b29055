"""Hostile input in every text field that reaches a page: nothing executes, nothing fails (500),
and where the admin or the importer refuses a value, the editor is told what and where.

The payloads are those of issue 7: script tags, event handlers, ``javascript:`` and ``data:``
URLs, SVG, style injection, broken markup, odd Unicode, very long and empty values. Other files
hold the first, narrower checks (test_public_page, test_markup, test_images, test_search,
test_cite); this one puts every payload in every field at once and looks at every page.
"""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db import models

from editorial import notifications, roles
from encyclopedia.fields import DIRECTION_CONTROLS, strip_direction_controls
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
    SiteSettings,
)
from tests.conftest import attribute_values, page_text
from tests.factories import article_form, field_error, form_data, make_user, picture, upload, write_page

pytestmark = pytest.mark.django_db

# Each payload that could run sets window.__pwned or a --pwned style: the marker "pwned".
PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "event handler": '<img src=x onerror="window.__pwned=1">',
    "attribute breakout": '"><svg onload=window.__pwned=1>',
    "javascript URL": "[see](javascript:window.__pwned=1) javascript:window.__pwned=1",
    "data URL": "[see](data:text/html,<script>window.__pwned=1</script>)",
    "SVG": "<svg><script>window.__pwned=1</script></svg>",
    "style injection": '<style>body{--pwned:1}</style><b style="--pwned:1">x</b>',
    "broken markup": '</textarea></title></p></div><!-- <a href="javascript:window.__pwned=1" <b',
    "odd Unicode": "\u202egnp.exe\u202c \u200b\u200d\ufeff \U0001f9b5 e\u0301 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
}

_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


class Executable(HTMLParser):
    """Markup in a whole page that a browser would run or that would restyle the page:
    scripts other than our own (from our server) and JSON-LD data, event handlers, unsafe URLs,
    SVG/MathML/frames, images that are not ours, injected styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None
        self._svg = 0  # depth inside <svg> or <math>: the admin's own icons are SVG

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("svg", "math"):
            self._svg += 1
        if self._svg and any("pwned" in (value or "") for _name, value in attrs):
            self.found.append(f"<{tag}> carrying the payload")
        if tag == "script":
            src = values.get("src") or ""
            if values.get("type") == "application/ld+json" or (
                src.startswith("/") and not src.startswith("//")
            ):
                self._in = "data"
            else:
                self.found.append(f"<script {values}>")
        elif tag == "style":
            self._in = "style"
        elif tag in ("iframe", "frame", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        elif tag == "img" and not (values.get("src") or "").startswith(("/static/", "/media/")):
            self.found.append(f"<img src={values.get('src')}>")
        elif tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = re.sub(r"[\t\n\r]", "", value or "")
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            elif name == "style" and "pwned" in value:
                self.found.append(f"<{tag} style={value}>")
            elif name in (
                "href",
                "src",
                "action",
                "formaction",
                "xlink:href",
                "data",
            ) and _UNSAFE_SCHEME.match(value):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None
        if tag in ("svg", "math") and self._svg:
            self._svg -= 1

    def handle_data(self, data):
        if self._svg and "pwned" in data:
            self.found.append("<svg> carrying the payload")
        if self._in == "style" and "pwned" in data:
            self.found.append("<style> with the payload")
        if self._in == "data" and ("</" in data or "<!--" in data):
            self.found.append("JSON-LD holding markup")


def executable(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    "html",
    [
        "<script>x</script>",
        '<p onclick="x">',
        '<a href=" JavaScript:x">',
        '<a href="java&#x0A;script:x">',
        '<a href="data:text/html,x">',
        '<b style="--pwned:1">',
        "<style>body{--pwned:1}</style>",
        "<svg><a href=x>--pwned</a></svg>",
        '<svg><use href="#pwned"/></svg>',
        "<img src=x>",
        '<script type="application/ld+json">{"a": "</script><script>x</script>',
        '<script type="application/ld+json">{"a": "<!--"}</script>',
    ],
)
def test_the_checker_sees_what_would_run(html):
    assert executable(html) != []


def test_the_checker_passes_our_own_pages_markup():
    html = (
        '<script type="application/ld+json">{"name": "\\u003cb\\u003e"}</script>'
        '<script src="/static/encyclopedia/copy.js" defer></script><img src="/media/images/1.png" alt="">'
        '<a href="https://example.org">x</a><style>body{margin:0}</style>'
        '<svg aria-hidden="true" class="theme-icon-when-auto"><use xlink:href="#icon-auto"></use></svg>'
    )
    assert executable(html) == []


# ---------------------------------------------------------------- every field, every page


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def hostile_site(payload: str, make_article, publish_article) -> tuple[Article, ArticleImage, dict[str, str]]:
    """A live article with ``payload`` in every text field that reaches a page, and site data
    with it too. Returns the article, its image and the plain-text values a reader sees."""
    plain: dict[str, str] = {}

    def value(label: str) -> str:
        plain[label] = strip_direction_controls(f"{label} {payload}")  # stripped on the way in
        return f"{label} {payload}"

    policy = PolicyPage.objects.create(slug="hostile", title=value("Policy"), body=f"Policy body {payload}")
    AccreditationNotice.objects.create(
        body=value("Accreditor"),
        body_url="https://example.org/body",
        program=value("Program"),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        statement=f"Statement {payload}",
        editorial_policy=policy,
    )
    SiteSettings.objects.update_or_create(
        pk=1,
        defaults={
            "site_name": value("Site"),
            "publisher_name": f"Publisher {payload}",
            "publisher_place": f"Place {payload}",
            "copyright_holder": value("Holder"),
            "disclaimer": value("Disclaimer"),
        },
    )
    article = make_article(value("Zeta title"), sections=1, summary=f"Summary {payload}")
    Section.objects.create(
        article=article, position=2, custom_heading=value("Heading"), body=f"Body {payload}"
    )
    article.alternative_names.create(name=value("Zeta name"), position=1)
    citation = Citation.objects.create(
        kind="book_chapter",
        authors=f"Authors {payload}",
        title=value("Chapter"),
        editors=f"Editors {payload}",
        container_title=f"Book {payload}",
        place="Springfield",
        publisher=f"Press {payload}",
        year="2024",
        url="javascript:window.__pwned=1",
    )
    article.citation_links.create(citation=citation, position=1)
    article.reviewer = Reviewer.objects.create(
        name=value("Reviewer"),
        credentials="MD",
        title=f"Professor {payload}",
        department=f"Department {payload}",
        institution=f"Institution {payload}",
        city="Springfield",
        state="IL",
    )
    article.review_organization = ReviewOrganization.objects.create(name=value("Organization"))
    article.save()
    credit = EditorialCredit.objects.create(name=value("Credit"), role=f"Role {payload}")
    article.credit_links.create(credit=credit, position=1)
    image = ArticleImage(
        article=article,
        image=upload(picture((40, 30)), "hostile.png"),
        alt_text=f"Alt {payload}",
        caption=value("Caption"),
    )
    image.save()
    publish_article(article)
    return article, image, plain


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_hostile_values_in_every_field_are_inert_on_every_public_page(
    client, media, make_article, publish_article, payload
):
    article, image, plain = hostile_site(payload, make_article, publish_article)
    pages = [
        article.get_absolute_url(),
        f"/ency/imagepages/{image.pk:06d}.htm",
        "/ency/",
        "/ency/encyclopedia_Z.htm",
        "/ency/search/?q=zeta",
        "/about/hostile/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert executable(response.content.decode()) == [], url

    text = page_text(client.get(article.get_absolute_url()).content.decode())
    shown = [
        "Zeta title",
        "Heading",
        "Zeta name",
        "Chapter",
        "Reviewer",
        "Organization",
        "Credit",
        "Accreditor",
        "Program",
        "Policy",
        "Site",
        "Holder",
        "Disclaimer",
        "Caption",
    ]
    assert [label for label in shown if plain[label] not in text] == [], "escaped and shown, not dropped"
    index = page_text(client.get("/ency/encyclopedia_Z.htm").content.decode())
    assert plain["Zeta title"] in index and plain["Zeta name"] in index


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_hostile_values_leave_the_feed_api_and_downloads_well_formed(
    client, media, make_article, publish_article, payload
):
    article, _image, plain = hostile_site(payload, make_article, publish_article)
    feed = client.get("/ency/feed/")
    assert feed.status_code == 200
    titles = [e.text for e in ElementTree.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}title")]
    assert plain["Zeta title"] in titles
    api = client.get(f"/api/v1/articles/{article.public_id}/")
    assert api.status_code == 200
    assert json.loads(api.content)["title"] == plain["Zeta title"]
    assert client.get("/api/v1/articles/").status_code == 200
    for suffix in ("ris", "bib"):
        assert client.get(f"/ency/article/{article.public_id}.{suffix}").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_hostile_values_are_inert_in_the_admin(
    superuser_client, media, make_article, publish_article, payload
):
    article, _image, _plain = hostile_site(payload, make_article, publish_article)
    article.summary = f"Changed {payload}"  # a draft, so the diff has something to show
    article.save()
    pk = article.pk
    pages = [
        "/admin/",
        "/admin/encyclopedia/article/?q=zeta",
        f"/admin/encyclopedia/article/{pk}/change/",
        f"/admin/encyclopedia/article/{pk}/changes/",
        f"/admin/encyclopedia/article/{pk}/history/",
        f"/admin/encyclopedia/article/{pk}/preview/",
        f"/admin/encyclopedia/citation/{Citation.objects.get().pk}/change/",
        f"/admin/encyclopedia/reviewer/{article.reviewer_id}/change/",
        f"/admin/encyclopedia/accreditationnotice/{AccreditationNotice.objects.get().pk}/change/",
        "/admin/encyclopedia/sitesettings/1/change/",
        f"/admin/encyclopedia/policypage/{PolicyPage.objects.get().pk}/change/",
        "/admin/encyclopedia/editorialcredit/",
        "/admin/editorial/auditevent/",
    ]
    for url in pages:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable(html) == [], url
        if "<" in payload:
            assert payload not in html, f"{url} shows the payload as markup"


# ---------------------------------------------------------------- the search box


@pytest.mark.parametrize(
    "query_string",
    [
        "q=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
        "q=%22%3E%3Cimg+src%3Dx+onerror%3Dwindow.__pwned%3D1%3E",
        "q=javascript%3Awindow.__pwned%3D1",
        "q=%3Csvg+onload%3Dwindow.__pwned%3D1%3E",
        "q=%3C%2Ftextarea%3E%3C%2Ftitle%3E%3C!--",
        "q=%E2%80%AEevil%E2%80%AC",  # right-to-left override
        "q=zero%E2%80%8Bwidth%EF%BB%BF",  # zero-width space, byte order mark
        "q=nul%00byte",
        "q=%ED%A0%80lone+surrogate",  # a UTF-16 half, encoded as UTF-8: not text
        "q=%uD800",
        "q=%FF%FE+not+utf-8",
        "q=%zz%",
        "q=" + "a" * 20_000,
        "q=",
        "q=+++",
        "q=zeta&q=%3Cscript%3E",
        "q=zeta&page=%3Cscript%3E",
    ],
)
def test_any_query_string_gets_an_inert_page(client, query_string):
    for path in ("/ency/search/", "/ency/search/suggest/"):
        response = client.get(f"{path}?{query_string}")
        assert response.status_code == 200, path
    html = client.get(f"/ency/search/?{query_string}").content.decode()
    assert executable(html) == []
    assert not re.search(r"<(script>window|img src=x|svg onload|/textarea)", html), (
        "the query shown as markup"
    )


def test_the_query_is_shown_back_escaped_in_the_search_box(client):
    query = '"><img src=x onerror=window.__pwned=1>'
    html = client.get("/ency/search/", {"q": query}).content.decode()
    assert attribute_values(html, "input", "value") == [query]
    assert "<img" not in html
    assert "No article matches" in html


# ---------------------------------------------------------------- import files


IMPORT_PAGE = """URL of this page: https://example.org/ency/article/{id}.htm

Zeta title {p}

Summary {p}.

Causes

Body {p}.

Heading {p}

More text {p}.

Alternative Names

Zeta name {p}; Other name

References

Example Society website. Page {p} title. example.org/page. Accessed March 31, 2024.

Review Date 3/31/2024

Updated by: Reviewer {p}, MD, Department of Medicine, Example University, Springfield, IL. \
Review provided by Organization {p}. Also reviewed by Credit {p}, Editorial Director.
"""

# The page format gives some characters a meaning ("." ends a reference's parts, ";" splits the
# alternative names, "," the credits, "*" marks italics), so the import payloads avoid them.
IMPORT_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "event handler": "<img src=x onerror=alert(1)>",
    "attribute breakout": '"><svg onload=alert(1)>',
    "javascript URL": "[see](javascript:alert(1))",
    "data URL": "[see](data:text/html<script>alert(1)</script>)",
    "style injection": "<style>body{display:none}</style><b style=display:none>x</b>",
    "broken markup": "</textarea></title></p></div><!-- <a href=javascript:alert(1) <b",
    "odd Unicode": "\u202egnp\u202c \u200b\u200d \U0001f9b5 e\u0301 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
}


@pytest.mark.parametrize("payload", list(IMPORT_PAYLOADS.values()), ids=list(IMPORT_PAYLOADS))
def test_a_hostile_import_file_imports_as_inert_text(client, tmp_path, payload):
    out = StringIO()
    call_command(
        "import_articles", write_page(tmp_path, IMPORT_PAGE.format(id="004321", p=payload)), stdout=out
    )
    assert "Imported 004321" in out.getvalue()
    article = Article.objects.get(public_id="004321")
    stored = strip_direction_controls(payload)  # text-direction overrides are stripped on the way in
    assert article.title == f"Zeta title {stored}"
    assert article.reviewer.name == f"Reviewer {stored}"
    html = client.get("/ency/article/004321.htm").content.decode()
    assert executable(html) == []
    text = page_text(html)
    for shown in ("Zeta title", "Heading", "Zeta name", "Reviewer", "Organization", "Credit"):
        assert f"{shown} {stored}" in text, shown
    for url in ("/ency/encyclopedia_Z.htm", "/ency/search/?q=zeta", "/ency/feed/"):
        response = client.get(url)
        assert response.status_code == 200 and executable(response.content.decode()) == [], url


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "but this is an empty file"),
        (b"\n\n   \n", "but this is an empty file"),
        (
            b"\xef\xbb\xbfTitle\n\nA summary\xff.\n",
            ":3: the file is not UTF-8 text: byte 20 (0xFF, column 10)",
        ),
        (b"Title\n\nA summary\xff\xfe.\n", ":3: the file is not UTF-8 text: byte 17 (0xFF, column 10)"),
        (b"Title\n\nHalf a pair \xed\xa0\x80.\n", ":3: the file is not UTF-8 text: byte 20"),  # surrogate
        (b"Title\n\nA NUL\x00 byte.\n", ":3: the line holds a control character or an invalid one (U+0000)"),
        (
            b"Title\n\nAn escape\x1b[31m.\n",
            ":3: the line holds a control character or an invalid one (U+001B)",
        ),
        (("T" * 201 + "\n\nA summary.\n").encode(), ":1: the title is longer than 200 characters"),
        (
            b"Title\n\nA summary.\n\nAlternative Names\n\n" + b"N" * 201 + b"\n",
            ":7: alternative name: name: Ensure this value has at most 200 characters (it has 201)",
        ),
        (
            b"Title\n\nA summary.\n\nReview Date 3/31/24\n",
            ":5: “3/31/24” is not a review date in the form M/D/YYYY",
        ),
    ],
)
def test_a_refused_import_file_names_file_and_line_and_saves_nothing(tmp_path, content, message):
    path = write_page(tmp_path, content)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    assert f"error: {path}" in err.getvalue()
    assert message in err.getvalue().replace(path, "")
    assert "Nothing" in err.getvalue() and "saved" in err.getvalue()
    assert not Article.objects.exists()


def test_a_summary_at_its_limit_imports_whole_and_a_longer_one_is_refused(client, tmp_path):
    summary = " ".join(["Cramps come and go."] * 150)  # 2,999 characters: the limit is 3,000
    review = "Review Date 3/31/2026\n\nUpdated by: Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL.\n"
    call_command(
        "import_articles", write_page(tmp_path, f"Long page\n\n{summary}\n\n{review}"), stdout=StringIO()
    )
    article = Article.objects.get(title="Long page")
    assert article.summary == summary
    html = client.get(article.get_absolute_url()).content.decode()
    assert page_text(html).count("Cramps come and go.") == 150

    path = write_page(tmp_path, f"Longer page\n\n{summary} Twice.\n\n{review}", name="longer.txt")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    assert (
        f"error: {path}:3: The summary is 3,006 characters long; the limit is 3,000 characters"
        in err.getvalue()
    )
    assert not Article.objects.filter(title="Longer page").exists()


# ---------------------------------------------------------------- the admin's refusals


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "T" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("title", "Nul\x00title", "Null characters are not allowed."),
        ("title", "   ", "This field is required."),
        ("summary", "", "This field is required."),
        ("summary", "A\x00summary", "Null characters are not allowed."),
        ("sections-0-body", "", "This field is required."),
        (
            "sections-1-custom_heading",
            "H" * 201,
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        ("alternative_names-0-name", "N" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("alternative_names-0-name", "Nul\x00name", "Null characters are not allowed."),
        ("public_id", "<script>", "Ensure this value has at most 6 characters (it has 8)."),
        ("public_id", "0<b>1>", "An article id is six digits, like 003194."),
    ],
)
def test_the_article_form_says_what_is_refused_and_where(superuser_client, field, value, message):
    response = superuser_client.post("/admin/encyclopedia/article/add/", article_form(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"Please correct the errors? below\.", html)
    assert field_error(html, field) == message
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "refusal"),
    [
        ("summary", "S" * 3_000, ""),
        ("summary", "\U0001f9b5" * 3_000, ""),  # characters, not bytes: 12,000 bytes, 3,000 characters
        (
            "summary",
            "S" * 3_001,
            "The summary is 3,001 characters long; the limit is 3,000 characters (1 too many).",
        ),
        ("summary", "\U0001f9b5" * 3_001, "The summary is 3,001 characters long; the limit is 3,000"),
        ("summary", "S." * 500_000, "The summary is 1,000,000 characters long; the limit is 3,000"),
        ("sections-0-body", "B" * 20_000, ""),
        ("sections-0-body", "B\r\n" * 10_000, ""),  # CRLF is stored as LF: 20,000 characters
        ("sections-0-body", "B" * 20_001, "This section is 20,001 characters long; the limit is 20,000"),
        ("sections-0-body", PAYLOADS["script"] * 60_000, "This section is 1,980,000 characters long"),
    ],
)
def test_text_of_any_size_is_stored_exactly_or_refused_with_the_limit(
    superuser_client, field, value, refusal
):
    response = superuser_client.post("/admin/encyclopedia/article/add/", article_form(**{field: value}))
    if refusal:
        assert response.status_code == 200
        assert field_error(response.content.decode(), field).startswith(refusal)
        assert not Article.objects.exists()
        return
    assert response.status_code == 302
    article = Article.objects.get()
    stored = article.summary if field == "summary" else article.sections.order_by("position")[0].body
    assert stored == value.replace("\r\n", "\n").strip()  # as a form stores any text: LF, trimmed


@pytest.mark.parametrize(
    ("url", "data", "field", "message"),
    [
        (
            "/admin/encyclopedia/citation/add/",
            {
                "kind": "website",
                "title": "Cramps",
                "container_title": "Example",
                "url": "javascript:alert(1)",
            },
            "url",
            "Enter a valid URL.",
        ),
        (
            "/admin/encyclopedia/citation/add/",
            {"kind": "website", "title": "Cramps", "container_title": "Example", "url": "data:text/html,x"},
            "url",
            "Enter a valid URL.",
        ),
        (
            "/admin/encyclopedia/citation/add/",
            {"kind": "website", "title": "Cramps", "container_title": "", "url": "https://example.org"},
            "container_title",
            "A website citation needs this.",
        ),
        (
            "/admin/encyclopedia/citation/add/",
            {"kind": "<script>", "title": "Cramps"},
            "kind",
            "Select a valid choice. <script> is not one of the available choices.",
        ),
        (
            "/admin/encyclopedia/reviewer/add/",
            {"name": "R" * 201},
            "name",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        (
            "/admin/encyclopedia/accreditationnotice/add/",
            {
                "body": "Council",
                "body_url": "javascript:alert(1)",
                "program": "Content",
                "valid_from": "2020-01-01",
                "valid_until": "2099-01-01",
                "statement": "Accredited.",
            },
            "body_url",
            "Enter a valid URL.",
        ),
        (
            "/admin/encyclopedia/policypage/add/",
            {"slug": "<script>", "title": "Policy", "body": "Text."},
            "slug",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
    ],
)
def test_site_data_forms_say_what_is_refused_and_where(superuser_client, url, data, field, message):
    from django.apps import apps

    model = apps.get_model("encyclopedia", url.split("/")[3])
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, field).startswith(message)
    assert executable(html) == []
    assert not model.objects.exists()


def test_site_settings_refuse_a_too_long_site_name_with_a_message(superuser_client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"site_name": "Medical Encyclopedia"})
    data = {
        "site_name": "S" * 201,
        "publisher_name": "Example",
        "publisher_place": "Springfield",
        "copyright_holder": "Example",
        "copyright_start_year": "2020",
        "disclaimer": "Sample.",
    }
    response = superuser_client.post("/admin/encyclopedia/sitesettings/1/change/", data)
    assert field_error(response.content.decode(), "site_name") == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert SiteSettings.objects.get().site_name == "Medical Encyclopedia"


def test_an_image_caption_too_long_is_refused_in_its_row(superuser_client, media, make_article):
    article = make_article("Captioned")
    url = f"/admin/encyclopedia/article/{article.pk}/change/"
    post = form_data(superuser_client, article)
    post.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": upload(picture((40, 30)), "a.png"),
            "images-0-alt_text": "A hand",
            "images-0-caption": "C" * 501,
            "images-0-position": "1",
        }
    )
    response = superuser_client.post(url, post)
    assert response.status_code == 200
    assert field_error(response.content.decode(), "images-0-caption") == (
        "Ensure this value has at most 500 characters (it has 501)."
    )
    assert not ArticleImage.objects.exists()


# ---------------------------------------------------------------- very long, empty and odd values


def test_an_article_with_only_a_title_and_summary_shows_no_empty_parts(client, make_article, publish_article):
    article = publish_article(make_article("Bare", sections=0, review_date=None))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response.content.decode())
    assert "Alternative Names" not in text and "References" not in text
    assert "Updated by" not in text and "Review Date" not in text


def test_the_longest_values_the_admin_accepts_reach_the_page(client, make_article, publish_article):
    title = "Z" + "x" * 199  # one unbroken word, 200 characters
    article = make_article(title, summary="S " * 1_500)  # the summary's limit: 3,000 characters
    article.alternative_names.create(name="N" * 200, position=1)
    publish_article(article)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html and "N" * 200 in html
    assert client.get("/ency/encyclopedia_Z.htm").status_code == 200
    assert client.get("/ency/encyclopedia_N.htm").status_code == 200


@pytest.mark.parametrize(
    "odd",
    [
        "Zero\u200bwidth",
        "\u200b",
        "\u202eevil\u202c",
        "\ufeffBOM",
        "Escape\x1b[31m red",
        "Vertical\x0btab",
        "e\u0301\u0301\u0301",
        "\U0001d49c math",
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
        "\u2028line separator",
        "Not\uffffa character",
    ],
)
def test_odd_unicode_in_a_title_breaks_no_page(client, make_article, publish_article, odd):
    """Control characters made the Atom feed fail with a 500, and U+FFFF made it unreadable
    (XML 1.0 can hold neither)."""
    article = make_article(odd, summary=f"About {odd}.")
    article.alternative_names.create(name=f"{odd} name", position=1)
    publish_article(article)
    SiteSettings.objects.update_or_create(pk=1, defaults={"site_name": f"Site {odd}"})
    for url in (
        article.get_absolute_url(),
        "/ency/",
        "/ency/feed/",
        "/sitemap.xml",
        f"/api/v1/articles/{article.public_id}/",
        f"/ency/article/{article.public_id}.ris",
        f"/ency/article/{article.public_id}.bib",
        *(f"/ency/encyclopedia_{letter}.htm" for letter in ("0-9", "A", "E", "Z")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    feed = ElementTree.fromstring(client.get("/ency/feed/").content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    stored = Article.objects.get(pk=article.pk).title
    # Control characters, line breaks and overrides are dropped or made a space on the way in.
    assert not re.search("[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]", stored)
    assert stored.replace("\uffff", "") in titles


# ---------------------------------------------------------------- text direction controls

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def test_direction_overrides_are_stripped_from_titles_names_citations_credits_and_alt_text(
    superuser_client, tmp_path, seed_text, media
):
    """A right-to-left override made the rest of a reference print backwards."""
    assert {chr(c) for c in DIRECTION_CONTROLS} == set(
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    # The admin's form.
    data = article_form(
        title=f"Leg {RLO}cramps{PDF}", **{"alternative_names-0-name": f"{RLI}Muscle{PDI} cramps"}
    )
    assert superuser_client.post("/admin/encyclopedia/article/add/", data).status_code == 302
    typed = Article.objects.get()
    assert (typed.title, typed.alternative_names.get().name) == ("Leg cramps", "Muscle cramps")
    # The importer: title, alternative names (bulk-created), references, the reviewer's credit.
    page = (
        seed_text.replace("Hand or foot spasms", f"Hand or foot {RLO}spasms{PDF}")
        .replace("Disorders of calcium", f"Disorders of {RLO}calcium")
        .replace("Carpopedal spasm", f"{RLI}Carpopedal{PDI} spasm")
        .replace("Joseph V. Campellone", f"Joseph {RLO}V. Campellone")
    )
    call_command("import_articles", write_page(tmp_path, page), stdout=StringIO())
    imported = Article.objects.get(public_id="003194")
    assert imported.title == "Hand or foot spasms"
    assert "Carpopedal spasm" in imported.alternative_names.values_list("name", flat=True)
    assert imported.reviewer.name == "Joseph V. Campellone"
    assert Citation.objects.filter(title__startswith="Disorders of calcium").exists()
    # Saved in code: a standing credit, an image's alt text and caption.
    credit = EditorialCredit.objects.create(name=f"{RLO}Pat Doe", role=f"Medical {RLI}Director{PDI}")
    image = ArticleImage(
        article=typed, image=upload(picture((40, 30))), alt_text=f"A {RLO}hand", caption=f"{RLO}x"
    )
    image.save()
    assert (credit.name, credit.role, image.alt_text, image.caption) == (
        "Pat Doe",
        "Medical Director",
        "A hand",
        "x",
    )
    stored = [
        *Article.objects.values_list("title", flat=True),
        *Citation.objects.values_list("title", flat=True),
        *Reviewer.objects.values_list("name", flat=True),
        *EditorialCredit.objects.values_list("name", "role"),
        *ArticleImage.objects.values_list("alt_text", flat=True),
        imported.live_publication.updated_by,
        *imported.live_publication.references,
    ]
    assert not [value for value in map(str, stored) if set(value) & set(map(chr, DIRECTION_CONTROLS))]


# ---------------------------------------------------------------- line breaks in one-line fields


def test_line_breaks_in_one_line_fields_become_one_space_and_the_email_subject_is_one_line(
    superuser_client, django_capture_on_commit_callbacks, mailoutbox
):
    """A title with a line feed went into an email's Subject: the mail library refused the header
    and the outbox stopped at that email."""
    data = article_form(title="Leg\r\ncramps\tat night", **{"alternative_names-0-name": "Muscle\ncramps\x1b"})
    assert superuser_client.post("/admin/encyclopedia/article/add/", data).status_code == 302
    article = Article.objects.get()
    assert (article.title, article.alternative_names.get().name) == ("Leg cramps at night", "Muscle cramps")
    credit = EditorialCredit.objects.create(name="Pat\u2028Doe\r\n", role="Medical\x0bDirector")
    Citation.objects.filter(pk=Citation.objects.create(kind="book", title="A").pk).update(
        title="Night\n\ncramps", authors="Doe A,\r\nRoe B"
    )
    assert (credit.name, credit.role) == ("Pat Doe", "Medical Director")
    assert Citation.objects.values_list("title", "authors").get() == ("Night cramps", "Doe A, Roe B")
    # Stored before this fix: the subject of the review request is one line all the same.
    Article.objects.filter(pk=article.pk).update(title=models.Value("Leg\r\nBcc: x@example.org"))
    article = Article.objects.get()
    assert "\n" in article.title
    make_user("reviewer", roles.MEDICAL_REVIEWERS)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.submitted(article, None)
    sent = mailoutbox[-1].message()
    assert sent["Subject"] == f"Review requested: Leg Bcc: x@example.org ({article.public_id})"
    assert sent["Bcc"] is None


# ---------------------------------------------------------------- citation identifiers


_JOURNAL = {
    "kind": "journal_article",
    "authors": "Doe A",
    "title": "Night cramps in runners",
    "container_title": "Example Journal",
    "year": "2024",
}
_IDENTIFIER_MESSAGES = {
    "year": "Enter the year as four digits, like 2024",
    "pmid": "Enter the PubMed id alone, in digits",
    "doi": "Enter the DOI alone, without spaces",
    "url": "Enter a valid URL.",
}


@pytest.mark.parametrize("field", list(_IDENTIFIER_MESSAGES))
@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_hostile_citation_identifiers_get_one_message_on_their_field(superuser_client, field, payload):
    response = superuser_client.post("/admin/encyclopedia/citation/add/", {**_JOURNAL, field: payload})
    assert response.status_code == 200
    html = response.content.decode()
    message = field_error(html, field)
    assert message.startswith((_IDENTIFIER_MESSAGES[field], "Ensure this value has at most")), message
    lists = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', html, re.S)
    assert len(lists) == 1 and lists[0].count("<li>") == 1, "one message, on the field"
    assert executable(html) == []
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    "identifiers",
    [
        "doi:<script>alert(1)</script>.",
        'doi:10.1000/"><svg/onload=alert(1)>.',
        "PMID: ١٢٣.",
        "doi:10.1000/x. PMID: 0.",
    ],
)
def test_hostile_identifiers_in_an_import_file_are_refused_on_their_line_or_imported_inert(
    client, tmp_path, identifiers
):
    reference = f"Doe A. Night cramps in runners. *Example Journal*. 2024;3(2):10-12. {identifiers}"
    page = IMPORT_PAGE.format(id="004321", p="x").replace(
        "Example Society website. Page x title. example.org/page. Accessed March 31, 2024.", reference
    )
    path = write_page(tmp_path, page)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", path, stdout=out, stderr=err)
    except SystemExit:
        assert f"error: {path}:21: " in err.getvalue()
        assert not Article.objects.exists() and not Citation.objects.exists()
    else:
        assert "Imported 004321" in out.getvalue()
        assert Citation.objects.get().as_text() == reference
        html = client.get("/ency/article/004321.htm").content.decode()
        assert executable(html) == []


# ---------------------------------------------------------------- saved HTML pages


_HTML_PAGE = Path(__file__).parent / "pages" / "morning_finger_stiffness.html"
_HTML_MARKUP_PAYLOADS = {
    **PAYLOADS,
    "javascript link": '<a href="javascript:window.__pwned=1">see</a> <a href=" jAvAsCrIpT:x">too</a>',
    "event handlers": '<p onclick="window.__pwned=1" onmouseover="x()">text</p><body onload="y()">',
    "huge attribute": f'<a href="https://example.org/{"a" * 100_000}" title="{"t" * 100_000}">long</a>',
    "deep nesting": "<b>" * 3000 + "deep" + "</b>" * 3000,
    "form and frame": '<form action="https://evil.example"><input name=x></form><iframe src="//evil.example">',
}


@pytest.mark.parametrize("payload", list(_HTML_MARKUP_PAYLOADS.values()), ids=list(_HTML_MARKUP_PAYLOADS))
def test_hostile_markup_in_a_saved_html_page_is_dropped_or_refused(client, tmp_path, payload):
    page = _HTML_PAGE.read_text(encoding="utf-8").replace(
        "<p>A cold bedroom can make the feeling stronger.</p>", f"<p>A cold bedroom {payload} stronger.</p>"
    )
    path = write_page(tmp_path, page, "hostile.html")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", path, stdout=out, stderr=err)
    except SystemExit:
        assert f"error: {path}" in err.getvalue() and "Nothing from this file was saved." in err.getvalue()
        assert not Article.objects.exists()
        return
    article = Article.objects.get(public_id="007731")
    stored = "\n".join([article.summary, *article.sections.values_list("body", flat=True)])
    for trace in ("<script", "<svg", "<style", "<iframe", "<form", "onerror", "onload", "onclick", "aaaaaaaaaa",
                  "tttttttttt"):  # fmt: skip
        assert trace not in stored.lower(), trace
    # Markdown link syntax written as text on the page stays text: escaped, never a link.
    assert not re.search(r"(?<!\\)\]\(\s*(?:javascript|data|vbscript):", stored, re.IGNORECASE)
    html = client.get("/ency/article/007731.htm").content.decode()
    assert executable(html) == []


# ---------------------------------------------------------------- the Infobutton service

_INFOBUTTON_PARAMETERS = (
    "mainSearchCriteria.v.cs",
    "mainSearchCriteria.v.c",
    "mainSearchCriteria.v.dn",
    "informationRecipient.languageCode.c",
    "knowledgeResponseType",
    "callback",
)
_GOOD_REQUEST = {
    "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90",
    "mainSearchCriteria.v.c": "E11.65",
    "mainSearchCriteria.v.dn": "Type 2 diabetes",
}


def _infobutton_answer_is_well_formed(response, kind: str) -> None:
    """An answer or a refusal, never a crash, in a shape its reader can parse."""
    assert response.status_code in (200, 400), response.status_code
    body = response.content.decode()
    if response["Content-Type"].startswith("text/xml"):
        ElementTree.fromstring(response.content)
    elif response["Content-Type"].startswith("application/json"):
        json.loads(body)
    else:
        assert kind == "text/javascript"
        match = re.fullmatch(r"/\*\*/([A-Za-z_$][A-Za-z0-9_$.]{0,63})\((.*)\);", body, re.S)
        assert match, body[:80]
        json.loads(match.group(2))


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", _INFOBUTTON_PARAMETERS)
@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize("kind", ["text/xml", "application/json", "text/javascript"])
def test_hostile_infobutton_parameters_get_an_answer_or_a_400_never_a_500(client, parameter, payload, kind):
    query = {**_GOOD_REQUEST, "knowledgeResponseType": kind, "callback": "showResults", parameter: payload}
    response = client.get("/infobutton/service", query)
    _infobutton_answer_is_well_formed(response, kind)
    # A display name is only searched for; a callback is read for JSONP only.
    if parameter != "mainSearchCriteria.v.dn" and (parameter != "callback" or kind == "text/javascript"):
        assert response.status_code == 400
        assert parameter in response.content.decode()
    page = client.get("/infobutton/application", query)
    assert page.status_code in (200, 400)
    assert executable(page.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query_string",
    [
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=%00",
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=%ED%A0%80",
        "mainSearchCriteria.v.cs=%FF%FE&mainSearchCriteria.v.c=E11",
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=" + "E" * 20_000,
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11&mainSearchCriteria.v.dn="
        + "a" * 20_000,
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11&mainSearchCriteria.v.dn=%uD800",
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11&knowledgeResponseType=text/javascript&callback=%E2%80%A8",
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11&knowledgeResponseType=text/javascript&callback=a&callback=alert(1)",
        "%zz%",
        "",
    ],
)
def test_any_infobutton_query_string_gets_a_400_or_an_answer(client, query_string):
    for kind in ("text/xml", "application/json", "text/javascript"):
        response = client.get(f"/infobutton/service?{query_string}&knowledgeResponseType={kind}")
        _infobutton_answer_is_well_formed(response, kind)
    page = client.get(f"/infobutton/application?{query_string}")
    assert page.status_code in (200, 400)
    assert executable(page.content.decode()) == []
