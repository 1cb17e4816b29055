"""Exporting all content as JSON and restoring it into an empty database: same pages, same history.

Each round trip exports a rich database, deletes every content row and account (what a new,
migrated database holds), restores, and compares what readers and editors see.
"""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import reversion
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from editorial import export, roles
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.merge import merge
from editorial.actions.request_changes import request_changes
from editorial.actions.restore_content import restore_content
from editorial.actions.revert import revert
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.errors import NotAllowed
from editorial.export import RestoreRefused
from editorial.models import AuditEvent, ReminderLog, ReviewRecord
from encyclopedia.models import (
    AccreditationNotice,
    Article,
    IssuedArticleId,
    PolicyPage,
    Publication,
    RelatedArticle,
    Reviewer,
    SectionHeading,
    SiteSettings,
)
from encyclopedia.search import LETTERS
from tests.conftest import page_text
from tests.factories import edit, export_text, restore_text, wipe

pytestmark = pytest.mark.django_db


def make_user(username: str, *groups: str, **fields: Any) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.org", "pw", is_staff=True, first_name=username.title(), **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def rich(imported_seed, make_article, publish_article) -> dict[str, Any]:
    """Every kind of content: live, updated, reviewed, withdrawn, merged, draft and deleted
    articles, site data with its history, review records, reminders and accounts."""
    today = timezone.localdate()
    editor = make_user("editor", roles.EDITORS, last_name="Ortiz")
    reviewer_user = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    with reversion.create_revision():  # versioned: its stored version names the login by key
        profile = Reviewer.objects.create(
            name="Rae Viewer", credentials="MD", institution="Example University", user=reviewer_user
        )
    reviewer_user = User.objects.get(pk=reviewer_user.pk)
    director = make_user("director", roles.EDITORIAL_DIRECTORS)
    with reversion.create_revision():
        settings = SiteSettings.load()
        settings.publisher_name = "Northwind Health Press"
        settings.copyright_start_year = 2019
        settings.save()
        policy = PolicyPage.objects.create(
            slug="editorial-policy", title="Editorial policy", body="Every article is *reviewed*."
        )
        privacy = PolicyPage.objects.create(
            slug="privacy", title="Privacy policy", body="We keep no trackers."
        )
        AccreditationNotice.objects.create(
            body="Health Web Accreditation",
            program="Health Content Provider",
            valid_from=today - datetime.timedelta(days=30),
            valid_until=today + datetime.timedelta(days=300),
            statement="This site is accredited for its editorial process.",
            editorial_policy=policy,
            privacy_policy=privacy,
        )
        reversion.set_user(director)

    cramps = publish_article(make_article("Leg cramps", specialty="neurology"))
    seed = Article.objects.get(pk=imported_seed.pk)
    RelatedArticle.objects.create(article=seed, related=cramps, position=1)
    edit(seed, editor, f"A reworded paragraph about [leg cramps](article:{cramps.public_id}).")
    submit(seed, editor, note="Please check", reviewer=reviewer_user)
    approve(seed, reviewer_user, notes="Accurate.")

    confirm_still_accurate(cramps, reviewer_user, notes="Still right.")
    edit(cramps, editor, "A draft sentence nobody approved yet.")
    submit(cramps, editor)
    request_changes(cramps, reviewer_user, comment="Cite a source.")

    gone = publish_article(make_article("Old advice"))
    withdraw(gone, director, reason="Out of date")
    twin = publish_article(make_article("Night cramps"))
    merge(twin, director, into=cramps)
    make_article("Unpublished draft")
    with reversion.create_revision():
        doomed = make_article("Deleted topic")
    deleted_id = doomed.public_id
    doomed.delete()
    ReminderLog.objects.create(reviewer=profile, sent_on=today, article_count=2)

    assert Publication.objects.filter(article=seed).count() >= 2
    return {"seed": seed.public_id, "cramps": cramps.public_id, "deleted": deleted_id, "gone": gone.public_id}


def public_pages(client) -> dict[str, tuple[int, str, str]]:
    """Status, redirect and visible text of every public page, as readers and crawlers get them."""
    urls = [
        "/ency/",
        "/sitemap.xml",
        "/ency/feed/",
        "/robots.txt",
        "/api/v1/articles/",
        "/ency/search/?q=cramps",
    ]
    urls += [reverse("encyclopedia:letter", args=[letter]) for letter in LETTERS]
    for public_id in IssuedArticleId.objects.values_list("value", flat=True):
        urls += [
            f"/ency/article/{public_id}.htm",
            f"/ency/article/{public_id}.ris",
            f"/ency/article/{public_id}.bib",
            f"/ency/article/{public_id}-references.ris",
            f"/api/v1/articles/{public_id}/",
        ]
    urls += [page.get_absolute_url() for page in PolicyPage.objects.all()]
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (
            response.status_code,
            response.get("Location", ""),
            page_text(response.content.decode()),
        )
    return pages


def history() -> dict[str, Any]:
    """What editors see of the past: publications, versions, reviews, audit events, issued ids."""
    return {
        "publications": list(
            Publication.objects.order_by("pk").values_list(
                "pk",
                "article__public_id",
                "published_at",
                "published_by__username",
                "review_date",
                "updated_by",
                "also_reviewed_by",
                "references",
                "revision_id",
            )
        ),
        "live": dict(Article.objects.values_list("public_id", "live_publication_id")),
        "versions": {a.public_id: Version.objects.get_for_object(a).count() for a in Article.objects.all()},
        "all_versions": list(Version.objects.order_by("pk").values_list("pk", "object_id", "revision_id")),
        "revisions": list(
            Revision.objects.order_by("pk").values_list("pk", "user__username", "date_created", "comment")
        ),
        "reviews": list(
            ReviewRecord.objects.order_by("pk").values_list(
                "article__public_id",
                "reviewer__name",
                "user__username",
                "reviewed_on",
                "outcome",
                "notes",
                "publication_id",
            )
        ),
        "audit": list(
            AuditEvent.objects.exclude(action="restore_content")
            .order_by("pk")
            .values_list(
                "pk",
                "article_public_id",
                "action",
                "from_state",
                "to_state",
                "user__username",
                "at",
                "comment",
                "data",
            )
        ),
        "states": list(
            Article.objects.order_by("pk").values_list(
                "public_id",
                "state",
                "withdrawn_at",
                "merged_into__public_id",
                "assigned_reviewer__username",
                "review_comment",
                "next_review_due",
            )
        ),
        "issued": sorted(IssuedArticleId.objects.values_list("value", flat=True)),
        "reminders": list(ReminderLog.objects.values_list("reviewer__name", "sent_on", "article_count")),
    }


# ---------------------------------------------------------------- round trips


def test_a_restored_export_shows_the_same_pages_and_history(client, rich):
    before_pages, before_history = public_pages(client), history()
    seed_page = before_pages[f"/ency/article/{rich['seed']}.htm"]
    assert seed_page[0] == 200 and "Review Date" in seed_page[2] and "Rae Viewer, MD" in seed_page[2]
    assert "Northwind Health Press" in seed_page[2] and "Health Web Accreditation" in seed_page[2]
    assert before_pages[f"/ency/article/{rich['gone']}.htm"][0] == 410
    assert before_pages[f"/ency/article/{rich['deleted']}.htm"][0] == 404
    text = export_text()

    wipe()
    assert client.get(f"/ency/article/{rich['seed']}.htm").status_code == 404
    summary = restore_text(text)

    assert summary.counts["encyclopedia.article"] == 5 and summary.live_articles == 2
    after_pages = public_pages(client)
    assert after_pages.keys() == before_pages.keys()
    for url, page in before_pages.items():
        assert after_pages[url] == page, url
    assert history() == before_history
    assert "Leg cramps" in client.get("/ency/search/?q=cramps").content.decode(), "search was rebuilt"


def test_the_restored_database_exports_the_same_content(rich):
    first = json.loads(export_text())
    wipe()
    restore_text(json.dumps(first))
    second = json.loads(export_text())
    restored = [
        record
        for record in second["objects"]
        if not (record["model"] == "editorial.auditevent" and record["fields"]["action"] == "restore_content")
    ]
    assert restored == first["objects"]
    assert second["counts"]["editorial.auditevent"] == first["counts"]["editorial.auditevent"] + 1


def test_history_still_works_after_a_restore(client, rich):
    text = export_text()
    wipe()
    restore_text(text)
    seed = Article.objects.get(public_id=rich["seed"])
    oldest = Version.objects.get_for_object(seed).last()
    assert oldest.revision.comment == "Imported from seed.txt"
    director = make_user("director2", roles.EDITORIAL_DIRECTORS)
    revert(seed, director, version=oldest)  # back to the imported wording, as a draft
    seed.refresh_from_db()
    assert "reworded paragraph" not in seed.sections.first().body
    live = page_text(client.get(f"/ency/article/{rich['seed']}.htm").content.decode())
    assert "A reworded paragraph about leg cramps" in live, "the live page waits for approval"


def test_article_ids_are_never_reissued_after_a_restore(make_article, rich):
    text = export_text()
    issued = set(IssuedArticleId.objects.values_list("value", flat=True))
    wipe()
    restore_text(text)
    fresh = make_article("A new topic")
    assert fresh.public_id not in issued  # the lowest id never issued, before or after the restore
    assert all(f"{n:06d}" in issued for n in range(1, int(fresh.public_id)))
    with pytest.raises(ValidationError, match="never reused"):
        Article.objects.create(
            public_id=rich["deleted"], title="Reused?", article_type="symptom", summary="x"
        )


def test_accounts_come_back_by_name_without_passwords(rich):
    text = export_text()
    assert '"password"' not in text and "pbkdf2" not in text and "md5$" not in text
    wipe()
    summary = restore_text(text)
    assert sorted(summary.accounts_created) == ["director", "editor", "reviewer"]
    editor = User.objects.get(username="editor")
    assert (editor.first_name, editor.last_name, editor.email) == ("Editor", "Ortiz", "editor@example.org")
    assert not editor.has_usable_password()
    assert list(editor.groups.values_list("name", flat=True)) == [roles.EDITORS]
    assert editor.has_perm("encyclopedia.submit_article")
    assert Reviewer.objects.get(name="Rae Viewer").user.username == "reviewer"
    assert AuditEvent.objects.filter(action="approve").get().user.username == "reviewer"


def test_an_existing_account_is_kept_and_the_restore_is_audited(rich):
    text = export_text()
    wipe()
    # The person restoring made their account first; it happens to share a name with the export's.
    admin = User.objects.create_superuser("director", "boss@example.org", "their-own-password")
    exported_reviewer = next(
        r
        for r in json.loads(text)["objects"]
        if r["model"] == "auth.user" and r["fields"]["username"] == "reviewer"
    )
    User.objects.create_user("someone-else", pk=exported_reviewer["pk"])  # the reviewer's key is taken
    summary = restore_text(text, user=admin, source="backup.json")

    assert summary.accounts_kept == ["director"]
    admin.refresh_from_db()
    assert admin.check_password("their-own-password") and admin.email == "boss@example.org"
    assert AuditEvent.objects.filter(action="withdraw").get().user == admin, (
        "the export's director is this one"
    )
    # A reviewer's login, named by key in the stored versions, follows the account to its new key.
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.pk != exported_reviewer["pk"]
    profile = Reviewer.objects.get(user=reviewer)
    assert Version.objects.get_for_object(profile).get().field_dict["user_id"] == reviewer.pk
    event = AuditEvent.objects.get(action="restore_content")
    assert event.user == admin and event.article is None
    assert event.data["source"] == "backup.json" and event.data["counts"]["encyclopedia.article"] == 5
    assert "Restored" in event.comment


def test_only_a_superuser_restores(rich):
    text = export_text()
    wipe()
    director = make_user("boss", roles.EDITORIAL_DIRECTORS)
    with pytest.raises(NotAllowed, match="Only a superuser"):
        restore_text(text, user=director)
    assert not export.content_counts()


def test_a_round_trip_through_the_commands(client, rich, tmp_path):
    before_pages, before_history = public_pages(client), history()
    path = tmp_path / "content.json"
    out = io.StringIO()
    call_command("export_articles", output=path, stdout=out)
    assert f"to {path}" in out.getvalue() and "5 articles" in out.getvalue()
    assert not (tmp_path / "content.json.partial").exists()

    wipe()
    out = io.StringIO()
    call_command("restore_articles", str(path), stdout=out)
    assert "5 articles" in out.getvalue() and "2 live articles" in out.getvalue()
    assert "3 accounts were created without a password (editor, reviewer, director)" in out.getvalue()
    assert public_pages(client) == before_pages
    assert history() == before_history


def test_export_to_standard_output(rich):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_articles", stdout=out, stderr=err)
    document = json.loads(out.getvalue())
    assert document["format"] == export.FORMAT and document["format_version"] == export.FORMAT_VERSION
    assert datetime.datetime.fromisoformat(document["exported_at"]).tzinfo is not None
    assert len(document["objects"]) == sum(document["counts"].values())
    models = {record["model"] for record in document["objects"]}
    assert {
        "encyclopedia.publication",
        "reversion.version",
        "editorial.auditevent",
        "editorial.reviewrecord",
        "encyclopedia.issuedarticleid",
        "encyclopedia.policypage",
        "encyclopedia.accreditationnotice",
        "encyclopedia.sitesettings",
        "editorial.reminderlog",
        "auth.user",
    } <= models
    assert not models & {"encyclopedia.searchentry", "encyclopedia.indexentry"}, "derived: rebuilt on restore"
    assert "standard output" in err.getvalue()


def test_every_model_is_exported_or_rebuilt():
    covered = set(export.CONTENT_MODELS) | set(export.DERIVED_MODELS) | set(export.OPERATIONAL_MODELS)
    for app in ("encyclopedia", "editorial"):
        for model in apps.get_app_config(app).get_models():
            assert model in covered, f"{model._meta.label} is neither exported nor rebuilt on restore"
    assert not set(export.OPERATIONAL_MODELS) & set(export.CONTENT_MODELS)


# ---------------------------------------------------------------- refusals


@pytest.fixture
def exported(rich) -> dict[str, Any]:
    """An export of the rich database, which is then emptied."""
    document = json.loads(export_text())
    wipe()
    return document


def assert_nothing_saved() -> None:
    assert not export.content_counts()
    assert not User.objects.exists()
    assert SectionHeading.objects.filter(name="Causes").exists(), "the migration's headings are still there"
    assert SiteSettings.load().publisher_name == SiteSettings().publisher_name


def first(document: dict[str, Any], label: str) -> dict[str, Any]:
    return next(record for record in document["objects"] if record["model"] == label)


def test_a_database_that_holds_content_is_refused(rich):
    text = export_text()
    held = export.content_counts()
    with pytest.raises(RestoreRefused) as refused:
        restore_text(text)
    message = str(refused.value)
    assert "already holds content" in message and "5 articles" in message
    assert "the SQLite database" in message or "the PostgreSQL database" in message
    assert "new, empty database" in message
    assert export.content_counts() == held


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "not valid JSON (line 1, column 1"),
        ('{"format": "medical-encyclopedia-export",', "not valid JSON (line 1"),
        ("[1, 2]", "not an export of this encyclopedia"),
        ('{"objects": []}', "not an export of this encyclopedia"),
        ('{"format": "medical-encyclopedia-export", "format_version": 2, "objects": []}', "format version 2"),
        ('{"format": "medical-encyclopedia-export", "format_version": 1}', 'no "objects" list'),
    ],
)
def test_what_is_not_an_export_is_refused(text, expected):
    with pytest.raises(RestoreRefused, match=expected.replace("(", r"\(")):
        restore_text(text)
    assert_nothing_saved()


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(RestoreRefused, match="not UTF-8"):
        restore_content(io.BytesIO(b'{"format": "\xff\xfe\xfa"}'))


def broken_date(document):
    first(document, "encyclopedia.article")["fields"]["review_date"] = "31/02/2026"


def missing_title(document):
    del first(document, "encyclopedia.article")["fields"]["title"]


def unknown_reviewer(document):
    article = next(
        r for r in document["objects"] if r["model"] == "encyclopedia.article" and r["fields"]["reviewer"]
    )
    article["fields"]["reviewer"] = 999999


def unknown_account(document):
    first(document, "editorial.auditevent")["fields"]["user"] = ["nobody-by-this-name"]


def unknown_field(document):
    first(document, "encyclopedia.citation")["fields"]["colour"] = "blue"


def foreign_model(document):
    document["objects"].append({"model": "sessions.session", "pk": "x", "fields": {}})
    document["counts"]["sessions.session"] = 1


def repeated_record(document):
    document["objects"].append(first(document, "encyclopedia.citation"))
    document["counts"]["encyclopedia.citation"] += 1


def dropped_record(document):
    document["objects"].remove(first(document, "encyclopedia.publication"))


def newer_schema(document):
    document["schema"]["encyclopedia"] = "0999_from_the_future"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            broken_date,
            r"record \d+ \(encyclopedia.article pk \d+\), field review_date, is broken: .*31/02/2026",
        ),
        (missing_title, r"record \d+ \(encyclopedia.article pk \d+\) lacks title"),
        (unknown_reviewer, r"names a row that is not in the export: .*999999"),
        (
            unknown_account,
            r"record \d+ \(editorial.auditevent pk \d+\): field user names \['nobody-by-this-name'\], which is "
            "neither in the export nor in this database",
        ),
        (
            unknown_field,
            r"record \d+ \(encyclopedia.citation pk \d+\), field colour, is broken: .* has no such field",
        ),
        (foreign_model, r"record \d+ is of 'sessions.session', which an export does not hold"),
        (
            repeated_record,
            r"record \d+ \(encyclopedia.citation pk \d+\) was refused by the database: .*(UNIQUE|duplicate key)",
        ),
        (dropped_record, r"says it holds \d+ encyclopedia.publication records but it holds \d+"),
        (
            newer_schema,
            r"migration encyclopedia.0999_from_the_future, which the .* database .* has not applied",
        ),
    ],
)
def test_a_broken_record_is_refused_and_nothing_is_saved(exported, damage, expected):
    damage(exported)
    with pytest.raises(RestoreRefused, match=expected):
        restore_text(json.dumps(exported))
    assert_nothing_saved()


def test_a_cut_or_damaged_file_is_refused_and_nothing_is_saved(rich):
    lines = export_text().splitlines(keepends=True)
    wipe()
    cut = "".join(lines[: len(lines) // 2])
    with pytest.raises(
        RestoreRefused, match=r"it ends after record \d+, before the end of the list: the file is incomplete"
    ):
        restore_text(cut)
    assert_nothing_saved()
    damaged = lines.copy()
    damaged[40] = damaged[40][:25] + "\n"
    with pytest.raises(RestoreRefused, match=r"it is not valid JSON \(line 41, column \d+"):
        restore_text("".join(damaged))
    assert_nothing_saved()
    with pytest.raises(RestoreRefused, match=r"goes on after the end of its records"):
        restore_text("".join(lines) + "{}\n")
    assert_nothing_saved()


def test_an_export_reformatted_by_a_json_tool_still_restores(client, rich):
    before = public_pages(client)
    text = json.dumps(json.loads(export_text()), indent=2)
    wipe()
    restore_text(text)
    assert public_pages(client) == before


def test_the_command_says_which_file_and_saves_nothing(exported, tmp_path):
    broken_date(exported)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(CommandError, match=rf"^{path}: record \d+ .* Nothing was restored\.$"):
        call_command("restore_articles", str(path))
    with pytest.raises(CommandError, match=rf"^{tmp_path / 'missing.json'}: cannot read the file"):
        call_command("restore_articles", str(tmp_path / "missing.json"))
    assert_nothing_saved()


def test_a_refused_restore_exits_non_zero(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("These are not the articles you are looking for.\n", encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "restore_articles", str(path)],
        cwd=Path(__file__).resolve().parents[1],
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "test-only",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'never-touched.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}: it is not valid JSON (line 1, column 1" in result.stderr
    assert "Nothing was restored." in result.stderr
