"""The A–Z index and search: live publications only, ranked, and unbreakable (run on both databases)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from encyclopedia import search
from encyclopedia.models import AlternativeName, IndexEntry, SearchEntry, Section
from encyclopedia.search.backends import RANKED
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_article, publish_article):
    """A few live articles, one draft, with names chosen to test ranking and sorting."""

    def live(title, summary, body="", names=()):
        article = make_article(title, summary=summary, sections=1)
        if body:
            section = article.sections.first()
            section.body = body
            section.save()
        for position, name in enumerate(names, start=1):
            AlternativeName.objects.create(article=article, name=name, position=position)
        return publish_article(article)

    return {
        "cramps": live(
            "Muscle cramps", "A muscle cramp is a sudden tightening.", "Stretching helps.", ["Charley horse"]
        ),
        "spasms": live(
            "Hand or foot spasms",
            "Contractions of the hands or feet.",
            "Muscle cramps are one cause of spasms.",
            ["Carpopedal spasm", "Foot spasms"],
        ),
        "thyroid": live(
            "The thyroid gland", "A gland in the neck.", "It makes hormones.", ["Thyroid gland, the"]
        ),
        "numbers": live("5-HIAA test", "A urine test.", "", []),
        "accent": live("Éclampsie", "Sample text about pregnancy.", "", []),
        "draft": make_article("Secret cramp cure", summary="Unapproved muscle cramp words."),
    }


# ---------------------------------------------------------------- A–Z


def test_letter_pages_list_titles_and_see_entries_in_reader_order(client, library):
    html = client.get("/ency/encyclopedia_C.htm").content.decode()
    spasms = library["spasms"].public_id
    assert f'Carpopedal spasm, see <a href="/ency/article/{spasms}.htm">Hand or foot spasms</a>' in html
    assert "Charley horse, see" in html
    assert html.index("Carpopedal") < html.index("Charley")
    t_page = client.get("/ency/encyclopedia_T.htm").content.decode()
    assert ">The thyroid gland</a>" in t_page, "a leading “The” is ignored: under T for thyroid"
    assert "Thyroid gland, the, see" not in t_page, "a name that sorts like its title is not repeated"
    assert "5-HIAA test" in client.get("/ency/encyclopedia_0-9.htm").content.decode()
    assert "Éclampsie" in client.get("/ency/encyclopedia_E.htm").content.decode()
    assert client.get("/ency/encyclopedia_%.htm").status_code == 404


def test_the_letter_bar_is_on_every_index_page(client, library):
    for url in ("/ency/", "/ency/encyclopedia_M.htm", "/ency/search/?q=cramp"):
        html = client.get(url).content.decode()
        assert 'aria-label="Browse the encyclopedia by letter"' in html, url
        assert 'href="/ency/encyclopedia_0-9.htm"' in html, url


def test_sort_keys():
    assert search.sort_key("The Thyroid, Gland!") == "thyroid gland"
    assert search.sort_key("Éclampsie") == "eclampsie"
    assert search.letter("5-HIAA test") == "0-9"
    assert search.letter("the Zebra") == "Z"


def test_drafts_are_in_no_index(client, library):
    assert not IndexEntry.objects.filter(label__icontains="Secret").exists()
    assert "Secret cramp cure" not in client.get("/ency/encyclopedia_S.htm").content.decode()
    assert "Secret" not in client.get("/ency/search/?q=secret").content.decode().split("<main")[1]


def test_edits_in_draft_do_not_reach_search_until_approved(client, library):
    article = library["cramps"]
    edit(article, make_user("ed", "Editors"), "Zebrafish words only in the draft.")
    submit(article, make_user("ed2", "Editors"))
    assert "Zebrafish" not in client.get("/ency/search/?q=zebrafish").content.decode()


def test_withdrawn_articles_leave_search_and_the_index(client, library):
    withdraw(library["spasms"], make_user("dir", "Editorial directors"), reason="Gone")
    assert not SearchEntry.objects.filter(article=library["spasms"]).exists()
    assert "Carpopedal" not in client.get("/ency/encyclopedia_C.htm").content.decode()
    assert "Hand or foot spasms" not in client.get("/ency/search/?q=spasms").content.decode()


# ---------------------------------------------------------------- search


def titles(client, query: str) -> list[str]:
    results = search.search(query)
    return [r.title for r in results.results]


def test_title_matches_rank_first(library, client):
    ranked = titles(client, "muscle cramps")
    assert ranked[0] == "Muscle cramps"
    assert "Hand or foot spasms" in ranked


def test_alternative_names_are_searched(library, client):
    assert titles(client, "carpopedal") == ["Hand or foot spasms"]


def test_phrases_and_prefixes(library, client):
    assert titles(client, '"cause of spasms"') == ["Hand or foot spasms"]
    assert titles(client, '"spasms of cause"') == []
    assert "Hand or foot spasms" in titles(client, "spasm*")
    assert titles(client, "contract*") == ["Hand or foot spasms"]


def test_snippets_highlight_matches_and_are_escaped(library, client, make_article, publish_article):
    article = make_article("Hostile", summary="<script>alert(1)</script> hostile zeta words")
    publish_article(article)
    result = search.search("zeta").results[0]
    assert "<mark>zeta</mark>" in result.snippet.lower()
    html = client.get("/ency/search/?q=zeta").content.decode()
    assert "<script>alert(1)" not in html


def test_a_match_only_in_the_body_is_shown_in_context_with_each_form_marked(make_article, publish_article):
    """The summary says nothing of the query: the snippet is the body's, from a little before the
    first match, every form of the word marked (the stems match)."""
    article = make_article("Leg pain", summary="A sample summary with nothing to find.", sections=1)
    section = article.sections.first()
    words = " ".join(f"word{n}" for n in range(300))
    section.body = f"{words} Cramping at night wakes some people; the cramps pass. {words}"
    section.save()
    publish_article(article)
    snippet = search.search("cramps").results[0].snippet
    assert "<mark>Cramping</mark> at night" in snippet and "the <mark>cramps</mark> pass" in snippet
    assert len(snippet) < 400, "a snippet, not the body"


@pytest.mark.parametrize(
    ("query", "body", "shown"),
    [
        ("cramps", "Wait… wait… ½ wait™… The cramps pass.", "The <mark>cramps</mark> pass"),
        ("kidneys", "The kidney filters the blood.", "The <mark>kidney</mark> filters"),
        ("arteries", "A blocked artery.", "A blocked <mark>artery</mark>"),
        ("infect*", "An infection spreads.", "An <mark>infection</mark> spreads"),
    ],
    ids=["characters-that-fold-longer", "a-stem-unlike-the-word", "y-to-i", "a-prefix"],
)
def test_a_body_match_is_marked_however_it_is_written(make_article, publish_article, query, body, shown):
    article = make_article("Sample", summary="A summary with nothing to find.", sections=1)
    Section.objects.filter(article=article).update(body=body)
    publish_article(article)
    assert shown in search.search(query).results[0].snippet


def test_a_quoted_phrase_is_shown_where_its_words_stand_together(make_article, publish_article):
    article = make_article("Sample", summary="A summary with nothing to find.", sections=1)
    filler = " ".join(f"word{n}" for n in range(60))
    body = f"Cramping comes first. Then a leg may ache. {filler} Nighttime leg cramps are common."
    Section.objects.filter(article=article).update(body=body)
    publish_article(article)
    assert (
        "Nighttime <mark>leg</mark> <mark>cramps</mark> are"
        in search.search('"leg cramps"').results[0].snippet
    )


def test_an_editors_control_characters_make_no_marks(make_article, publish_article, client):
    """Two control characters stand for <mark> in the databases' snippets: pasted into a
    summary they are dropped, and the match in the body is the one marked."""
    article = make_article("Sample", summary="Sum \x02fake\x03 mark.", sections=1)
    Section.objects.filter(article=article).update(body="The sumctrl word.")
    publish_article(article)
    snippet = search.search("sumctrl").results[0].snippet
    assert "<mark>sumctrl</mark>" in snippet and "fake</mark>" not in snippet
    assert "\x02" not in client.get("/ency/feed/").content.decode()


def test_an_exact_id_title_or_name_goes_straight_to_the_article(client, library):
    spasms = library["spasms"]
    for query in (spasms.public_id, "hand or foot spasms", "Carpopedal spasm"):
        response = client.get("/ency/search/", {"q": query})
        assert response.status_code == 302, query
        assert response["Location"] == f"/ency/article/{spasms.public_id}.htm"
    draft = library["draft"]
    assert client.get("/ency/search/", {"q": draft.public_id}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        '"',
        '""',
        "***",
        "AND OR NOT NEAR",
        "'; DROP TABLE encyclopedia_article; --",
        "cramp) OR (1=1",
        "title:cramp",
        "a" * 10_000,
        "muscle " * 2_000,
        "🦵💥 cramps",
        "\x00\x01",
        "-cramps +spasms ~x ^y :z",
        "<script>alert(1)</script>",
        "%s %d {} \\",
    ],
)
def test_any_query_gets_a_page_never_an_error(client, library, query):
    response = client.get("/ency/search/", {"q": query})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Search the Medical Encyclopedia" in response.content.decode()
    assert search.search("cramps").total == 2, "the index still answers afterwards"


def test_no_results_page_helps(client, library):
    html = client.get("/ency/search/?q=crampz").content.decode()
    assert "No article matches" in html
    assert "Muscle cramps" in html, "a suggestion from the index"
    assert 'href="/ency/encyclopedia_A.htm"' in html


def test_pagination(client, make_article, publish_article):
    for number in range(23):
        publish_article(make_article(f"Ache number {number}", summary="An ache sample."))
    first = search.search("ache", page=1)
    third = search.search("ache", page=3)
    assert (first.total, first.pages, len(first.results), len(third.results)) == (23, 3, 10, 3)
    html = client.get("/ency/search/?q=ache&page=2").content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert client.get("/ency/search/?q=ache&page=oops").status_code == 200
    assert client.get("/ency/search/?q=ache&page=99999999").status_code == 200


def test_more_matches_than_are_ranked_page_through_once_each_title_match_first(make_article, publish_article):
    """PostgreSQL ranks a bounded set of the matches in full (``RANKED``); paging on past it
    must neither repeat nor skip an article, and a title match still comes first."""
    mentions = RANKED + 6
    for number in range(mentions):
        article = make_article(f"Note {number:02d}", sections=1, summary="A sample.")
        section = article.sections.first()
        section.body = "Quillwort " * (1 + number % 5) + "grows here."
        section.save()
        publish_article(article)
    named = publish_article(make_article("Zoo quillwort", summary="A sample."))
    first = search.search("quillwort")
    assert (first.total, first.results[0].public_id) == (mentions + 1, named.public_id)
    seen = [
        r.public_id for page in range(1, first.pages + 1) for r in search.search("quillwort", page).results
    ]
    assert len(seen) == len(set(seen)) == mentions + 1


def test_matches_that_score_the_same_come_in_title_order_page_after_page(make_article, publish_article):
    """Equal scores are ordered by title, on every page: a broad query's pages are cut by score
    before its titles are read (SQLite), and no article is repeated or skipped at a cut."""
    numbers = [17, 3, 22, 9, 0, 14, 25, 6, 11, 19, 1, 24, 8, 15, 4, 20, 12, 2, 23, 7, 16, 10, 5, 21, 13, 18]
    for number in numbers:  # made out of title order, so that the ids do not give it
        article = make_article(f"Tie {number:02d}", sections=1, summary="A sample.")
        section = article.sections.first()
        section.body = "Marshwort grows here."
        section.save()
        publish_article(article)
    first = search.search("marshwort")
    found = [r.title for page in range(1, first.pages + 1) for r in search.search("marshwort", page).results]
    assert (first.total, first.pages) == (26, 3)
    assert found == [f"Tie {number:02d}" for number in range(26)]


def test_a_signed_in_readers_search_follows_every_publish_and_withdrawal(make_article, publish_article):
    """A search the page cache does not answer still keeps its results (under the live
    generation): a publish or a withdrawal changes them for the very next search."""
    reader = Client()
    reader.force_login(make_user("reader"))
    first = publish_article(make_article("Moss rash", summary="A sample about moss."))

    def found() -> list[str]:
        html = reader.get("/ency/search/?q=moss").content.decode()
        return sorted(title for title in ("Moss rash", "Moss allergy") if title in html)

    assert found() == found() == ["Moss rash"]
    second = publish_article(make_article("Moss allergy", summary="Another sample about moss."))
    assert found() == ["Moss allergy", "Moss rash"]
    withdraw(first, make_user("director", "Editorial directors"), reason="Out of date")
    assert found() == ["Moss allergy"]
    withdraw(second, make_user("director2", "Editorial directors"), reason="Out of date")
    assert found() == []


def test_a_signed_in_readers_search_by_name_follows_every_publish_and_withdrawal(
    make_article, publish_article
):
    """A search naming an article sends the reader to it; that answer is kept too, and a publish
    or a withdrawal changes it for the very next search, by title, alternative name or id."""
    reader = Client()
    reader.force_login(make_user("reader"))
    make_article("Fenwort itch", summary="A sample about fenwort.")  # a draft: named by no search
    searches = ("/ency/search/?q=fenwort+itch", "/ency/search/?q=FENWORT+ITCH")

    def sent_to(address: str) -> str | None:
        response = reader.get(address)
        return response["Location"] if response.status_code == 302 else None

    assert [sent_to(address) for address in searches * 2] == [None] * 4
    article = publish_article(make_article("Fenwort itch", summary="A sample about fenwort."))
    by_id = f"/ency/search/?q={article.public_id}"
    for address in [*searches, by_id] * 2:
        assert sent_to(address) == article.get_absolute_url(), address
    withdraw(article, make_user("director", "Editorial directors"), reason="Out of date")
    for address in [*searches, by_id]:
        assert sent_to(address) is None, address


def test_full_text_rows_without_an_entry_leave_no_page_short(make_article, publish_article):
    """SQLite's full-text table has no foreign key: rows left behind by a repair done by hand
    must not take places on a page that only the entries can fill."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's full-text table only: PostgreSQL searches the entries' own rows")
    for number in range(12):
        summary = "Fernwort " * (number + 1) + "grows here."  # twelve different scores
        publish_article(make_article(f"Fern {number:02d}", sections=1, summary=summary))
    with connection.cursor() as cursor:
        for rowid in range(990_001, 990_006):  # stronger matches than any entry's, with no entry
            cursor.execute(
                "INSERT INTO encyclopedia_search_fts (rowid, title, names, summary, body) VALUES (%s, %s, '', '', '')",
                [rowid, "Fernwort fernwort"],
            )
    pages = [search.search("fernwort", page).results for page in (1, 2)]
    assert [len(results) for results in pages] == [10, 2]
    assert sorted(r.title for results in pages for r in results) == [f"Fern {n:02d}" for n in range(12)]


def test_search_as_you_type(client, library):
    data = client.get("/ency/search/suggest/?q=car").json()
    assert data["suggestions"][0] == {
        "label": "Carpopedal spasm",
        "see": "Hand or foot spasms",
        "id": library["spasms"].public_id,
    }
    assert client.get("/ency/search/suggest/?q=").json() == {"suggestions": []}


def test_rebuilding_gives_the_same_index(library):
    before = sorted(IndexEntry.objects.values_list("label", "letter", "sort_key"))
    assert search.rebuild() == 5
    assert sorted(IndexEntry.objects.values_list("label", "letter", "sort_key")) == before
    assert titles(None, "carpopedal") == ["Hand or foot spasms"]


def test_rebuilding_the_index_shows_at_once_in_cached_searches_and_letter_pages(library):
    """``rebuild_search_index`` repairs an index out of step with what is live (a restore from an
    older backup, say): the searches and letter pages cached before it must not hide the repair."""
    thyroid = library["thyroid"]
    SearchEntry.objects.filter(article=thyroid).delete()
    IndexEntry.objects.filter(article=thyroid).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM encyclopedia_search_fts WHERE rowid = %s", [thyroid.pk])
    reader, anonymous = Client(), Client()
    reader.force_login(make_user("reader"))

    def shown() -> list[bool]:
        link = thyroid.get_absolute_url()
        pages = [reader.get("/ency/search/?q=hormones"), anonymous.get("/ency/search/?q=hormones")]
        pages.append(anonymous.get("/ency/encyclopedia_T.htm"))
        return [link in page.content.decode() for page in pages]

    assert shown() == shown() == [False, False, False]
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert shown() == [True, True, True]


# ---------------------------------------------------------------- the same answers on both databases


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("eclampsie", ["Éclampsie"]),
        ("Éclampsie pregnancy", ["Éclampsie"]),
        ("muscle's cramps", ["Muscle cramps", "Hand or foot spasms"]),
        ("cramps of muscle", ["Muscle cramps", "Hand or foot spasms"]),
        ("the", []),
        ("of the and", []),
    ],
)
def test_the_same_query_finds_the_same_articles_on_either_database(library, query, expected):
    assert titles(None, query) == expected


def test_an_accented_exact_name_goes_straight_to_its_article(client, library):
    response = client.get("/ency/search/", {"q": "éclampsie"})
    assert response.status_code == 302
    assert response["Location"] == f"/ency/article/{library['accent'].public_id}.htm"


def test_a_page_past_the_last_shows_the_last(client, make_article, publish_article):
    for number in range(12):
        publish_article(make_article(f"Ache number {number}", summary="An ache sample."))
    results = search.search("ache", page=7)
    assert (results.page, len(results.results)) == (2, 2)


def test_lowercase_letter_pages_redirect(client, library):
    response = client.get("/ency/encyclopedia_c.htm")
    assert response.status_code == 301 and response["Location"] == "/ency/encyclopedia_C.htm"


def test_the_index_is_sorted_the_same_whatever_the_database_collation(client, make_article, publish_article):
    for title in ("Handedness", "Hand or foot", "Hand-foot-mouth disease", "hand washing"):
        publish_article(make_article(title))
    html = client.get("/ency/encyclopedia_H.htm").content.decode()
    order = [
        html.index(f">{title}</a>")
        for title in ("Hand or foot", "hand washing", "Handedness", "Hand-foot-mouth disease")
    ]
    assert order == sorted(order)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_the_search_indexes_keep_no_pending_list():
    """With GIN's pending list, once about 1,000 articles had been written since the last VACUUM
    every search read all the vectors (65 ms and more per scan): each index takes new entries in
    at once (migration 0023), and an index added later must too."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = 'encyclopedia_searchentry'::regclass AND am.amname = 'gin'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"encyclopedia_searchentry_vector_gin", "encyclopedia_searchentry_head_gin"}
    assert all("fastupdate=off" in (options or []) for options in found.values())
