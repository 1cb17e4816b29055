"""Stored article pages (``encyclopedia.caching.rendered_pages``): a first view after the cache
was emptied is a lookup, and a stored page never outlives what it shows."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.actions.withdraw import withdraw
from encyclopedia.caching import deploy, generations, rendered_pages
from encyclopedia.models import RenderedPage, SiteSettings
from tests.conftest import page_text
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db


def _empty_caches() -> None:
    """What a flush of Redis, a fresh worker or another server sees: nothing cached."""
    for alias in ("default", "shared"):
        caches[alias].clear()
    generations.forget()


def _renders(monkeypatch) -> list[str]:
    seen: list[str] = []
    render = rendered_pages.keep

    def counting(stored, *args, **kwargs):
        seen.append(stored.article_id)
        return render(stored, *args, **kwargs)

    monkeypatch.setattr(rendered_pages, "keep", counting)
    return seen


def test_a_first_view_after_the_cache_was_emptied_is_the_stored_page(
    client, make_article, publish_article, monkeypatch
):
    article = publish_article(make_article("Stored"))
    url = article.get_absolute_url()
    first = client.get(url)
    renders = _renders(monkeypatch)
    _empty_caches()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert renders == [], "served from the stored page, not rendered"
    assert queries[0]["sql"].startswith("SELECT a.language"), "the stored page is the first query"
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):  # past the flush's second
        assert client.get(url).has_header("Last-Modified")


def test_a_withdrawn_neighbour_is_no_longer_linked_from_a_stored_page(client, make_article, publish_article):
    target = publish_article(make_article("Target"))
    source = make_article("Source")
    edit(source, make_user("writer"), f"See [the target](article:{target.public_id}).")
    publish_article(source)
    url = source.get_absolute_url()
    assert f'href="{target.get_absolute_url()}"' in client.get(url).content.decode()
    withdraw(target, make_user("boss", superuser=True), reason="Outdated")
    _empty_caches()
    html = client.get(url).content.decode()
    assert f'href="{target.get_absolute_url()}"' not in html
    assert "the target" in page_text(html)


def test_a_render_that_raced_a_publish_is_not_stored(client, make_article, publish_article):
    """A reader renders from what was live, a publish commits meanwhile: the old page is dropped."""
    article = publish_article(make_article("Raced"))
    _, stored = rendered_pages.find(article.public_id, "en")
    rendered_pages.mark_stale([article.public_id])  # a change commits while the reader renders
    rendered_pages.keep(stored, "a stamp", "<p>the page as it was</p>", 0.0)
    page = RenderedPage.objects.get(article=article)
    assert page.html == "" and page.stamp == "", "the raced render was not stored over the new version"


def served_on(client, url: str, day: datetime.datetime) -> tuple[str, str]:
    """(the stored page as served on ``day``, the page rendered afresh on ``day``)."""
    with time_machine.travel(day):
        _empty_caches()
        stored = client.get(url).content.decode()
        RenderedPage.objects.update(html="")
        _empty_caches()
        fresh = client.get(url).content.decode()
    return stored, fresh


def test_a_stored_page_says_it_was_read_on_the_day_of_each_view(
    client, make_article, publish_article, monkeypatch
):
    article = publish_article(make_article("Read today"))
    url = article.get_absolute_url()
    client.get(url)
    renders = _renders(monkeypatch)
    stored, fresh = served_on(client, url, datetime.datetime(2031, 3, 2, 15, tzinfo=datetime.UTC))
    assert renders == [article.pk], "the first view was the stored page; the second, rendered"
    assert "March 2, 2031" in page_text(stored) and "2 Mar. 2031" in page_text(stored)
    assert stored == fresh, "the stored page, filled in for the day, is the page rendered that day"


def test_a_page_is_rendered_again_for_a_new_site_name_and_a_new_deploy(
    client, make_article, publish_article, monkeypatch
):
    article = publish_article(make_article("Stamped"))
    url = article.get_absolute_url()
    client.get(url)
    renders = _renders(monkeypatch)
    site = SiteSettings.load()
    site.site_name = "Renamed Encyclopedia"
    site.save()
    assert "Renamed Encyclopedia" in client.get(url).content.decode()
    assert len(renders) == 1
    monkeypatch.setattr(deploy, "VERSION", "the next deploy")
    _empty_caches()
    client.get(url)
    assert len(renders) == 2


def test_a_new_deploy_is_not_served_the_pages_cached_before_it(
    client, make_article, publish_article, monkeypatch
):
    """The page cache too: a page cached by the code before a deploy is not served after it,
    to anyone, though its five minutes have not passed."""
    url = publish_article(make_article("Deployed")).get_absolute_url()
    client.get(url)
    renders = _renders(monkeypatch)
    client.get(url)
    assert renders == [], "the page, from the page cache"
    monkeypatch.setattr(deploy, "VERSION", "the next deploy")
    client.get(url)
    assert len(renders) == 1


def test_every_module_serving_a_public_page_is_part_of_the_deploys_version():
    """A deploy that changes any code behind a cached public page (the Infobutton's answers too,
    and the search's stop words) is not served what the code before it cached."""
    base = Path(settings.BASE_DIR)
    sources = set(deploy.sources())
    serving = [
        path
        for app in ("encyclopedia", "infobutton", "editorial")
        for path in (base / app).rglob("*.py")
        if "@public_page" in path.read_text(encoding="utf-8")
    ]
    assert {base / "encyclopedia/views.py", base / "infobutton/views.py"} <= set(serving)
    assert [path for path in serving if path not in sources] == []
    assert base / "encyclopedia/search/stopwords.txt" in sources


def test_the_footer_is_todays_on_a_stored_page(client, make_article, publish_article):
    article = publish_article(make_article("Footer"))
    url = article.get_absolute_url()
    client.get(url)
    site = SiteSettings.load()
    site.disclaimer = "A disclaimer written after the page was stored."
    site.save()
    _empty_caches()
    assert "A disclaimer written after the page was stored." in page_text(client.get(url).content.decode())


def test_a_signed_in_reader_gets_the_stored_page_privately(client, make_article, publish_article):
    article = publish_article(make_article("Private"))
    url = article.get_absolute_url()
    anonymous = client.get(url)
    client.cookies["sessionid"] = "not-a-session"
    with CaptureQueriesContext(connection) as queries:
        signed_in = client.get(url)
    assert signed_in.content == anonymous.content
    assert "private" in signed_in["Cache-Control"]
    assert len(queries) == 1


def test_render_pages_stores_what_a_first_view_then_only_looks_up(
    client, make_article, publish_article, monkeypatch
):
    from django.core.management import call_command

    article = publish_article(make_article("Rendered ahead"))
    out = io.StringIO()
    call_command("render_pages", url="http://testserver", stdout=out)
    assert out.getvalue().strip() == "1 page rendered and stored."
    renders = _renders(monkeypatch)
    _empty_caches()
    assert "Rendered ahead" in client.get(article.get_absolute_url()).content.decode()
    assert renders == [], "the reader got the stored page"
    call_command("render_pages", url="http://testserver", stdout=out)
    assert out.getvalue().strip().endswith("0 pages rendered and stored.")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "give the site's address"),
        ("testserver", "give the site's address"),
        ("http://testserver/sub/", "without a path"),
        ("http://elsewhere.example", "not in ALLOWED_HOSTS"),
    ],
)
def test_render_pages_says_which_address_it_needs(url, says, settings):
    from django.core.management import CommandError, call_command

    settings.SITE_URL = ""
    with pytest.raises(CommandError, match=says):
        call_command("render_pages", url=url)


def test_render_pages_shares_the_work_between_processes(make_article, publish_article):
    from django.core.management import call_command

    articles = [publish_article(make_article(f"Shard {n}")) for n in range(3)]
    counts = []
    for part in ("0/2", "1/2"):
        out = io.StringIO()
        call_command("render_pages", url="http://testserver", shard=part, stdout=out)
        counts.append(int(out.getvalue().split()[0]))
    assert sum(counts) == len(articles) and 0 not in counts
    assert all(RenderedPage.objects.get(article=article).html for article in articles)


@pytest.mark.parametrize("shard", ["2/2", "one/two", "0/0"])
def test_render_pages_refuses_a_share_that_is_not_one(shard):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=f"--shard {shard}: give K/N"):
        call_command("render_pages", url="http://testserver", shard=shard)


def test_a_day_written_in_a_form_the_marks_miss_is_never_shown_nor_stored(
    client, make_article, publish_article, monkeypatch
):
    article = publish_article(make_article("Unknown form"))
    forms = {name: write for name, write in rendered_pages._FORMS.items() if name != "mla"}
    monkeypatch.setattr(rendered_pages, "_FORMS", forms)
    with time_machine.travel(datetime.datetime(2031, 3, 2, 15, tzinfo=datetime.UTC)):
        html = client.get(article.get_absolute_url()).content.decode()
    assert "2999" not in html and "2 Mar. 2031" in page_text(html), "rendered for the day of the view"
    assert RenderedPage.objects.get(article=article).html == ""


def test_render_pages_stores_for_site_url_alone(settings):
    from django.core.management import CommandError, call_command

    settings.SITE_URL = "https://encyclopedia.example.org"
    settings.ALLOWED_HOSTS = ["encyclopedia.example.org", "testserver"]
    with pytest.raises(CommandError, match="SITE_URL is https://encyclopedia.example.org"):
        call_command("render_pages", url="http://testserver")
    call_command("render_pages", stdout=io.StringIO())


@pytest.mark.parametrize("title", ["Jet lag until December 31, 2999", "Knee sprain (2999 Dec 31)"])
def test_a_title_that_looks_like_the_placeholder_day_is_shown_as_approved(
    client, make_article, publish_article, title
):
    article = publish_article(make_article(title))
    for _ in range(2):  # rendered, then (if it could be stored) from the stored page
        _empty_caches()
        with time_machine.travel(datetime.datetime(2031, 3, 2, 15, tzinfo=datetime.UTC)):
            html = client.get(article.get_absolute_url()).content.decode()
        assert f"<h1>{title}</h1>" in html and "March 2, 2031" in page_text(html)
