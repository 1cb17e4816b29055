"""The editorial workflow: each transition and role, allowed and refused, and what readers see."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from editorial import roles, workflow
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.merge import merge
from editorial.actions.publish_correction import publish_correction
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.request_changes import request_changes
from editorial.actions.restore import restore
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.errors import EditorialError, NotAllowed
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia.models import Article, Citation, Publication, Reviewer, WorkflowState
from tests.conftest import page_text
from tests.factories import edit, make_user, seen_on, with_profile

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 24, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def editor():
    return make_user("editor", roles.EDITORS)


@pytest.fixture
def reviewer():
    user = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Rae Viewer", credentials="MD", institution="Example University", user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def director():
    return make_user("director", roles.EDITORIAL_DIRECTORS)


@pytest.fixture
def live_article(make_article, publish_article, editor):
    """A live article whose working copy an editor has just changed (live + draft)."""
    article = publish_article(make_article("Leg cramps"))
    edit(article, editor, "Updated paragraph about night cramps.")
    return Article.objects.get(pk=article.pk)


def public_text(client, article: Article) -> str:
    return client.get(f"/ency/article/{article.public_id}.htm").content.decode()


# ---------------------------------------------------------------- roles


def test_roles_are_groups_with_explicit_permissions(editor, reviewer, director):
    assert editor.has_perm("encyclopedia.submit_article")
    assert not editor.has_perm("encyclopedia.review_article")
    assert not editor.has_perm("encyclopedia.publish_article")
    assert reviewer.has_perm("encyclopedia.review_article")
    assert not reviewer.has_perm("encyclopedia.change_article")
    assert director.has_perm("encyclopedia.publish_article")
    assert director.has_perm("encyclopedia.withdraw_article")
    assert director.has_perm("encyclopedia.change_citation")
    assert director.has_perm("encyclopedia.change_reviewer")
    assert not editor.has_perm("encyclopedia.delete_article")


def test_a_user_may_hold_several_roles():
    both = make_user("both", roles.EDITORS, roles.MEDICAL_REVIEWERS)
    assert both.has_perm("encyclopedia.submit_article") and both.has_perm("encyclopedia.review_article")


# ---------------------------------------------------------------- submit


def test_editor_submits_with_note_and_reviewer(live_article, editor, reviewer):
    submit(live_article, editor, note="Please check the dosage", reviewer=reviewer)
    article = Article.objects.get(pk=live_article.pk)
    assert article.state == WorkflowState.IN_REVIEW
    assert article.assigned_reviewer == reviewer
    assert article.submission_note == "Please check the dosage"
    event = AuditEvent.objects.filter(action="submit").get()
    assert (event.from_state, event.to_state, event.user) == ("draft", "in_review", editor)
    revision = Version.objects.get_for_object(article).first().revision
    assert revision.user == editor
    assert revision.comment == "Submitted for medical review: Please check the dosage"


def test_reviewer_cannot_submit(live_article, reviewer):
    with pytest.raises(NotAllowed):
        submit(live_article, reviewer)
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.DRAFT


def test_submitting_twice_is_refused(live_article, editor):
    submit(live_article, editor)
    with pytest.raises(EditorialError, match="not possible while the article is “Live \\+ in review”"):
        submit(live_article, editor)


def test_assigning_a_non_reviewer_is_refused(live_article, editor, director):
    with pytest.raises(EditorialError, match="is not a medical reviewer"):
        submit(live_article, editor, reviewer=director)


# ---------------------------------------------------------------- request changes


def test_reviewer_requests_changes_with_a_comment(client, live_article, editor, reviewer):
    before = public_text(client, live_article)
    submit(live_article, editor)
    with pytest.raises(EditorialError, match="comment is required"):
        request_changes(live_article, reviewer, comment="  ")
    request_changes(live_article, reviewer, comment="Cite a source for the second claim.")
    article = Article.objects.get(pk=live_article.pk)
    assert article.state == WorkflowState.CHANGES_REQUESTED
    assert article.review_comment == "Cite a source for the second claim."
    record = ReviewRecord.objects.get()
    assert record.outcome == "changes_requested" and record.user == reviewer
    assert public_text(client, article) == before, "the public page is unchanged"
    # The editor resumes the draft and submits again.
    edit(article, editor, "Reworded, with a source.")
    assert Article.objects.get(pk=article.pk).review_comment == "Cite a source for the second claim."
    submit(article, editor)
    assert Article.objects.get(pk=article.pk).state == WorkflowState.IN_REVIEW


def test_editor_cannot_request_changes(live_article, editor):
    submit(live_article, editor)
    with pytest.raises(NotAllowed):
        request_changes(live_article, editor, comment="Self-review")


# ---------------------------------------------------------------- approve


def test_approval_publishes_with_todays_review_date_and_frozen_credit(client, live_article, editor, reviewer):
    assert "Updated paragraph about night cramps." not in public_text(client, live_article)
    submit(live_article, editor)
    with time_machine.travel(NOON):
        approve(live_article, reviewer, notes="Accurate.")
    article = Article.objects.get(pk=live_article.pk)
    assert article.state == WorkflowState.PUBLISHED
    assert article.review_date == datetime.date(2026, 11, 24)
    publication = article.live_publication
    assert publication.review_date == datetime.date(2026, 11, 24)
    assert publication.updated_by == "Rae Viewer, MD, Example University"
    record = ReviewRecord.objects.get()
    assert (record.outcome, record.reviewed_on, record.publication) == (
        "approved",
        publication.review_date,
        publication,
    )
    text = page_text(public_text(client, article))
    assert "Updated paragraph about night cramps." in text
    assert "Review Date 11/24/2026" in text


def _with_references(article: Article, count: int) -> Article:
    from encyclopedia.models import ArticleCitation

    for position in range(1, count + 1):
        citation = Citation.objects.create(
            kind="book", title=f"Handbook {position}", publisher="Example Press"
        )
        ArticleCitation.objects.create(article=article, citation=citation, position=position)
    return article


def test_the_approved_version_in_the_history_is_the_page_readers_get(
    client, make_article, publish_article, editor, reviewer
):
    """The approval's revision names each section and reference as the history lists them, and the
    live page is frozen from that same version: the edited words, every reference."""
    article = publish_article(_with_references(make_article("Night sweats", sections=3), 2))
    edit(article, editor, "Sweating at night, reworded for the review.")
    submit(article, editor)
    approve(article, reviewer, notes="Accurate.")
    article = Article.objects.get(pk=article.pk)
    publication = article.live_publication
    latest = Version.objects.get_for_object(article).first().revision
    assert publication.revision == latest
    assert latest.comment == "Approved and published: Accurate."
    names = sorted(version.object_repr for version in latest.version_set.all())
    assert names == sorted(
        [str(article), "Causes", "Part 2", "Part 3", *(str(c) for c in Citation.objects.all())]
    )
    assert [section["html"] for section in publication.sections][0].startswith("<p>Sweating at night")
    assert len(publication.references) == 2
    text = page_text(public_text(client, article))
    assert "Sweating at night, reworded for the review." in text and "Handbook 2" in text


def _query_shapes(queries: Iterable[str]) -> Counter[str]:
    """Each query without its values (a list of values, or of rows, as one), counted: two
    approvals' queries differ in these shapes only where one made a query the other did not."""
    shapes = []
    for sql in queries:
        shape = re.sub(r"'(?:[^']|'')*'|\d+", "?", sql)
        shape = re.sub(r"\?(?:, \?)+", "?", shape)
        shapes.append(re.sub(r"\(\?\)(?:, \(\?\))+", "(?)", shape)[:300])
    return Counter(shapes)


def test_an_approval_costs_as_many_queries_however_long_the_page(
    make_article, publish_article, editor, reviewer
):
    """Approving reads an article's rows once, not once per section or reference: a long page
    takes no more queries to approve than a short one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    # The first approval also reads what a process reads once (site settings, content types).
    for title, sections, references in (("First page", 1, 1), ("Short page", 1, 1), ("Long page", 9, 7)):
        article = publish_article(_with_references(make_article(title, sections=sections), references))
        edit(article, editor, f"{title}, edited.")
        submit(article, editor)
        with CaptureQueriesContext(connection) as captured:
            approve(Article.objects.get(pk=article.pk), reviewer)
        queries.append(_query_shapes(query["sql"] for query in captured.captured_queries))
    short, long = queries[1], queries[2]
    assert short.total() == long.total(), (
        f"only the short page's: {sorted((short - long).elements())}; "
        f"only the long page's: {sorted((long - short).elements())}"
    )


def test_nobody_approves_their_own_changes(live_article):
    both = with_profile(make_user("both", roles.EDITORS, roles.MEDICAL_REVIEWERS))
    edit(live_article, both, "My own wording.")
    submit(live_article, both)
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(live_article, both)
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.IN_REVIEW


def test_not_even_a_superuser_approves_their_own_changes(live_article):
    boss = with_profile(make_user("boss", superuser=True))
    edit(live_article, boss, "The boss's wording.")
    submit(live_article, boss)
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(live_article, boss)


def test_the_submitter_cannot_approve(live_article, editor):
    submitter = with_profile(make_user("submitter", roles.EDITORS, roles.MEDICAL_REVIEWERS))
    submit(live_article, submitter)
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(live_article, submitter)


def test_an_approver_must_be_a_credited_reviewer(live_article, editor):
    """The page credits whoever approves, so a login without a reviewer profile cannot approve."""
    unlinked = make_user("unlinked", roles.MEDICAL_REVIEWERS)
    submit(live_article, editor)
    with pytest.raises(NotAllowed, match="not linked to a reviewer profile"):
        approve(live_article, unlinked)
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.IN_REVIEW


def test_editor_cannot_approve(live_article, editor):
    other = make_user("other-editor", roles.EDITORS)
    submit(live_article, editor)
    with pytest.raises(NotAllowed):
        approve(live_article, other)


def test_approving_a_draft_not_in_review_is_refused(live_article, reviewer):
    with pytest.raises(EditorialError, match="not possible while the article is “Live \\+ draft”"):
        approve(live_article, reviewer)


# ---------------------------------------------------------------- scheduling


def test_approval_with_a_go_live_time_waits_for_publish_scheduled(client, live_article, editor, reviewer):
    submit(live_article, editor)
    with time_machine.travel(NOON):
        approve(live_article, reviewer, go_live_at=NOON + datetime.timedelta(hours=2))
    article = Article.objects.get(pk=live_article.pk)
    assert article.state == WorkflowState.APPROVED
    assert "Updated paragraph" not in public_text(client, article)
    with time_machine.travel(NOON + datetime.timedelta(hours=1)):
        assert publish_due() == []
    with time_machine.travel(NOON + datetime.timedelta(hours=2, minutes=1)):
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        assert "1 scheduled update published." in out.getvalue()
        again = StringIO()
        call_command("publish_scheduled", stdout=again)
        assert "0 scheduled updates published." in again.getvalue()
    article = Article.objects.get(pk=article.pk)
    assert article.state == WorkflowState.PUBLISHED
    assert "Updated paragraph" in public_text(client, article)
    assert ReviewRecord.objects.get().publication == article.live_publication


def test_a_go_live_time_in_the_past_is_refused(live_article, editor, reviewer):
    submit(live_article, editor)
    with pytest.raises(EditorialError, match="in the past"):
        approve(live_article, reviewer, go_live_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))


# ---------------------------------------------------------------- directors


def test_director_publishes_a_minor_correction_keeping_the_review_date(
    client, live_article, director, editor
):
    review_date = live_article.live_publication.review_date
    with pytest.raises(EditorialError, match="reason is required"):
        publish_correction(live_article, director, reason="")
    with pytest.raises(NotAllowed):
        publish_correction(live_article, editor, reason="Typo")
    with time_machine.travel(NOON):
        publish_correction(live_article, director, reason="Fixed a typo")
    article = Article.objects.get(pk=live_article.pk)
    assert article.live_publication.review_date == review_date
    assert "Updated paragraph" in public_text(client, article)
    assert AuditEvent.objects.filter(
        action="publish_correction", comment="Minor correction: Fixed a typo"
    ).exists()
    assert not ReviewRecord.objects.exists()


def test_withdraw_gives_410_and_restore_brings_it_back(client, live_article, director, editor):
    url = f"/ency/article/{live_article.public_id}.htm"
    with pytest.raises(NotAllowed):
        withdraw(live_article, editor, reason="No")
    withdraw(live_article, director, reason="Outdated advice")
    response = client.get(url)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert live_article.title not in client.get("/ency/").content.decode()
    restore(live_article, director)
    assert client.get(url).status_code == 200


def test_merge_answers_301_to_the_other_article(
    client, make_article, publish_article, live_article, director
):
    other = publish_article(make_article("Muscle cramps"))
    merge(live_article, director, into=other, reason="Duplicate topic")
    response = client.get(f"/ency/article/{live_article.public_id}.htm")
    assert response.status_code == 301
    assert response["Location"] == f"/ency/article/{other.public_id}.htm"
    with pytest.raises(EditorialError, match="withdrawn or merged"):
        merge(live_article, director, into=other)


def test_merging_into_an_article_that_is_not_live_is_refused(make_article, live_article, director):
    draft = make_article("Never published")
    with pytest.raises(EditorialError, match="not live"):
        merge(live_article, director, into=draft)


# ---------------------------------------------------------------- offered actions


def test_the_admin_offers_only_what_the_user_may_do(live_article, editor, reviewer, director):
    def names(user):
        return [name for name, _ in workflow.allowed_actions(Article.objects.get(pk=live_article.pk), user)]

    assert names(editor) == ["submit", "add_translation"]
    assert names(reviewer) == []  # "Confirm still accurate" waits: a changed draft is pending
    assert names(director) == ["submit", "publish_correction", "add_translation", "withdraw", "merge"]
    submit(live_article, editor)
    assert names(editor) == ["add_translation"]  # a translation starts from the live page
    assert names(reviewer) == ["request_changes", "approve"]


def test_a_refused_step_in_the_admin_is_a_message(client, live_article, editor):
    client.force_login(editor)
    response = client.post(
        f"/admin/encyclopedia/article/{live_article.pk}/workflow/approve/", {"notes": ""}, follow=True
    )
    assert "You may not approve" in response.content.decode()
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.DRAFT


def test_a_go_live_time_past_year_9999_is_a_form_error_and_the_field_names_its_time_zone(
    client, live_article, editor, reviewer, settings
):
    """9999-12-31T23:59 in New York is in the year 10000 in UTC: approving gave a 500."""
    submit(live_article, editor)
    client.force_login(reviewer)
    url = f"/admin/encyclopedia/article/{live_article.pk}/workflow/approve/"
    assert f"Go live at ({settings.TIME_ZONE} time)" in client.get(url).content.decode()
    response = client.post(url, {"notes": "", "go_live_at": "9999-12-31T23:59"})
    assert response.status_code == 200
    assert "beyond the last one that can be stored" in response.content.decode()
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.IN_REVIEW


def test_the_whole_round_trip_through_the_admin(
    client, live_article, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    page = client.get(f"/admin/encyclopedia/article/{live_article.pk}/change/").content.decode()
    assert "Submit for medical review" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/encyclopedia/article/{live_article.pk}/workflow/submit/",
            {"note": "Night cramps", "reviewer": reviewer.pk},
            follow=True,
        )
    assert "Submitted for review." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["reviewer@example.org"]]
    assert "Night cramps" in mailoutbox[0].body

    client.force_login(reviewer)
    review_page = client.get(
        f"/admin/encyclopedia/article/{live_article.pk}/workflow/approve/"
    ).content.decode()
    assert "<del>Paragraph 1.</del><ins>Updated paragraph about night cramps.</ins>" in review_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/encyclopedia/article/{live_article.pk}/workflow/approve/",
            {"notes": "Fine", "seen": seen_on(review_page)},
            follow=True,
        )
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.PUBLISHED
    assert mailoutbox[-1].to == ["editor@example.org"]
    assert "approved your update" in mailoutbox[-1].body


def test_changes_requested_email_goes_to_the_author(
    live_article, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(live_article, editor)
    reviewers_mail = len(mailoutbox)
    assert reviewers_mail == 1 and mailoutbox[0].to == ["reviewer@example.org"], "the whole reviewers' group"
    with django_capture_on_commit_callbacks(execute=True):
        request_changes(live_article, reviewer, comment="Add a source.")
    assert mailoutbox[-1].to == ["editor@example.org"]
    assert "Add a source." in mailoutbox[-1].body


def test_no_email_when_the_transaction_is_rolled_back(
    live_article, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        submit(live_article, editor)  # succeeds, and queues the email for after the commit...
        raise Abort  # ...which never comes
    assert callbacks == [] and mailoutbox == []
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.DRAFT


def test_each_transition_is_audited_with_from_and_to(live_article, editor, reviewer):
    submit(live_article, editor)
    request_changes(live_article, reviewer, comment="More detail")
    submit(live_article, editor)
    approve(live_article, reviewer)
    steps = list(
        AuditEvent.objects.filter(article=live_article)
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )
    assert steps[-4:] == [
        ("submit", "draft", "in_review"),
        ("request_changes", "in_review", "changes_requested"),
        ("submit", "changes_requested", "in_review"),
        ("approve", "in_review", "published"),
    ]
    with pytest.raises(ValueError):
        AuditEvent.objects.first().save()


def test_publications_count_only_approvals(live_article, editor, reviewer):
    before = Publication.objects.count()
    submit(live_article, editor)
    request_changes(live_article, reviewer, comment="No")
    assert Publication.objects.count() == before


def test_a_withdrawn_article_is_never_published_by_its_schedule(
    client, live_article, editor, reviewer, director
):
    submit(live_article, editor)
    with time_machine.travel(NOON):
        approve(live_article, reviewer, go_live_at=NOON + datetime.timedelta(hours=1))
        withdraw(live_article, director, reason="Pulled")
    article = Article.objects.get(pk=live_article.pk)
    assert (article.state, article.go_live_at) == (WorkflowState.DRAFT, None)
    with time_machine.travel(NOON + datetime.timedelta(hours=2)):
        assert publish_due() == []
    assert client.get(f"/ency/article/{article.public_id}.htm").status_code == 410
    assert live_article.title not in client.get("/ency/").content.decode()


def test_a_confirmation_does_not_launder_the_drafts_authors(live_article, editor, reviewer):
    both = with_profile(make_user("both", roles.EDITORS, roles.MEDICAL_REVIEWERS))
    edit(live_article, both, "Written by both.")
    submit(live_article, editor)
    confirm_still_accurate(live_article, reviewer)  # a new publication, of the old content
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(live_article, both)


def test_editing_a_cited_reference_counts_as_a_change_to_the_draft(client, live_article, editor):
    from encyclopedia.models import Citation

    citation = Citation.objects.create(
        kind="book", title="Shared Book", publisher="Example Press", year="2024"
    )
    live_article.citation_links.create(citation=citation, position=1)
    both = with_profile(make_user("both", roles.EDITORS, roles.MEDICAL_REVIEWERS))
    submit(live_article, editor)
    both.is_superuser = True  # only to reach the citation form
    both.save()
    client.force_login(both)
    response = client.post(
        f"/admin/encyclopedia/citation/{citation.pk}/change/",
        {"kind": "book", "title": "Shared Book (TAMPERED)", "publisher": "Example Press", "year": "2024"},
        follow=True,
    )
    assert "uses this reference and is in review" in response.content.decode()
    assert AuditEvent.objects.filter(action="change", data__model="encyclopedia.citation").exists()
    with pytest.raises(NotAllowed, match="your own changes"):
        approve(live_article, both)


def test_merge_restore_and_revert_are_refused_without_their_roles(
    make_article, publish_article, live_article, editor, reviewer, director
):
    from reversion.models import Version

    from editorial.actions.revert import revert

    other = publish_article(make_article("Other"))
    with pytest.raises(NotAllowed):
        merge(live_article, editor, into=other)
    withdraw(live_article, director, reason="x")
    with pytest.raises(NotAllowed):
        restore(live_article, editor)
    restore(live_article, director)
    version = Version.objects.get_for_object(live_article).last()
    with pytest.raises(NotAllowed):
        revert(live_article, reviewer, version=version)
    revert(live_article, editor, version=version)
    assert Article.objects.get(pk=live_article.pk).state == WorkflowState.DRAFT
