"""The admin is usable: lists, search, inlines, warnings, and every save is a recorded revision."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from encyclopedia.models import Article, Citation
from tests.factories import article_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    client.user = user
    return client


def test_add_article_through_the_admin_records_a_revision_and_warns_about_links(admin_client):
    response = admin_client.post("/admin/encyclopedia/article/add/", article_form(), follow=True)
    assert response.status_code == 200
    article = Article.objects.get(title="Leg cramps")
    assert article.public_id == "000001"
    assert [s.heading_text for s in article.sections.all()] == ["Causes", "Living with cramps"]
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == admin_client.user
    messages = [str(m) for m in response.context["messages"]]
    assert any("article 777777 will show as plain text" in m for m in messages), messages


def test_a_section_with_both_heading_kinds_is_refused_with_a_message(admin_client):
    data = article_form(**{"sections-0-custom_heading": "Also custom"})
    response = admin_client.post("/admin/encyclopedia/article/add/", data)
    assert response.status_code == 200
    assert "Choose a standard heading or type a custom one" in response.content.decode()
    assert not Article.objects.exists()


def test_admin_pages_load(admin_client, imported_seed):
    pk = imported_seed.pk
    for url in [
        "/admin/",
        "/admin/encyclopedia/article/",
        "/admin/encyclopedia/article/?q=Carpopedal",
        "/admin/encyclopedia/article/?status=live_draft&article_type__exact=symptom",
        f"/admin/encyclopedia/article/{pk}/change/",
        f"/admin/encyclopedia/article/{pk}/history/",
        "/admin/encyclopedia/article/add/",
        "/admin/encyclopedia/citation/",
        f"/admin/encyclopedia/citation/{Citation.objects.first().pk}/change/",
        "/admin/encyclopedia/reviewer/",
        "/admin/encyclopedia/sectionheading/",
        "/admin/encyclopedia/accreditationnotice/add/",
        "/admin/encyclopedia/sitesettings/1/change/",
        "/admin/encyclopedia/publication/",
        "/admin/editorial/auditevent/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_search_finds_articles_by_alternative_name(admin_client, imported_seed):
    response = admin_client.get("/admin/encyclopedia/article/?q=Carpopedal")
    assert "Hand or foot spasms" in response.content.decode()
    response = admin_client.get("/admin/encyclopedia/article/?q=nothing-like-this")
    assert "Hand or foot spasms" not in response.content.decode()


def test_public_id_is_read_only_once_created(admin_client, make_article):
    article = make_article("Fixed id")
    html = admin_client.get(f"/admin/encyclopedia/article/{article.pk}/change/").content.decode()
    assert 'name="public_id"' not in html
    assert article.public_id in html


# The article list: a constant number of queries, whatever the number of rows (issue 6).

CHANGELISTS = [
    "/admin/encyclopedia/article/",
    "/admin/encyclopedia/article/?status=live&article_type__exact=disease&review=overdue&o=1",
    "/admin/encyclopedia/article/?reviewer__id__exact={reviewer}&article_type__exact=disease",
    "/admin/encyclopedia/article/?q=asthma",
    "/admin/encyclopedia/article/?review=due_30&specialty=Pulmonology+1&state__exact=published",
    "/admin/encyclopedia/article/?_facets=1",
]


def add_articles(count: int, publish_article, start: int = 0) -> None:
    """``count`` more articles: every column filled, every fifth live and overdue for review."""
    from encyclopedia.models import AlternativeName, Reviewer

    for number in range(start, start + count):
        reviewer = Reviewer.objects.create(name=f"Reviewer {number}", credentials="MD")
        article = Article.objects.create(
            title=f"Asthma {number}",
            article_type="disease",
            summary="A sample summary.",
            review_date=datetime.date(2020, 1, 1),
            reviewer=reviewer,
            specialty=f"Pulmonology {number}",
        )
        AlternativeName.objects.create(article=article, name=f"Wheezing asthma {number}", position=1)
        AlternativeName.objects.create(article=article, name=f"Asthma attack {number}", position=2)
        if number % 5 == 0:
            publish_article(article)


def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_the_article_list_makes_as_many_queries_for_50_articles_as_for_5(admin_client, publish_article):
    from encyclopedia.models import Reviewer

    add_articles(5, publish_article)
    reviewer = Reviewer.objects.get(name="Reviewer 0")
    urls = [url.format(reviewer=reviewer.pk) for url in CHANGELISTS]
    few = {url: changelist_queries(admin_client, url) for url in urls}
    add_articles(45, publish_article, start=5)
    many = {url: changelist_queries(admin_client, url) for url in urls}
    assert many == few
    html = admin_client.get("/admin/encyclopedia/article/").content.decode()
    assert html.count('name="_selected_action"') == 50


def test_the_article_list_says_how_many_match_and_keeps_the_filters_in_its_links(
    admin_client, publish_article
):
    add_articles(10, publish_article)
    url = "/admin/encyclopedia/article/?status=live&q=asthma"
    html = admin_client.get(url).content.decode()
    assert "2 results (" in html and "10 total" in html
    # Each article's link leads back to this list: the filters travel with it.
    article = Article.objects.get(title="Asthma 5")
    link = f'/admin/encyclopedia/article/{article.pk}/change/?_changelist_filters=status%3Dlive%26q%3Dasthma"'
    assert html.count(link) == 2  # the id and the title


def test_the_article_list_checkboxes_are_djangos(admin_client, make_article):
    from django.contrib import admin

    article = make_article('Cramps & "spasms" <b>')
    html = admin_client.get("/admin/encyclopedia/article/").content.decode()
    django_checkbox = admin.ModelAdmin.action_checkbox(admin.site.get_model_admin(Article), article)
    assert django_checkbox in html


def test_a_search_lists_an_article_once_however_many_of_its_names_match(
    admin_client, publish_article, make_article
):
    add_articles(3, publish_article)
    make_article("Acne")
    html = admin_client.get("/admin/encyclopedia/article/?q=asthma").content.decode()
    assert html.count('name="_selected_action"') == 3
    assert "3 results (" in html and "4 total" in html
    html = admin_client.get('/admin/encyclopedia/article/?q="attack 1" wheezing').content.decode()
    assert html.count('name="_selected_action"') == 1 and "Asthma 1" in html
    html = admin_client.get(
        f"/admin/encyclopedia/article/?q={Article.objects.get(title='Asthma 2').public_id}"
    )
    assert "Asthma 2" in html.content.decode()


def test_the_specialty_filter_offers_each_specialty_once(admin_client, make_article):
    for title in ["Asthma", "Bronchitis", "Croup"]:
        make_article(title, specialty="Pulmonology")
    make_article("Acne", specialty="Dermatology")
    html = admin_client.get("/admin/encyclopedia/article/").content.decode()
    assert html.count("?specialty=Pulmonology") == 1
    assert html.count("?specialty=Dermatology") == 1


def test_the_count_beside_each_filter_choice_is_the_number_listed(
    admin_client, publish_article, make_article
):
    add_articles(6, publish_article)
    make_article("Acne", specialty="Dermatology", review_date=None)
    publish_article(make_article("Asthma in children", specialty="Pediatrics"))
    for url in ["/admin/encyclopedia/article/?_facets=1", "/admin/encyclopedia/article/?q=asthma&_facets=1"]:
        changelist = admin_client.get(url).context["cl"]
        checked = 0
        for spec in changelist.filter_specs:
            if getattr(spec, "parameter_name", None) not in ("status", "review", "specialty"):
                continue
            for choice in list(spec.choices(changelist))[1:]:
                shown = int(re.search(r"\((\d+)\)$", str(choice["display"])).group(1))
                chosen = admin_client.get("/admin/encyclopedia/article/" + choice["query_string"])
                assert shown == chosen.context["cl"].result_count, (url, choice["display"])
                checked += shown
        assert checked > 0


# Typing an article's id (issue "Honest records and any input").


def test_only_editorial_directors_type_a_new_articles_id(client):
    from editorial import roles
    from tests.factories import make_user

    editor = make_user("ed", roles.EDITORS)
    client.force_login(editor)
    assert 'name="public_id"' not in client.get("/admin/encyclopedia/article/add/").content.decode()
    response = client.post("/admin/encyclopedia/article/add/", article_form(public_id="123456"))
    assert response.status_code == 302
    assert Article.objects.get(title="Leg cramps").public_id == "000001", "the typed id is ignored"

    client.force_login(make_user("chief", roles.EDITORIAL_DIRECTORS))
    assert 'name="public_id"' in client.get("/admin/encyclopedia/article/add/").content.decode()
    response = client.post(
        "/admin/encyclopedia/article/add/", article_form(public_id="123456", title="Typed")
    )
    assert response.status_code == 302
    assert Article.objects.get(title="Typed").public_id == "123456"


@pytest.mark.parametrize(
    ("public_id", "message"),
    [
        ("900000", "Ids from 900000 up are kept for sample content"),
        ("987654", "Ids from 900000 up are kept for sample content"),
        ("000000", "000000 is not an article id"),
    ],
)
def test_the_add_form_refuses_sample_ids_and_000000(admin_client, public_id, message):
    response = admin_client.post("/admin/encyclopedia/article/add/", article_form(public_id=public_id))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_deleted_articles_id_is_a_form_error_naming_it_not_a_500(admin_client):
    from editorial.actions.delete import delete

    admin_client.post(
        "/admin/encyclopedia/article/add/", article_form(public_id="004321", title="Old cramps")
    )
    delete(Article.objects.get(public_id="004321"), admin_client.user)
    response = admin_client.post("/admin/encyclopedia/article/add/", article_form(public_id="004321"))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    assert "Article id 004321 belonged to the deleted article “Old cramps (004321)”" in text
    assert "Recover deleted articles" in text
    assert not Article.objects.exists()
