"""Every gunicorn worker shows a change within 1 s, whichever process made it.

`make serve` runs two workers. On the default deployment (SQLite, no REDIS_URL) a withdrawal, a
restore, a publication or a site-data change made in one process must reach the other worker's
answers at once, not when its cached page expires. This runs a real gunicorn as `make serve` starts
it, on a free port, with DEBUG off, a SQLite file in tmp_path (also when the suite runs on
PostgreSQL: the acceptance is about the default deployment) and no REDIS_URL. The database is
prepared by `manage.py` subprocesses (migrate, then a director and four live articles): no
pytest-django database here. The machinery is the soak's ``multiworker`` phase
(soak/multiworker.py); each test warms both workers on its article, makes the change, reads the
page from 4 threads until 20 consecutive answers show the new state, and asserts that took at most
1 s from the end of the write, with both workers among those answers.
"""

from __future__ import annotations

import socket

import pytest

from soak import multiworker

WATCH_S = 3.0  # how long a stale page is watched before the test gives up (the limit is 1 s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A SQLite file with a director and four live articles, served by `make serve`'s gunicorn."""
    site = multiworker.Site(tmp_path_factory.mktemp("multiworker"), port=free_port())
    site.prepare()
    try:
        site.start()  # bounded: raises if gunicorn exits or is not healthy with 2 workers in time
        yield site
    finally:
        site.stop()  # TERM the master, then KILL it and its workers if they linger


def check(result: dict) -> None:
    line = multiworker.describe(result)
    print(line)
    assert multiworker.warmed(result), f"the state before the write was not on both workers: {line}"
    assert result["seconds"] is not None, line
    assert result["seconds"] <= multiworker.LIMIT_S, line
    assert result["workers_after_settled"] >= 2, f"not both workers answered: {line}"


def test_a_withdrawal_in_the_admin_is_410_on_every_worker_within_1_s(site):
    check(multiworker.admin_withdraw(site, WATCH_S))


def test_a_withdrawal_and_a_restore_by_command_show_on_every_worker_within_1_s(site):
    check(multiworker.command_withdraw(site, WATCH_S))
    check(multiworker.command_restore(site, WATCH_S))


def test_a_new_publication_shows_its_text_on_every_worker_within_1_s(site):
    """Readers with a session cookie (past the page cache) and without one (the page cache) alike."""
    result = multiworker.publish(site, WATCH_S)
    check(result)
    assert all(counts["new"] for counts in result["by_reader"].values()), multiworker.describe(result)


def test_a_search_finds_a_new_publication_on_every_worker_within_1_s(site):
    """The search for a word only the new summary has: the page cache answers readers without a
    session cookie, the results cache (``keys.search_results``) those with one; neither may keep
    the answer from before the publish."""
    result = multiworker.search_publish(site, WATCH_S)
    check(result)
    assert all(counts["new"] for counts in result["by_reader"].values()), multiworker.describe(result)


def test_a_site_data_change_shows_on_every_worker_within_1_s(site):
    check(multiworker.site_data(site, WATCH_S))
