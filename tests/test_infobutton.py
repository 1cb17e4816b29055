"""Coded articles and the HL7 Infobutton service: an EHR's request for a code finds the live
article that explains it, in Atom, JSON or JSONP, and never a draft's or a withdrawn article's."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from editorial import roles
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import approve
from editorial.actions.merge import merge
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.diff import compare, from_publication, from_working_copy
from editorial.importer.parser import ParseError, parse_page
from encyclopedia import coding
from encyclopedia.models import Article, CodedConcept, CodeEntry, Reviewer
from tests.conftest import page_text
from tests.factories import edit, export_text, make_user, restore_text, wipe

pytestmark = pytest.mark.django_db

ICD10, ICD9, SNOMED, LOINC, CPT = (
    coding.CodeSystem.ICD10CM.value,
    coding.CodeSystem.ICD9CM.value,
    coding.CodeSystem.SNOMEDCT.value,
    coding.CodeSystem.LOINC.value,
    coding.CodeSystem.CPT.value,
)
ATOM = "{http://www.w3.org/2005/Atom}"
SERVICE = "/infobutton/service"


def add_code(article: Article, system: str, code: str, display: str = "", position: int = 1) -> None:
    row = CodedConcept(article=article, system=system, code=code, display_name=display, position=position)
    row.full_clean()
    row.save()


def ask(client, code: str, system: str = ICD10, **params: str):
    query = {"mainSearchCriteria.v.cs": system, "mainSearchCriteria.v.c": code, **params}
    return client.get(SERVICE, {key.replace("__", "."): value for key, value in query.items()})


def entries_json(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["feed"]["entry"]


def found(client, code: str, system: str = ICD10, **params: str) -> list[str]:
    response = ask(client, code, system, knowledgeResponseType="application/json", **params)
    return [entry["title"]["_value"] for entry in entries_json(response)]


@pytest.fixture
def diabetes(make_article, publish_article):
    article = make_article(
        "Type 2 diabetes", summary="Diabetes is a [long-term](https://example.org/) disease."
    )
    article.alternative_names.create(name="Diabetes mellitus type 2", position=1)
    add_code(article, ICD10, "E11", "Type 2 diabetes mellitus")
    add_code(article, SNOMED, "44054006", "Diabetes mellitus type 2", position=2)
    return publish_article(article)


# ---------------------------------------------------------------- the validators


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (ICD10, "E11"),
        (ICD10, "E11.65"),
        (ICD10, "S52.521A"),
        (ICD9, "250.00"),
        (ICD9, "V45.1"),
        (ICD9, "E880.9"),
        (SNOMED, "44054006"),
        (SNOMED, "73211009"),
        (SNOMED, "195967001"),
        (LOINC, "4548-4"),
        (LOINC, "2345-7"),
        (LOINC, "718-7"),
        (CPT, "99213"),
        (CPT, "0001F"),
    ],
)
def test_good_codes_pass_their_systems_rules(system, code):
    assert coding.problem(system, code) is None
    row = CodedConcept(article=Article(title="x"), system=system, code=code)
    row.clean()


@pytest.mark.parametrize(
    ("system", "code", "why"),
    [
        (ICD10, "E1", "ICD-10-CM"),
        (ICD10, "11.6", "ICD-10-CM"),
        (ICD10, "E11.65432", "ICD-10-CM"),
        (ICD10, "E11..6", "ICD-10-CM"),
        (ICD9, "25", "ICD-9-CM"),
        (LOINC, "4548-3", "check digit"),
        (LOINC, "2345-1", "check digit"),
        (LOINC, "45484", "LOINC"),
        (SNOMED, "44054007", "check digit"),
        (SNOMED, "73211008", "check digit"),
        (SNOMED, "12345", "6 to 18 digits"),
        (SNOMED, "044054006", "6 to 18 digits"),
        (SNOMED, "1234567890123456789", "6 to 18 digits"),
        (CPT, "9921", "CPT"),
        (CPT, "992133", "CPT"),
    ],
)
def test_bad_codes_are_refused_naming_the_field(system, code, why):
    assert why in coding.problem(system, code)
    row = CodedConcept(article=Article(title="x"), system=system, code=code)
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert why in " ".join(error.value.message_dict["code"])


def test_undotted_icd10_codes_are_read_as_ehrs_send_them():
    assert coding.normalize(ICD10, " e1165 ") == "E11.65"
    assert coding.parents(ICD10, "E11.65") == ["E11.65", "E11.6", "E11"]
    assert coding.parents(LOINC, "4548-4") == ["4548-4"]


# ---------------------------------------------------------------- matching


def test_an_exact_code_answers_with_the_live_article(client, diabetes):
    assert found(client, "E11") == ["Type 2 diabetes"]
    assert found(client, "44054006", SNOMED) == ["Type 2 diabetes"]


def test_icd_codes_fall_back_to_their_parents(client, diabetes, make_article, publish_article):
    assert found(client, "E11.65") == ["Type 2 diabetes"]
    assert found(client, "E1165") == ["Type 2 diabetes"]
    hyper = make_article("High blood sugar in diabetes")
    add_code(hyper, ICD10, "E11.6")
    publish_article(hyper)
    # The nearest code above that answers wins; the general article is not added to it.
    assert found(client, "E11.65") == ["High blood sugar in diabetes"]
    assert found(client, "E11.9") == ["Type 2 diabetes"]
    assert found(client, "E10.9") == []


def test_other_systems_do_not_fall_back(client, make_article, publish_article):
    test = make_article("Hemoglobin A1C test", article_type="test")
    add_code(test, LOINC, "4548-4")
    publish_article(test)
    assert found(client, "4548-4", LOINC) == ["Hemoglobin A1C test"]
    assert found(client, "2345-7", LOINC) == []


def test_no_code_match_falls_back_to_the_display_name(client, diabetes):
    assert found(client, "E10.9", mainSearchCriteria__v__dn="Type 2 diabetes") == ["Type 2 diabetes"]
    assert found(client, "E10.9", mainSearchCriteria__v__dn="diabetes") == ["Type 2 diabetes"]
    assert found(client, "E10.9", mainSearchCriteria__v__dn="Zzyzx unknown thing") == []


def test_at_most_three_results(client, make_article, publish_article):
    for number in range(5):
        article = make_article(f"Diabetes topic {number}")
        add_code(article, ICD10, "E11")
        publish_article(article)
    assert len(found(client, "E11")) == 3


def test_a_drafts_codes_never_answer(client, diabetes, make_article, publish_article):
    draft = make_article("Unpublished diabetes article")
    add_code(draft, ICD10, "E11.9")
    assert found(client, "E11.9") == ["Type 2 diabetes"]  # the parent's article, not the draft
    # A live article's new code, still a draft, does not answer either, until it is published.
    with reversion.create_revision():
        add_code(diabetes, LOINC, "4548-4", position=3)
    assert found(client, "4548-4", LOINC) == []
    publish_article(Article.objects.get(pk=diabetes.pk))
    assert found(client, "4548-4", LOINC) == ["Type 2 diabetes"]


def test_a_withdrawn_article_never_answers(client, diabetes):
    assert found(client, "E11") == ["Type 2 diabetes"]
    withdraw(diabetes, None, reason="Outdated")
    assert found(client, "E11") == []
    assert found(client, "E11", mainSearchCriteria__v__dn="Type 2 diabetes") == []
    assert not CodeEntry.objects.filter(article=diabetes).exists()


def test_a_merged_article_answers_as_its_target(client, diabetes, make_article, publish_article):
    old = make_article("Adult-onset diabetes")
    add_code(old, ICD9, "250.00")
    publish_article(old)
    assert found(client, "250.00", ICD9) == ["Adult-onset diabetes"]
    merge(Article.objects.get(pk=old.pk), None, into=Article.objects.get(pk=diabetes.pk))
    response = ask(client, "250.00", ICD9, knowledgeResponseType="application/json")
    entry = entries_json(response)[0]
    assert entry["title"]["_value"] == "Type 2 diabetes"
    assert entry["link"][0]["href"].endswith(f"/ency/article/{diabetes.public_id}.htm")
    assert found(client, "E11", ICD10) == ["Type 2 diabetes"]  # once, not twice


def test_other_languages_answer_empty_until_an_edition_exists(client, diabetes):
    assert found(client, "E11", informationRecipient__languageCode__c="es") == []
    assert found(client, "E11", informationRecipient__languageCode__c="en-US") == ["Type 2 diabetes"]


def test_an_english_request_never_answers_with_the_spanish_editions_words(client, diabetes):
    """The Spanish edition shares the article's id and sorts first ("Diabetes…" < "Type…")."""
    director = make_user("director", roles.EDITORIAL_DIRECTORS)
    editor = make_user("editor", roles.EDITORS)
    lucia = make_user("lucia", roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Lucía Revisora", credentials="MD", languages="en,es", user=lucia)
    edition = add_spanish_edition(diabetes, director)
    edition.title = "Diabetes tipo 2"
    edition.summary = "Resumen en español de la diabetes."
    edition.save()
    edit(Article.objects.get(pk=edition.pk), editor, "Texto traducido.")
    submit(Article.objects.get(pk=edition.pk), editor)
    approve(Article.objects.get(pk=edition.pk), User.objects.get(pk=lucia.pk))
    assert Article.objects.spanish().live().filter(public_id=diabetes.public_id).exists()
    for name in ("Type 2 diabetes", "diabetes"):
        response = ask(
            client, "E10.9", knowledgeResponseType="application/json", mainSearchCriteria__v__dn=name
        )
        (entry,) = entries_json(response)
        assert entry["title"]["_value"] == "Type 2 diabetes"
        assert "español" not in json.dumps(entry)


# ---------------------------------------------------------------- the response formats


def test_atom_feed_has_the_required_elements_and_echoes_the_request(client, diabetes):
    response = ask(client, "E11.65", mainSearchCriteria__v__dn="Type 2 diabetes with hyperglycemia")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert "public" in response["Cache-Control"]
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert "E11.65 Type 2 diabetes with hyperglycemia" in feed.find(f"{ATOM}title").text
    criteria = {c.get("scheme"): c.get("term") for c in feed.findall(f"{ATOM}category")}
    assert criteria["mainSearchCriteria.v.c"] == "E11.65"
    assert criteria["mainSearchCriteria.v.cs"] == ICD10
    assert criteria["mainSearchCriteria.v.dn"] == "Type 2 diabetes with hyperglycemia"
    [entry] = feed.findall(f"{ATOM}entry")
    for name in ("id", "title", "updated", "summary", "link", "rights"):
        assert entry.find(f"{ATOM}{name}") is not None, name
    link = entry.find(f"{ATOM}link")
    assert re.fullmatch(rf"https?://[^/]+/ency/article/{diabetes.public_id}\.htm", link.get("href"))
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html" and "<p>Diabetes is a" in summary.text
    assert "Diabetes mellitus type 2" in response.content.decode()
    assert "2026-01-15" in response.content.decode()  # the review date
    assert "Example Health Publishing" in entry.find(f"{ATOM}rights").text


def test_no_match_is_an_empty_feed_not_an_error(client, diabetes):
    response = ask(client, "J45.909")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall(f"{ATOM}entry") == []
    response = ask(client, "J45.909", knowledgeResponseType="application/json")
    assert response.json()["feed"]["entry"] == []


def test_json_is_the_feed_as_json(client, diabetes):
    response = ask(client, "E11", knowledgeResponseType="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    feed = response.json()["feed"]
    assert feed["lang"] == "en"
    assert {"scheme": "mainSearchCriteria.v.c", "term": "E11"} in feed["category"]
    [entry] = feed["entry"]
    assert entry["summary"]["type"] == "html"
    assert [name["_value"] for name in entry["alternativeName"]] == ["Diabetes mellitus type 2"]
    assert entry["reviewDate"]["_value"] == "2026-01-15"
    assert entry["rights"]["_value"].startswith("From the Medical Encyclopedia")


def test_jsonp_wraps_the_json_in_the_callback(client, diabetes):
    response = ask(client, "E11", knowledgeResponseType="text/javascript", callback="ehr.showInfo_1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    match = re.fullmatch(r"/\*\*/ehr\.showInfo_1\((.*)\);", body, re.S)
    assert match, body[:80]
    assert json.loads(match.group(1))["feed"]["entry"][0]["title"]["_value"] == "Type 2 diabetes"


@pytest.mark.parametrize(
    "callback",
    ["alert(1)//", "a b", "1abc", "x" * 65, "</script>", "a;alert(1)", "", "f\u2028"],
)
def test_a_hostile_jsonp_callback_is_refused(client, diabetes, callback):
    response = ask(client, "E11", knowledgeResponseType="text/javascript", callback=callback)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["parameter"] == "callback"
    assert "alert" not in response.content.decode().replace(callback, "")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"mainSearchCriteria.v.c": "E11"}, "mainSearchCriteria.v.cs"),
        ({"mainSearchCriteria.v.cs": "1.2.3", "mainSearchCriteria.v.c": "E11"}, "mainSearchCriteria.v.cs"),
        ({"mainSearchCriteria.v.cs": ICD10}, "mainSearchCriteria.v.c"),
        ({"mainSearchCriteria.v.cs": ICD10, "mainSearchCriteria.v.c": "  "}, "mainSearchCriteria.v.c"),
        ({"mainSearchCriteria.v.cs": LOINC, "mainSearchCriteria.v.c": "4548-3"}, "mainSearchCriteria.v.c"),
        ({"mainSearchCriteria.v.cs": ICD10, "mainSearchCriteria.v.c": "E11\x00"}, "mainSearchCriteria.v.c"),
        (
            {
                "mainSearchCriteria.v.cs": ICD10,
                "mainSearchCriteria.v.c": "E11",
                "knowledgeResponseType": "text/html",
            },
            "knowledgeResponseType",
        ),
        (
            {
                "mainSearchCriteria.v.cs": ICD10,
                "mainSearchCriteria.v.c": "E11",
                "informationRecipient.languageCode.c": "e",
            },
            "informationRecipient.languageCode.c",
        ),
        (
            {
                "mainSearchCriteria.v.cs": ICD10,
                "mainSearchCriteria.v.c": "E11",
                "mainSearchCriteria.v.dn": "x" * 501,
            },
            "mainSearchCriteria.v.dn",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["text/xml", "application/json", "text/javascript"])
def test_bad_parameters_answer_400_naming_them_in_the_requested_format(client, params, parameter, kind):
    query = {"knowledgeResponseType": kind, "callback": "cb", **params}
    response = client.get(SERVICE, query)
    assert response.status_code == 400
    asked = query["knowledgeResponseType"]
    body = response.content.decode()
    if asked == "text/javascript":
        assert body.startswith("/**/cb(")
        assert json.loads(body[len("/**/cb(") : -2])["error"]["parameter"] == parameter
    elif asked == "application/json":
        assert response.json()["error"]["parameter"] == parameter
    else:
        error = ET.fromstring(response.content)
        assert error.get("parameter") == parameter and parameter in error.text


# ---------------------------------------------------------------- caching


def test_answers_are_cached_until_the_next_publish(
    client, diabetes, make_article, publish_article, django_assert_num_queries
):
    assert found(client, "4548-4", LOINC) == []
    with django_assert_num_queries(0):  # the page cache answers
        assert found(client, "4548-4", LOINC) == []
    test = make_article("Hemoglobin A1C test", article_type="test")
    add_code(test, LOINC, "4548-4")
    publish_article(test)
    assert found(client, "4548-4", LOINC) == ["Hemoglobin A1C test"]


# ---------------------------------------------------------------- the application page


def test_the_application_page_shows_the_matches_for_a_patient(client, diabetes):
    response = client.get(
        "/infobutton/application",
        {"mainSearchCriteria.v.cs": ICD10, "mainSearchCriteria.v.c": "E11.65"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Results for ICD-10-CM E11.65" in html
    assert f'href="/ency/article/{diabetes.public_id}.htm"' in html
    assert "Diabetes is a" in html


def test_the_application_page_offers_a_search_box_when_nothing_matches(client, diabetes):
    response = client.get(
        "/infobutton/application",
        {
            "mainSearchCriteria.v.cs": ICD10,
            "mainSearchCriteria.v.c": "J45.909",
            "mainSearchCriteria.v.dn": "Asthma",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'value="Asthma"' in html
    bad = client.get("/infobutton/application", {"mainSearchCriteria.v.c": "E11"})
    assert bad.status_code == 400
    assert "This link does not say which health topic to show." in bad.content.decode()
    assert "mainSearchCriteria" not in page_text(bad.content.decode())


def test_the_application_page_says_a_bad_code_plainly_and_the_service_names_the_parameter(client):
    asked = {"mainSearchCriteria.v.cs": ICD10, "mainSearchCriteria.v.c": "E1"}
    page = client.get("/infobutton/application", {**asked, "mainSearchCriteria.v.dn": "Diabetes"})
    assert page.status_code == 400
    text = page_text(page.content.decode())
    assert "“E1” is not a code we recognise. Search the encyclopedia instead:" in text
    assert "mainSearchCriteria" not in text and ".)." not in text and ".." not in text
    assert 'role="search"' in page.content.decode() and 'value="Diabetes"' in page.content.decode()
    service = client.get("/infobutton/service", {**asked, "knowledgeResponseType": "application/json"})
    assert service.status_code == 400
    answered = json.dumps(service.json(), ensure_ascii=False)
    assert "mainSearchCriteria.v.c: “E1” is not an ICD-10-CM code" in answered


# ---------------------------------------------------------------- the working copy


def test_codes_are_frozen_into_the_publication_and_shown_in_diffs(diabetes):
    live = Article.objects.get(pk=diabetes.pk).live_publication
    assert live.codes[0] == {"system": ICD10, "code": "E11", "display": "Type 2 diabetes mellitus"}
    with reversion.create_revision():
        add_code(diabetes, LOINC, "4548-4", "Hemoglobin A1c", position=3)
    diff = compare(from_publication(live), from_working_copy(Article.objects.get(pk=diabetes.pk)))
    assert diff.has_changes
    assert diff.codes.added == ["LOINC 4548-4 Hemoglobin A1c"]


def test_codes_survive_export_and_restore(client, diabetes):
    text = export_text()
    wipe()
    restore_text(text)
    restored = Article.objects.get(public_id=diabetes.public_id)
    assert [c.code for c in restored.codes.all()] == ["E11", "44054006"]
    assert found(client, "E11.65") == ["Type 2 diabetes"]


PAGE = """Gestational diabetes

Gestational diabetes is high blood sugar that starts during pregnancy.

Causes

Hormones of pregnancy.

Codes: ICD-10-CM O24.4 Gestational diabetes mellitus; SNOMED CT 11687002; LOINC 4548-4

Review Date 3/31/2025

Updated by: Joan Example, MD, Example University Hospital, Springfield, IL.
"""


def test_the_codes_line_of_a_page_is_read():
    page = parse_page(PAGE)
    assert [(c.system, c.code, c.display_name) for c in page.codes] == [
        (ICD10, "O24.4", "Gestational diabetes mellitus"),
        (SNOMED, "11687002", ""),
        (LOINC, "4548-4", ""),
    ]
    assert all("Codes" not in section.body for section in page.sections)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Codes: LOINC 4548-3", "check digit"),
        ("Codes: MeSH D003924", "is not a code system"),
        ("Codes: ICD-10-CM E11; ICD-10-CM E11", "listed twice"),
        ("Codes:", "names no code"),
    ],
)
def test_a_bad_codes_line_names_its_line(line, words):
    with pytest.raises(ParseError) as error:
        parse_page(
            PAGE.replace(
                "Codes: ICD-10-CM O24.4 Gestational diabetes mellitus; SNOMED CT 11687002; LOINC 4548-4", line
            )
        )
    assert error.value.line == 9
    assert words in error.value.message


def test_an_imported_page_answers_with_its_codes(client):
    from editorial.actions.import_article import import_page

    import_page(parse_page(PAGE), source="gestational.txt")
    assert found(client, "O24.410") == ["Gestational diabetes"]
    assert found(client, "4548-4", LOINC) == ["Gestational diabetes"]


# ---------------------------------------------------------------- the admin inline


def test_the_admin_inline_checks_each_code_by_its_system(superuser_client):
    from tests.factories import article_form

    coded = {
        "codes-TOTAL_FORMS": "1",
        "codes-0-system": LOINC,
        "codes-0-code": "4548-3",
        "codes-0-display_name": "Hemoglobin A1c",
        "codes-0-position": "1",
    }
    response = superuser_client.post("/admin/encyclopedia/article/add/", article_form(**coded))
    assert response.status_code == 200
    assert "its check digit (after the dash) is wrong" in response.content.decode()
    assert not Article.objects.exists()
    coded["codes-0-code"] = "4548-4"
    response = superuser_client.post("/admin/encyclopedia/article/add/", article_form(**coded))
    assert response.status_code == 302
    article = Article.objects.get()
    assert [(c.system, c.code) for c in article.codes.all()] == [(LOINC, "4548-4")]
    from reversion.models import Version

    revision = Version.objects.get_for_object(article).first().revision
    assert any(v.object_repr == "LOINC 4548-4 Hemoglobin A1c" for v in revision.version_set.all())
