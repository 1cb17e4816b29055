"""Article statuses by name: ``Article.objects.live()``, ``gone()``, ``locked()``, ``due_within()``
and ``Article.is_locked``, checked against articles brought there by the editorial actions."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from editorial import roles
from editorial.actions.approve import approve
from editorial.actions.merge import merge
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from encyclopedia.models import Article, WorkflowState
from tests.factories import edit, make_user, with_profile

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def due_on(day: datetime.date | None) -> dict:
    """Article fields that make its next review due on ``day`` (a yearly review)."""
    if day is None:
        return {"review_date": None, "review_interval_months": 12}
    return {"review_date": day - relativedelta(months=12), "review_interval_months": 12}


@pytest.fixture
def articles(make_article, publish_article) -> dict[str, Article]:
    """One article in each status, the live ones due around a 30-day window from TODAY."""
    editor = make_user("editor", roles.EDITORS)
    reviewer = with_profile(make_user("reviewer", roles.MEDICAL_REVIEWERS))
    director = make_user("director", roles.EDITORIAL_DIRECTORS)
    day = datetime.timedelta(days=1)

    made = {
        "overdue": publish_article(make_article("Overdue", **due_on(TODAY - day))),
        "due_today": publish_article(make_article("Due today", **due_on(TODAY))),
        "due_at_edge": publish_article(make_article("Due at edge", **due_on(TODAY + 30 * day))),
        "due_after": publish_article(make_article("Due after", **due_on(TODAY + 31 * day))),
        "never_reviewed": publish_article(make_article("Never reviewed", **due_on(None))),
        "withdrawn": publish_article(make_article("Withdrawn", **due_on(TODAY - day))),
        "merged": publish_article(make_article("Merged", **due_on(TODAY))),
        "draft": make_article("Draft never live", **due_on(TODAY - day)),
        "in_review": publish_article(make_article("In review", **due_on(TODAY + 90 * day))),
        "approved": publish_article(make_article("Approved", **due_on(TODAY + 90 * day))),
        "in_review_never_live": make_article("In review, never live", **due_on(TODAY)),
    }
    withdraw(made["withdrawn"], director, reason="Out of date")
    merge(made["merged"], director, into=made["due_today"], reason="Same topic")
    for key in ("in_review", "approved"):
        edit(made[key], editor, "A change to review.")  # a draft on top of the live page
        submit(made[key], editor)
    submit(made["in_review_never_live"], editor)
    approve(made["approved"], reviewer, go_live_at=timezone.now() + datetime.timedelta(days=7))
    return {key: Article.objects.get(pk=article.pk) for key, article in made.items()}


def keys(articles: dict[str, Article], queryset) -> set[str]:
    by_pk = {article.pk: key for key, article in articles.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_the_articles_are_where_the_actions_left_them(articles):
    assert articles["in_review"].state == WorkflowState.IN_REVIEW
    assert articles["approved"].state == WorkflowState.APPROVED
    assert articles["withdrawn"].withdrawn_at is not None
    assert articles["merged"].merged_into_id == articles["due_today"].pk


def test_live_is_what_the_public_can_see(articles):
    live = keys(articles, Article.objects.live())
    assert live == {
        "overdue",
        "due_today",
        "due_at_edge",
        "due_after",
        "never_reviewed",
        "in_review",  # the published page stays up while its draft is reviewed
        "approved",  # and while the approved draft waits for its go-live time
    }
    assert live == {key for key, article in articles.items() if article.is_live}


def test_gone_is_withdrawn_or_merged(articles):
    assert keys(articles, Article.objects.gone()) == {"withdrawn", "merged"}
    assert not Article.objects.gone().live().exists()


def test_locked_is_in_review_or_approved_and_waiting(articles):
    assert keys(articles, Article.objects.locked()) == {"in_review", "approved", "in_review_never_live"}


def test_is_locked_agrees_with_locked(articles):
    locked = {key for key, article in articles.items() if article.is_locked}
    assert locked == {"in_review", "approved", "in_review_never_live"}
    assert locked == keys(articles, Article.objects.locked())


def test_due_within_takes_live_articles_due_by_the_window_end(articles):
    assert keys(articles, Article.objects.due_within(30, today=TODAY)) == {
        "overdue",
        "due_today",
        "due_at_edge",
    }
    assert keys(articles, Article.objects.due_within(31, today=TODAY)) == {
        "overdue",
        "due_today",
        "due_at_edge",
        "due_after",
    }
    assert keys(articles, Article.objects.due_within(0, today=TODAY)) == {"overdue", "due_today"}


def test_due_within_counts_from_the_local_date_by_default(articles):
    today = timezone.localdate()
    expected = {
        key
        for key, article in articles.items()
        if article.is_live
        and article.next_review_due is not None
        and article.next_review_due <= today + datetime.timedelta(days=30)
    }
    assert keys(articles, Article.objects.due_within(30)) == expected


def test_the_statuses_chain_with_other_filters(articles):
    assert keys(articles, Article.objects.filter(title__startswith="Due").due_within(30, TODAY)) == {
        "due_today",
        "due_at_edge",
    }
    assert keys(articles, Article.objects.live().locked()) == {"in_review", "approved"}
