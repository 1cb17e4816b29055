"""Round trips to Redis and SQL queries per public request: budgets, on the production setup
(Redis for both caches, each process's memory in front of the default one) and on the default."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encyclopedia.caching import generations, keys
from tests.factories import TEST_REDIS_URL, needs_redis

REDIS_URL = TEST_REDIS_URL
SIGNED_IN = "not-a-real-session"


@pytest.fixture
def round_trips(monkeypatch):
    """Counts the commands sent to Redis (one each, or one per pipeline)."""
    sent = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self, *args, **options):
        sent.append(args[0])
        return command(self, *args, **options)

    def counted_pipeline(self, *args, **options):
        sent.append("pipeline")

        return pipeline(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    return sent


def _view(client, url: str, round_trips: list, signed_in: bool = False) -> tuple[int, int]:
    """(round trips to Redis, SQL queries) of one GET of ``url``."""
    if signed_in:
        client.cookies[settings.SESSION_COOKIE_NAME] = SIGNED_IN
    round_trips.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(round_trips), len(queries)


@needs_redis
@pytest.mark.django_db
def test_a_cached_article_costs_one_round_trip_or_none(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    url = publish_article(make_article("Budgeted")).get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 0  # every request reads the counters
    client.get(url)
    assert _view(client, url, round_trips) == (1, 0), "one read of the counters; the page from memory"
    settings.CACHE_GENERATION_RECHECK = 60  # the counters were read a moment ago
    client.get(url)
    assert _view(client, url, round_trips) == (0, 0)


@needs_redis
@pytest.mark.django_db
def test_a_signed_in_reader_costs_one_round_trip_and_one_query(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    url = publish_article(make_article("Reader")).get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 0
    client.get(url)  # a reader's first view stores the page (a signed-in one's never does)
    _view(client, url, round_trips, signed_in=True)
    assert _view(client, url, round_trips, signed_in=True) == (1, 1), (
        "one read of the counters, the stored page in one query: " + " ".join(round_trips)
    )


@needs_redis
@pytest.mark.django_db
def test_a_first_view_after_redis_was_emptied_is_a_lookup(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """Right after Redis was emptied (the counters too, as the long-tail benchmark does), a page
    a reader has seen before: the counters in four round trips (read, create each of three), the
    site data and the footer read once and stored once, the page cache read and stored;
    the stored page in one query."""
    url = publish_article(make_article("First view")).get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 0
    client.get(url)
    for alias in ("default", "shared"):
        caches[alias].clear()
    generations.forget()
    trips, queries = _view(client, url, round_trips)
    assert trips <= 15, " ".join(round_trips)
    # The stored page; the site settings, notices and policy pages (Redis was emptied).
    assert queries <= 4


@needs_redis
@pytest.mark.django_db
def test_a_page_never_rendered_stays_within_its_budget(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """The first view ever of a page, Redis emptied: each part read once and stored once."""
    url = publish_article(make_article("Never seen")).get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 0
    caches["default"].clear()
    trips, queries = _view(client, url, round_trips)
    assert trips <= 24, " ".join(round_trips)
    # The stored page (none yet), its publication, which linked articles are live, "links here";
    # the site settings, notices and policy pages; storing the page (a savepoint around one update).
    assert queries <= 10


@pytest.mark.django_db
def test_without_redis_a_cached_article_needs_no_query(client, make_article, publish_article):
    url = publish_article(make_article("Local")).get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_change_on_another_server_shows_once_the_counters_are_read_again(
    client, make_article, publish_article, settings
):
    """What another process's bump looks like here: a new counter in the shared cache. It shows
    no later than ``CACHE_GENERATION_RECHECK`` seconds after this process last read it."""
    article = publish_article(make_article("Elsewhere"))
    url = article.get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 60
    client.get(url)
    caches["shared"].set(keys.generation_key(keys.article_generation(article.public_id)), 1, None)
    with CaptureQueriesContext(connection) as within:
        client.get(url)
    assert len(within) == 0, "within the interval: the page cache's copy"
    settings.CACHE_GENERATION_RECHECK = 0
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) > 0, "the new counter: a new key, the page made again from the database"


@needs_redis
@pytest.mark.django_db
def test_a_long_tail_view_creates_its_counter_in_one_round_trip(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """The long tail after Redis was emptied: each page a reader asks for is one nobody has asked
    for since, so its counter is gone. Reading the counters makes it again in the same round trip,
    and since no page can be cached under a counter just made, the page cache is not asked; the
    page, made from its stored copy in one query, is kept in this process's memory, not sent to
    Redis: one round trip. The site data was read back by an earlier request."""
    seen, first = (publish_article(make_article(title)).get_absolute_url() for title in ("Seen", "First"))
    settings.CACHE_GENERATION_RECHECK = 60
    client.get(first)
    for alias in ("default", "shared"):
        caches[alias].clear()
    generations.forget()
    client.get(seen)  # the counters every page reads, the site data and its footer
    trips, queries = _view(client, first, round_trips)
    assert round_trips == ["pipeline"], "counters read (the page's made again); nothing stored in Redis"
    assert queries == 1
    assert client.get(first).status_code == 200
    assert _view(client, first, round_trips) == (0, 0), "the page, from this process's memory"


@needs_redis
@pytest.mark.django_db
def test_a_counter_another_process_made_first_is_read_not_replaced(production_caches, settings):
    """Two processes miss the same counter at once: the second keeps the first's value, and
    knows it did not make it (pages may already be cached under it)."""
    name = keys.article_generation("123456")
    first = generations.current(name)
    generations.forget()
    with generations.one_request():
        assert generations.current(name) == first
        assert not generations.created(name)
    caches["shared"].clear()
    generations.forget()
    with generations.one_request():
        again = generations.current(name)
        assert again != first, "a lost counter comes back as a new value"
        assert generations.created(name)


@needs_redis
@pytest.mark.django_db
def test_a_signed_in_reader_moving_between_pages_asks_redis_nothing(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """A stored page is current by its version in the database, so a signed-in reader's next
    page needs no counter of its own: the site's and the live one, read a moment ago, are enough."""
    urls = [publish_article(make_article(title)).get_absolute_url() for title in ("One", "Two", "Three")]
    for url in urls:
        client.get(url)  # each page stored by an anonymous view
    settings.CACHE_GENERATION_RECHECK = 60
    generations.forget()  # another process stored them: this one has read none of their counters
    _view(client, urls[0], round_trips, signed_in=True)
    assert [_view(client, url, round_trips, signed_in=True) for url in urls[1:]] == [(0, 1), (0, 1)]


@needs_redis
@pytest.mark.django_db
def test_many_warm_pages_read_one_counter_per_interval(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """A worker serving many warm pages: once ``CACHE_GENERATION_RECHECK`` has passed, the first
    page reads the counters again, and the others ask Redis nothing as long as nothing changed.
    A change made by another process (its counters, then ``ANY_CHANGE``) shows on the next read."""
    articles = [publish_article(make_article(title)) for title in ("Hot one", "Hot two", "Hot three")]
    urls = [article.get_absolute_url() for article in articles]
    settings.CACHE_GENERATION_RECHECK = 0.2
    generations.forget()  # published by another process: none of their counters read here yet
    for url in urls:
        client.get(url)
    time.sleep(0.25)
    assert [_view(client, url, round_trips)[0] for url in urls] == [1, 0, 0]

    changed = keys.generation_key(keys.article_generation(articles[2].public_id))
    caches["shared"].set_many({changed: 1, keys.generation_key(keys.ANY_CHANGE): 1}, None)
    time.sleep(0.25)
    assert _view(client, urls[0], round_trips) == (1, 0), "nothing of its own changed: from memory"
    trips, queries = _view(client, urls[2], round_trips)
    assert round_trips[0] == "pipeline" and queries > 0, "its counter is new: read, the page made again"


@needs_redis
@pytest.mark.django_db
def test_an_article_page_is_shared_through_its_stored_copy_other_pages_through_redis(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """An article's page is kept in each process's memory, never sent to Redis: another process
    (its memory empty) makes it from the stored page in one query. The index, which has no stored
    copy, is sent to Redis and read back from there."""
    url = publish_article(make_article("Shared")).get_absolute_url()
    settings.CACHE_GENERATION_RECHECK = 60
    client.get(url)
    assert _view(client, url, round_trips) == (0, 0)
    assert not [key for key in caches["default"].keys("*") if ":page:" in key]
    caches["default"].local.clear()  # another process (the site data it reads from Redis)
    assert _view(client, url, round_trips)[1] == 1, "the stored page, one query"
    assert not [key for key in caches["default"].keys("*") if ":page:" in key]

    client.get("/ency/")
    caches["default"].local.clear()
    assert _view(client, "/ency/", round_trips)[1] == 0, "the index, from Redis"


@pytest.mark.django_db
def test_a_search_page_stays_within_its_query_budget(client, make_article, publish_article):
    """A search the page cache cannot answer (a reader with a session cookie), on either database:
    the exact-name lookup and one query for the page of results (ranked, with their snippets and the
    count); the same search again, none (what it shows is kept under the live generation). A
    search naming an article is the lookup alone, and a redirect; again, none."""
    for title in ("Muscle cramps", "Leg cramps", "Night cramps"):
        publish_article(make_article(title, summary=f"{title} are sudden, painful tightenings."))
    client.cookies[settings.SESSION_COOKIE_NAME] = SIGNED_IN
    client.get("/ency/search/?q=night")  # the site data and its footer, read once per process
    for budget in (2, 0):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/ency/search/?q=cramps")
        assert response.status_code == 200
        assert response.content.decode().count('class="search-result"') == 3
        assert len(queries) <= budget, [query["sql"][:80] for query in queries]
    for budget in (1, 0):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ency/search/?q=muscle+cramps")["Location"].endswith(".htm")
        assert len(queries) <= budget, [query["sql"][:80] for query in queries]


@needs_redis
@pytest.mark.django_db
def test_a_search_page_asks_redis_at_most_for_the_counters(
    production_caches, round_trips, client, make_article, publish_article, settings
):
    """On the production setup, a search the page cache cannot answer reads the counters (one round
    trip, none within CACHE_GENERATION_RECHECK) and nothing else from Redis: the site data, the
    footer and, asked again, the query's results come from the process's memory."""
    publish_article(make_article("Muscle cramps"))
    settings.CACHE_GENERATION_RECHECK = 0
    _view(client, "/ency/search/?q=cramp", round_trips, signed_in=True)
    trips, queries = _view(client, "/ency/search/?q=cramp", round_trips, signed_in=True)
    assert trips <= 1, " ".join(round_trips)
    assert queries == 0, "what the search shows, from memory"
    settings.CACHE_GENERATION_RECHECK = 60
    assert _view(client, "/ency/search/?q=cramp", round_trips, signed_in=True)[0] == 0
