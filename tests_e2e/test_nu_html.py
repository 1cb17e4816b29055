"""The W3C Nu HTML checker (vnu.jar, from the npm registry, run with the machine's Java) on saved
copies of every kind of public page and of every admin page this project adds or templates: zero
errors. Django's own admin pages are checked with them (the login page, a site-data form) and
have none either, so nothing is excused."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from editorial.actions.delete import delete
from editorial.actions.publish import publish
from editorial.actions.withdraw import withdraw
from encyclopedia.models import Article, PolicyPage, SectionHeading
from tests.factories import add_image, picture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_errors(folder: Path) -> list[str]:
    """Every error the Nu checker reports on the HTML files of ``folder``, as "file:line: message"."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail(
            "The Nu checker needs Java and vnu.jar: .ci/run installs Java, make test-e2e runs `npm ci`."
        )
    checked = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}: {message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


@pytest.fixture
def demo(settings, tmp_path):
    """The demo content, with an image on the first article, a withdrawn and a deleted article."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    director = User.objects.get(username="director")
    hiccups = Article.objects.english().get(public_id="900001")
    add_image(
        hiccups, picture((800, 600)), alt="A person holding their breath", caption="Holding one's breath"
    )
    publish(hiccups, director, comment="With an image")
    withdraw(Article.objects.english().get(public_id="900003"), director, reason="Replaced")
    with reversion.create_revision():
        doomed = Article.objects.create(title="Draft to delete", article_type="symptom", summary="x")
    delete(doomed, director)
    PolicyPage.objects.get_or_create(slug="editorial-policy", defaults={"title": "Policy", "body": "Policy."})
    return {"hiccups": hiccups, "director": director}


def save(client, folder: Path, name: str, path: str, status: int = 200, **post) -> None:
    response = client.post(path, post) if post else client.get(path)
    assert response.status_code == status, f"{path}: {response.status_code}"
    (folder / f"{name}.html").write_bytes(response.content)


def test_every_kind_of_public_page_has_no_nu_errors(client, demo, tmp_path):
    pages = tmp_path / "public"
    pages.mkdir()
    demo["hiccups"].refresh_from_db()
    image = demo["hiccups"].live_publication.images[0]["id"]
    for name, path, status in [
        ("index", "/ency/", 200),
        ("letter", "/ency/encyclopedia_H.htm", 200),
        ("letter-empty", "/ency/encyclopedia_Q.htm", 200),
        ("article", "/ency/article/900001.htm", 200),
        ("article-plain", "/ency/article/900002.htm", 200),
        ("image", f"/ency/imagepages/{image:06d}.htm", 200),
        ("search", "/ency/search/?q=hiccups+cold", 200),
        ("search-none", "/ency/search/?q=zzzz", 200),
        ("search-empty", "/ency/search/", 200),
        ("policy", "/about/editorial-policy/", 200),
        ("withdrawn", "/ency/article/900003.htm", 410),
        ("not-found", "/ency/article/899999.htm", 404),
        ("spanish-index", "/spanish/ency/", 200),
        ("spanish-letter", "/spanish/ency/encyclopedia_H.htm", 200),
        ("spanish-article", "/spanish/ency/article/900001.htm", 200),
        ("spanish-search", "/spanish/ency/search/?q=hipo+resfriado", 200),
        ("spanish-no-translation", "/spanish/ency/article/900004.htm", 404),
    ]:
        save(client, pages, name, path, status)
    assert nu_errors(pages) == []


def test_the_admin_pages_this_project_templates_have_no_nu_errors(client, demo, tmp_path):
    pages = tmp_path / "admin"
    pages.mkdir()
    save(client, pages, "login", "/admin/login/")
    client.force_login(User.objects.get(username="admin"))
    article = Article.objects.english().get(public_id="900002")
    base = f"/admin/encyclopedia/article/{article.pk}"
    # The demo's Spanish edition of 900002 is out of date: its form shows the English changes.
    spanish = Article.objects.spanish().get(public_id="900002")
    untranslated = Article.objects.english().get(public_id="900004")
    versions = [version.pk for version in Version.objects.get_for_object(article)]
    deleted = Version.objects.get_deleted(Article).first()
    withdrawn = Article.objects.english().get(public_id="900003")
    never_published = Article.objects.english().get(public_id="900028")
    for name, path in [
        ("dashboard", "/admin/"),
        ("article-list", "/admin/encyclopedia/article/"),
        ("article-add", "/admin/encyclopedia/article/add/"),
        ("article-change", f"{base}/change/"),
        ("changes", f"{base}/changes/"),
        ("history", f"{base}/history/"),
        ("compare", f"{base}/compare/?old={versions[-1]}&new={versions[0]}"),
        ("preview", f"{base}/preview/"),
        ("queue", "/admin/encyclopedia/article/queue/"),
        ("withdraw", f"{base}/workflow/withdraw/"),
        ("merge", f"{base}/workflow/merge/"),
        ("restore", f"/admin/encyclopedia/article/{withdrawn.pk}/workflow/restore/"),
        ("delete", f"/admin/encyclopedia/article/{never_published.pk}/delete/"),
        ("audit-log", "/admin/editorial/auditevent/"),
        ("approve", f"/admin/encyclopedia/article/{demo['hiccups'].pk}/workflow/approve/"),
        ("recover-list", "/admin/encyclopedia/article/recover/"),
        ("recover", f"/admin/encyclopedia/article/recover/{deleted.pk}/"),
        ("reviewer-add", "/admin/encyclopedia/reviewer/add/"),
        ("heading", f"/admin/encyclopedia/sectionheading/{SectionHeading.objects.first().pk}/change/"),
        ("spanish-change", f"/admin/encyclopedia/article/{spanish.pk}/change/"),
        ("confirm-translation", f"/admin/encyclopedia/article/{spanish.pk}/workflow/confirm_translation/"),
        ("add-translation", f"/admin/encyclopedia/article/{untranslated.pk}/workflow/add_translation/"),
        ("out-of-date-list", "/admin/encyclopedia/article/?edition=out_of_date"),
    ]:
        save(client, pages, name, path)
    save(
        client,
        pages,
        "reassign",
        "/admin/encyclopedia/article/",
        action="reassign_reviewer",
        _selected_action=[str(article.pk)],
    )
    client.logout()
    wrong = {"username": "editor", "password": "not-the-password"}
    for _ in range(5):
        client.post("/admin/login/", wrong)
    save(client, pages, "locked-out", "/admin/login/", 429, **wrong)
    assert len(list(pages.iterdir())) == 26
    assert nu_errors(pages) == []
