"""One path to the public page: only editorial/publishing.py makes content live, and the five
ways a draft or a cancelled update once reached readers stay closed.

Each ``test_reproduction_*`` is one of the reproductions that failed on the code before the
publishing seam; the leak matrix (tests/test_leak_matrix.py) tries every action against every
public surface, and tests/test_multiprocess.py the staleness across processes.
"""

from __future__ import annotations

import ast
import datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.restore import restore
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia.models import (
    Article,
    ArticleCredit,
    EditorialCredit,
    RelatedArticle,
    ReviewOrganization,
)
from encyclopedia.signals import publication_changed
from tests.conftest import page_text
from tests.factories import add_image, edit, make_user, with_profile, write_page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
SEAM = ROOT / "editorial" / "publishing.py"
REVIEW = "Review Date 3/31/2026\n\nUpdated by: Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL.\n"
PAGE = "URL of this page: /ency/article/{id}.htm\n\n# {title}\n\nA sample summary, written for this test.\n\n"
PAGE += "## Causes\n\nSample causes.\n\n"


# ---------------------------------------------------------------- the seam, from the source

WRITES = ("create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create")


def live_writes(source: str) -> list[int]:
    """Lines of ``source`` that create a Publication or set an article's live publication."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            owner = function.value if isinstance(function, ast.Attribute) else None
            if name == "Publication":
                found.append(node.lineno)
            elif isinstance(owner, ast.Attribute) and owner.attr == "objects":
                if getattr(owner.value, "id", "") == "Publication" and name in WRITES:
                    found.append(node.lineno)
            elif name == "create" and isinstance(owner, ast.Attribute) and owner.attr == "publications":
                found.append(node.lineno)
            sets_live = any(k.arg in ("live_publication", "live_publication_id") for k in node.keywords)
            if sets_live and name in WRITES:
                found.append(node.lineno)
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in (
                "live_publication",
                "live_publication_id",
            ):
                found.append(node.lineno)
    return sorted(found)


def test_the_scan_finds_each_kind_of_live_write():
    """The check below can fail: each way of writing what is live is found."""
    sample = (
        "p = Publication(article=a)\n"
        "Publication.objects.create(title='x')\n"
        "a.publications.create(title='x')\n"
        "a.live_publication = p\n"
        "Article.objects.filter(pk=1).update(live_publication=p)\n"
        "Publication.objects.filter(pk=1).first()\n"
    )
    assert live_writes(sample) == [1, 2, 3, 4, 5]


def test_only_the_publishing_module_creates_publications_or_changes_what_is_live():
    offenders = []
    for path in sorted([*ROOT.glob("encyclopedia/**/*.py"), *ROOT.glob("editorial/**/*.py")]):
        if "migrations" in path.parts or path == SEAM:
            continue
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in live_writes(path.read_text())]
    assert offenders == [], "only editorial/publishing.py may make content live"
    assert live_writes(SEAM.read_text()), "the seam itself is where publications are written"


def test_search_keeps_the_indexes_and_bumps_no_cache():
    """What follows a publish listens to one signal; search only keeps its indexes."""
    modules = sorted((ROOT / "encyclopedia" / "search").glob("**/*.py"))
    assert modules, "the search package"
    offenders = [
        str(path.relative_to(ROOT))
        for path in modules
        if "bump(" in (source := path.read_text()) or "purge" in source
    ]
    assert offenders == []


def test_each_change_of_what_is_live_sends_one_signal(make_article, publish_article, client):
    sent = []

    def receiver(sender, articles, before, **kwargs):
        sent.append(([a.public_id for a in articles], [getattr(p, "pk", None) for p in before.values()]))

    publication_changed.connect(receiver, dispatch_uid="test-receiver")
    try:
        article = publish_article(make_article("Signalled"))
        first = article.live_publication_id
        withdraw(article, make_user("dir", "Editorial directors"), reason="Checking")
    finally:
        publication_changed.disconnect(dispatch_uid="test-receiver")
    assert sent == [([article.public_id], [None]), ([article.public_id], [first])]
    assert client.get(article.get_absolute_url()).status_code == 410
    assert "Signalled" not in client.get("/ency/search/?q=signalled").content.decode()


# ---------------------------------------------------------------- the five reproductions


@pytest.fixture
def reviewer_user():
    return with_profile(make_user("rev", "Medical reviewers"), "Rae Reviewer")


def imported(tmp_path, public_id: str = "100321", title: str = "Ankle pain") -> Article:
    path = write_page(tmp_path, PAGE.format(id=public_id, title=title) + REVIEW, f"{public_id}.md")
    call_command("import_articles", path, stdout=StringIO())
    return Article.objects.get(public_id=public_id)


def test_reproduction_1_a_reimport_never_publishes_an_editors_draft(client, tmp_path):
    article = imported(tmp_path)
    other = imported(tmp_path, "100322", "Zqx related page")
    editor = make_user("ed", "Editors")
    edit(article, editor, "Sample causes.")  # a draft ("live + draft")
    image = add_image(article, alt="Zqxalt picture", caption="Zqxcaption")
    RelatedArticle.objects.create(article=article, related=other, position=1)
    path = str(tmp_path / "100321.md")

    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    assert "has a draft (live + draft) last changed by ed on" in err.getvalue()
    assert client.get(f"/ency/imagepages/{image.pk:06d}.htm").status_code == 404
    assert "Zqx related page" not in client.get(article.get_absolute_url()).content.decode()

    call_command("import_articles", path, "--replace-draft", stdout=StringIO())
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Zqxalt" not in page and "Zqx related page" not in page
    assert client.get(f"/ency/imagepages/{image.pk:06d}.htm").status_code == 404
    assert "Zqxalt" not in client.get(f"/api/v1/articles/{article.public_id}/").content.decode()
    article.refresh_from_db()
    assert not article.images.exists() and not article.related_links.exists(), "the draft was discarded"
    discarded = AuditEvent.objects.get(article=article, action="discard_draft")
    assert "last changed by ed" in discarded.comment


def test_reproduction_2_confirm_never_publishes_the_drafts_credits(
    client, make_article, publish_article, reviewer_user
):
    article = publish_article(make_article("Confirmed page"))
    article.review_organization = ReviewOrganization.objects.create(name="Zqx Review Org")
    article.save()
    credit = EditorialCredit.objects.create(name="Zqx Credit", role="Editor", standing=False)
    ArticleCredit.objects.create(article=article, credit=credit, position=1)
    edit(article, make_user("ed", "Editors"), "Paragraph 1.")

    confirm_still_accurate(article, reviewer_user)
    text = page_text(client.get(article.get_absolute_url()).content.decode())
    assert "Zqx" not in text
    assert "Rae Reviewer" in text, "the confirming reviewer is credited"
    article.refresh_from_db()
    assert article.state == "draft", "the draft is untouched"
    record = ReviewRecord.objects.get(article=article, outcome="no_changes_needed")
    assert record.publication == article.live_publication


def test_reproduction_3_restore_brings_back_the_page_live_at_the_withdrawal(
    client, make_article, publish_article, reviewer_user
):
    article = publish_article(make_article("Scheduled page"))
    live_before = article.live_publication_id
    editor = make_user("ed", "Editors")
    edit(article, editor, "Zqx cancelled update.")
    submit(article, editor)
    go_live = datetime.datetime(2030, 1, 2, 15, tzinfo=datetime.UTC)
    approve(article, reviewer_user, go_live_at=go_live)
    director = make_user("dir", "Editorial directors")
    withdraw(article, director, reason="A question from legal")
    with time_machine.travel(go_live + datetime.timedelta(hours=1)):
        call_command("publish_scheduled", stdout=StringIO())
        restore(article, director)
        page = client.get(article.get_absolute_url()).content.decode()
    assert "Zqx" not in page and "Paragraph 1." in page
    article.refresh_from_db()
    assert article.live_publication_id == live_before


def test_reproduction_5_a_page_without_its_review_waits_for_one(client, tmp_path):
    EditorialCredit.objects.create(name="Pat Standing", role="Medical Director", standing=True)
    path = write_page(tmp_path, PAGE.format(id="100400", title="Unreviewed page"), "unreviewed.md")
    out = StringIO()
    call_command("import_articles", path, stdout=out)
    assert "1 kept as drafts for medical review" in out.getvalue()
    article = Article.objects.get(public_id="100400")
    assert (article.state, article.is_live) == ("draft", False)
    assert client.get("/ency/article/100400.htm").status_code == 404
    assert "Unreviewed" not in client.get("/ency/search/?q=unreviewed").content.decode()


def test_reproduction_5_an_empty_title_is_refused_naming_file_and_line(tmp_path):
    path = write_page(tmp_path, "# \n\nA summary.\n\n" + REVIEW, "empty.md")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", path, stdout=StringIO(), stderr=err)
    assert f"error: {path}:1: the title is empty" in err.getvalue()
    assert not Article.objects.exists()


def test_no_page_shows_also_reviewed_by_without_a_review_date(client, make_article, publish_article):
    EditorialCredit.objects.create(name="Pat Standing", role="Medical Director", standing=True)
    article = publish_article(make_article("Undated", review_date=None))
    text = page_text(client.get(article.get_absolute_url()).content.decode())
    assert "Pat Standing" not in text and "Also reviewed by" not in text


def test_a_minor_correction_never_publishes_a_draft_a_reviewer_sent_back(
    client, make_article, publish_article, reviewer_user
):
    from editorial.actions.publish_correction import publish_correction
    from editorial.actions.request_changes import request_changes
    from editorial.errors import EditorialError

    article = publish_article(make_article("Sent back"))
    editor = make_user("ed", "Editors")
    edit(article, editor, "Zqx a paragraph the reviewer rejected.")
    submit(article, editor)
    request_changes(article, reviewer_user, comment="This paragraph is wrong: remove it.")
    with pytest.raises(EditorialError):
        publish_correction(article, make_user("dir", "Editorial directors"), reason="typo")
    assert "Zqx" not in client.get(article.get_absolute_url()).content.decode()


def test_approval_refuses_a_draft_that_changed_after_the_reviewer_saw_it(
    client, make_article, publish_article, reviewer_user
):
    """A credit renamed while the draft is in review would go live unseen: approval refuses."""
    from editorial.actions.approve import ChangedSinceShown
    from encyclopedia import snapshot

    article = publish_article(make_article("Shown to the reviewer"))
    credit = EditorialCredit.objects.create(name="Pat Credit", role="Editor", standing=False)
    ArticleCredit.objects.create(article=article, credit=credit, position=1)
    editor = make_user("ed", "Editors")
    edit(article, editor, "A new paragraph.")
    submit(article, editor)
    seen = snapshot.fingerprint(Article.objects.get(pk=article.pk))
    credit.name = "Zqx Renamed"
    credit.save()

    with pytest.raises(ChangedSinceShown):
        approve(article, reviewer_user, seen=seen)
    assert "Zqx" not in client.get(article.get_absolute_url()).content.decode()
    assert Article.objects.get(pk=article.pk).state == "in_review", "nothing was approved"

    approve(article, reviewer_user, seen=snapshot.fingerprint(Article.objects.get(pk=article.pk)))
    assert "A new paragraph." in client.get(article.get_absolute_url()).content.decode()


def test_the_approve_page_approves_only_what_it_showed(client, make_article, publish_article, reviewer_user):
    import re

    article = publish_article(make_article("Approve page"))
    credit = EditorialCredit.objects.create(name="Pat Credit", role="Editor", standing=False)
    ArticleCredit.objects.create(article=article, credit=credit, position=1)
    editor = make_user("ed", "Editors")
    edit(article, editor, "A new paragraph.")
    submit(article, editor)
    client.force_login(reviewer_user)
    url = f"/admin/encyclopedia/article/{article.pk}/workflow/approve/"
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', client.get(url).content.decode())[1]
    credit.name = "Zqx Renamed"
    credit.save()

    response = client.post(url, {"notes": "", "go_live_at": "", "seen": seen}, follow=True)
    assert "The draft changed after you opened it" in response.content.decode()
    assert Article.objects.get(pk=article.pk).state == "in_review"
    fresh = re.search(r'name="seen" value="([0-9a-f]{64})"', response.content.decode())[1]
    client.post(url, {"notes": "", "go_live_at": "", "seen": fresh})
    assert Article.objects.get(pk=article.pk).state == "published"


def test_a_first_review_approves_only_the_credits_it_showed(client, make_article, reviewer_user):
    """An article never reviewed shows its credits in the review (they go live with the approval),
    and a credit changed after the page was shown stops the approval; an approve form that does not
    say what it showed approves nothing."""
    import re

    article = make_article("First review", review_date=None)
    credit = EditorialCredit.objects.create(name="Pat Credit", role="Editor", standing=False)
    ArticleCredit.objects.create(article=article, credit=credit, position=1)
    submit(article, make_user("ed", "Editors"))
    client.force_login(reviewer_user)
    url = f"/admin/encyclopedia/article/{article.pk}/workflow/approve/"
    page = client.get(url).content.decode()
    assert "Pat Credit" in client.get(f"/admin/encyclopedia/article/{article.pk}/preview/").content.decode()
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', page)[1]
    credit.name = "Dr. Quack"
    credit.save()

    response = client.post(url, {"notes": "", "go_live_at": "", "seen": seen}, follow=True)
    assert "The draft changed after you opened it" in response.content.decode()
    response = client.post(url, {"notes": "", "go_live_at": ""}, follow=True)
    assert "open the draft again" in response.content.decode()
    assert Article.objects.get(pk=article.pk).state == "in_review", "nothing was approved"
    assert client.get(article.get_absolute_url()).status_code == 404
