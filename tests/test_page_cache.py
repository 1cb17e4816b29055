"""The page cache answered near the top of the middleware stack, and the caches beneath it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone
from django.utils.http import http_date

from encyclopedia.caching import page_cache, publication_cache
from encyclopedia.models import Publication
from tests.factories import make_user, needs_redis


@pytest.fixture
def live(make_article, publish_article):
    return publish_article(make_article("Cached article"))


def test_a_cached_page_is_the_same_page_with_the_same_security_headers(
    client, live, django_assert_num_queries
):
    first = client.get(live.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(live.get_absolute_url())
    assert again.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "ETag", "Vary"):
        assert again[header] == first[header], header
    assert "unsafe-inline" not in again["Content-Security-Policy"]


def test_a_cached_page_is_answered_before_sessions_and_the_view(client, live, monkeypatch):
    client.get(live.get_absolute_url())

    def view_must_not_run(*args, **kwargs):
        raise AssertionError("the view ran for a cached page")

    monkeypatch.setattr("encyclopedia.views.render_article", view_must_not_run)
    response = client.get(live.get_absolute_url())
    assert response.status_code == 200
    assert "Cached article" in response.content.decode()
    assert not response.cookies, "no session or CSRF cookie on a cached page"


def test_a_cached_page_still_answers_if_none_match_with_304(client, live):
    first = client.get(live.get_absolute_url())
    assert client.get(live.get_absolute_url(), headers={"if-none-match": first["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    "condition, status",
    [
        ("if-none-match", 304),
        ("if-modified-since", 304),
        ("if-match", 200),
        ("if-unmodified-since", 200),
    ],
)
def test_a_cached_page_answers_each_condition_as_django_does(client, live, condition, status):
    """Every conditional header is still read on a cached page (only an unconditional request
    skips the check): met, the page or its 304; failed, 412 rather than the page."""
    url = live.get_absolute_url()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        first = client.get(url)
        again = client.get(url)
        assert again.status_code == 200 and again["ETag"] == first["ETag"]
        met = first["ETag"] if "match" in condition else first["Last-Modified"]
        assert client.get(url, headers={condition: met}).status_code == status
        if status == 200:
            failed = '"another"' if condition == "if-match" else http_date(86_400)
            assert client.get(url, headers={condition: failed}).status_code == 412


def test_signed_in_readers_get_a_fresh_private_page(client, live, admin_user):
    client.get(live.get_absolute_url())
    client.force_login(admin_user)
    response = client.get(live.get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert "Cached article" in response.content.decode()


def test_the_site_serves_pages_when_the_cache_is_unreachable(client, live, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache.cache, "get", unreachable, raising=False)
    monkeypatch.setattr(page_cache.cache, "set", unreachable, raising=False)
    monkeypatch.setattr(page_cache, "_key", unreachable)
    response = client.get("/healthz")
    assert response.status_code in (200, 503)  # healthz is never answered from the page cache
    monkeypatch.undo()
    monkeypatch.setattr(page_cache, "_key", unreachable)
    assert client.get(live.get_absolute_url()).status_code == 200
    assert "Page cache unreachable" in caplog.text


def test_a_publication_is_cached_when_saved_and_replaced_when_saved_again(live, django_assert_num_queries):
    publication = live.live_publication
    pk = publication.pk  # delete() below clears publication.pk
    with django_assert_num_queries(0):  # saved, so already cached
        assert publication_cache.get(pk).title == "Cached article"
    Publication.objects.filter(pk=pk).update(title="Changed behind the cache")
    publication.refresh_from_db()
    publication.save()
    assert publication_cache.get(pk).title == "Changed behind the cache"
    publication.delete()
    with pytest.raises(Publication.DoesNotExist):  # not served from a stale copy
        publication_cache.get(pk)


def test_the_a_to_z_list_escapes_names_and_links_each_article(client, make_article, publish_article):
    article = make_article("Zebra <b>stripes</b> & dots")
    article.alternative_names.create(name='Zed "quoted" <i>name</i>')
    publish_article(article)
    html = client.get("/ency/encyclopedia_Z.htm").content.decode()
    assert (
        f'<a href="/ency/article/{article.public_id}.htm">Zebra &lt;b&gt;stripes&lt;/b&gt; &amp; dots</a>'
        in html
    )
    assert "Zed &quot;quoted&quot; &lt;i&gt;name&lt;/i&gt;, see" in html
    assert "<b>stripes" not in html and "<i>name" not in html


def test_a_publish_keeps_unrelated_pages_cached_and_refreshes_those_showing_it(
    client, make_article, publish_article, django_assert_num_queries, django_capture_on_commit_callbacks
):
    target = publish_article(make_article("Target"))
    linker = publish_article(
        make_article("Linker", summary=f"See [the target]({target.get_absolute_url()}).")
    )
    bystander = publish_article(make_article("Bystander"))
    for article in (target, linker, bystander):
        client.get(article.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        target.title = "Target renamed"
        target.save()
        publish_article(target)

    with django_assert_num_queries(0):
        assert "Bystander" in client.get(bystander.get_absolute_url()).content.decode()
    assert "Target renamed" in client.get(target.get_absolute_url()).content.decode()
    linker_page = client.get(linker.get_absolute_url()).content.decode()
    assert f'<a href="{target.get_absolute_url()}">' in linker_page
    target_page = client.get(target.get_absolute_url()).content.decode()
    assert "Linker" in target_page, "the renamed page still lists what links to it"
    assert "Target renamed" in client.get("/ency/encyclopedia_T.htm").content.decode(), (
        "lists follow every publish"
    )


def test_a_generation_the_cache_dropped_never_matches_an_old_page(client, live, monkeypatch, settings):
    from encyclopedia.caching import keys, rendered_pages

    settings.CACHE_GENERATION_RECHECK = 0  # the process asks the shared cache again at once

    rendered = []  # the views that ran: the page cache missed
    find = rendered_pages.find

    def counting_views(public_id, language):
        rendered.append(public_id)
        return find(public_id, language)

    monkeypatch.setattr("encyclopedia.caching.rendered_pages.find", counting_views)
    client.get(live.get_absolute_url())
    assert rendered == [live.public_id]
    shared = caches["shared"]  # where the generations are kept
    shared.delete(f"{keys.article_generation(live.public_id)}:generation")
    shared.delete("encyclopedia:live:generation")
    response = client.get(live.get_absolute_url())
    assert response.status_code == 200 and "Cached article" in response.content.decode()
    assert len(rendered) == 2, "the view answered under a new generation: the old cached page was not served"
    client.get(live.get_absolute_url())
    assert len(rendered) == 2, "the fresh page was stored under its new generation and served from there"


def test_readers_past_the_page_cache_see_a_withdrawal_restore_and_merge_at_once(
    client, make_article, publish_article, django_capture_on_commit_callbacks
):
    from editorial.actions.merge import merge
    from editorial.actions.restore import restore
    from editorial.actions.withdraw import withdraw

    boss = make_user("boss", superuser=True)
    article = publish_article(make_article("Short-lived"))
    survivor = publish_article(make_article("Survivor"))
    url = article.get_absolute_url()
    client.cookies["sessionid"] = "not-a-session"  # as a signed-in reader: no page cache
    assert client.get(url).status_code == 200  # the article's state is now in the cache

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(article, boss, reason="Outdated")
    assert client.get(url).status_code == 410
    with django_capture_on_commit_callbacks(execute=True):
        restore(article, boss)
    assert "Short-lived" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        merge(article, boss, into=survivor)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (301, survivor.get_absolute_url())


@pytest.mark.parametrize(
    "production", [False, pytest.param(True, marks=needs_redis)], ids=["local store", "redis"]
)
def test_last_modified_never_goes_back_after_the_counters_are_lost(
    client, make_article, publish_article, settings, production, request
):
    """A proxy that revalidates by date alone must not be told "not modified" for a copy older
    than a change: when the shared cache loses the counters (a flush, an empty restart), the
    page's ``Last-Modified`` stays at or after the last change a reader was shown."""
    from django.utils.http import parse_http_date

    from encyclopedia.caching import generations

    if production:
        request.getfixturevalue("production_caches")
    settings.CACHE_GENERATION_RECHECK = 0
    article = publish_article(make_article("Dated"))
    url = article.get_absolute_url()
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        publish_article(make_article("A later change elsewhere"))  # the live generation, bumped
    with time_machine.travel(start + datetime.timedelta(minutes=10, seconds=2), tick=False):
        seen = parse_http_date(client.get(url)["Last-Modified"])
    assert seen >= (start + datetime.timedelta(minutes=10)).timestamp() - 1
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        caches["shared"].clear()
        generations.forget()
        client.get(url)  # the counters made again: taken to have changed now
    with time_machine.travel(start + datetime.timedelta(minutes=20, seconds=2), tick=False):
        after = parse_http_date(client.get(url)["Last-Modified"])
        assert after >= seen
        revalidated = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(seen))
        assert revalidated.status_code == 200, "a copy from before the loss is not confirmed"


def test_a_page_made_in_the_second_of_a_change_names_no_last_modified(client, make_article, publish_article):
    """HTTP dates count whole seconds. A page made in the second of the last change would name
    the date a second change in that same second names too, and a client revalidating with
    If-Modified-Since alone would be answered 304 for a page changed since: such a page names no
    Last-Modified (its ETag still answers). A page made after that second names it."""
    start = datetime.datetime(2026, 12, 7, 12, 0, 0, 200_000, tzinfo=datetime.UTC)
    with time_machine.travel(start):
        alpha, beta = (publish_article(make_article(title)) for title in ("Alpha", "Beta"))
        held = client.get(alpha.get_absolute_url())
        assert not held.has_header("Last-Modified") and held.has_header("ETag")
        assert "max-age=2" in held["Cache-Control"], "kept until its date can be named"
        alpha.summary = "Alpha, changed in the same second."
        alpha.save()
        publish_article(alpha)
        assert b"changed in the same second" in client.get(alpha.get_absolute_url()).content
    with time_machine.travel(start + datetime.timedelta(seconds=3)):
        assert client.get(alpha.get_absolute_url()).has_header("Last-Modified"), "made again, dated"
        named = client.get(beta.get_absolute_url())
        assert named["Last-Modified"] == "Mon, 07 Dec 2026 12:00:00 GMT"
        assert (
            client.get(beta.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=named["Last-Modified"]).status_code
            == 304
        )
