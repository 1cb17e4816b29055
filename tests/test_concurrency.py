"""Two people (or two cron jobs) acting at the same moment produce exactly one publication.

These need real row locks and one database shared by several connections, so they run on
PostgreSQL (CI runs the suite there too). On SQLite there are no row locks to test: it
lets one writer in at a time, and its in-memory test database is not shared between threads.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from editorial.actions.approve import approve
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.submit import submit
from editorial.errors import EditorialError
from encyclopedia.models import Article, Publication
from tests.factories import make_user, with_profile

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (set DATABASE_URL); SQLite lets one writer in at a time",
    ),
]


def at_once(*calls) -> list:
    """Run each call in its own thread and connection, released together; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each side got
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_reviewers_approving_at_once_publish_exactly_once(make_article):
    article = make_article("Contested approval")
    submit(article, make_user("ed", "Editors"))
    first = with_profile(make_user("r1", "Medical reviewers"))
    second = with_profile(make_user("r2", "Medical reviewers"))
    results = at_once(lambda: approve(article, first), lambda: approve(article, second))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], EditorialError)
    assert "not possible while the article is “Live”" in str(errors[0])
    assert Publication.objects.filter(article=article).count() == 1
    assert Article.objects.get(pk=article.pk).state == "published"


def test_two_scheduled_runs_at_once_publish_each_update_once(make_article):
    article = make_article("Scheduled")
    submit(article, make_user("ed", "Editors"))
    go_live = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)
    approve(article, with_profile(make_user("r1", "Medical reviewers")), go_live_at=go_live)
    later = go_live + datetime.timedelta(minutes=1)
    results = at_once(lambda: publish_due(later), lambda: publish_due(later))
    assert sorted(len(r) for r in results) == [0, 1], results
    assert Publication.objects.filter(article=article).count() == 1
