"""The Spanish edition of the public site (issue #17): its addresses, words and dates, the
Spanish A–Z order, Spanish search on either database, hreflang links in pages and sitemap, the
language switch, the 404 that points to the English article, the cache per edition, the feed,
the API and the cite box.

Run with and without DATABASE_URL: search is checked on SQLite's FTS5 and PostgreSQL's
``spanish`` configuration alike."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from urllib.parse import unquote

import polib
import pytest
from django.conf import settings
from django.template import engines

from editorial.actions.publish import publish
from encyclopedia.models import (
    AccreditationNotice,
    AlternativeName,
    Article,
    Citation,
    PolicyPage,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
    SiteSettings,
)
from encyclopedia.search import sort_key
from tests.conftest import attribute_values, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def translate():
    """A Spanish edition of the English article, published (or left a draft with ``live=False``)."""

    def make(
        english: Article, title: str, summary: str, body: str = "", names=(), live: bool = True, **fields
    ):
        fields.setdefault("translated_by", "Agencia de Traducción Médica")
        fields.setdefault("review_date", datetime.date(2025, 5, 6))
        spanish = Article.objects.create(
            language="es",
            translation_of=english,
            title=title,
            summary=summary,
            article_type=english.article_type,
            **fields,
        )
        Section.objects.create(
            article=spanish,
            position=1,
            heading=SectionHeading.objects.get(name="Causes"),
            body=body or "Un párrafo.",
        )
        for position, name in enumerate(names, start=1):
            AlternativeName.objects.create(article=spanish, name=name, position=position)
        if live:
            publish(spanish, None)
            spanish.refresh_from_db()
        return spanish

    return make


@pytest.fixture
def english(make_article, publish_article):
    """A live English article with one reference and a named reviewer."""
    reviewer = Reviewer.objects.create(name="Jane Roe", credentials="MD", city="Springfield", state="IL")
    article = make_article("Leg cramps", summary="Leg cramps are painful.", reviewer=reviewer)
    citation = Citation.objects.create(
        kind="book", title="Cramps of the leg", publisher="Muscle Press", year="2024"
    )
    article.citation_links.create(citation=citation, position=1)
    return publish_article(article)


def spanish_url(article: Article) -> str:
    return f"/spanish/ency/article/{article.public_id}.htm"


def english_url(article: Article) -> str:
    return f"/ency/article/{article.public_id}.htm"


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


# ---------------------------------------------------------------- the Spanish page


def test_the_spanish_page_is_in_spanish(client, english, translate):
    translate(
        english,
        "Calambres en las piernas",
        "Los calambres en las piernas son dolorosos.",
        names=["Calambres nocturnos"],
    )
    response = client.get(spanish_url(english))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(html)
    assert '<html lang="es">' in html
    assert response["Content-Language"] == "es"
    assert "URL de esta página: http://testserver" + spanish_url(english) in text
    assert "Fecha de revisión: 6 de mayo de 2025" in text, "the Spanish review date, in Spanish"
    assert "Causas" in text and "Nombres alternativos Calambres nocturnos" in text
    assert "Referencias Cramps of the leg" in text, "the English article's references"
    assert "Aprenda a citar esta página" in text and "Ir al contenido principal" in text
    assert "Skip to main content" not in text and "Review Date" not in text
    assert attribute_values(html, "link", "href")[0] == "http://testserver" + spanish_url(english)
    assert '<meta property="og:url" content="http://testserver' + spanish_url(english) + '">' in html
    assert '"inLanguage": "es"' in html
    english_html = client.get(english_url(english)).content.decode()
    assert '<html lang="en">' in english_html and '"inLanguage": "en"' in english_html


def test_the_spanish_credits_name_both_reviews_and_the_translation(client, english, translate):
    reviewer = Reviewer.objects.create(
        name="Ana Pérez", credentials="MD", city="Miami", state="FL", languages="es"
    )
    translate(english, "Calambres", "Resumen.", reviewer=reviewer)
    text = page_text(client.get(spanish_url(english)).content.decode())
    assert "Versión en inglés revisada por: Jane Roe, MD, Springfield, IL (15 de enero de 2026)." in text
    assert "Traducción y localización realizada por: Agencia de Traducción Médica." in text
    assert "Traducción al español revisada por: Ana Pérez, MD, Miami, FL (6 de mayo de 2025)." in text


def test_the_cite_box_follows_spanish_conventions(client, english, translate):
    translate(english, "Calambres en las piernas", "Resumen.")
    html = client.get(spanish_url(english)).content.decode()
    text = page_text(html)
    assert "[revisado 6 may 2025; citado " in text and "Disponible en: http://testserver" in text
    assert "(2025, 6 de mayo)" in text and "Recuperado el " in text, "APA in Spanish"
    assert "“Calambres en las piernas.”" in text and "Consultado el " in text, "MLA, no English title case"
    assert "Retrieved" not in text and "Accessed" not in text and "Available from" not in text
    downloads = [url for url in attribute_values(html, "a", "href") if url.endswith((".ris", ".bib"))]
    assert downloads == [
        f"/spanish/ency/article/{english.public_id}.ris",
        f"/spanish/ency/article/{english.public_id}.bib",
        f"/spanish/ency/article/{english.public_id}-references.ris",
    ]
    ris = client.get(downloads[0]).content.decode()
    assert "TI  - Calambres en las piernas" in ris and spanish_url(english) in ris
    references = client.get(downloads[2]).content.decode()
    assert "Cramps of the leg" in references, "the references are the English article's"


def test_the_spanish_review_credit_names_its_review_organization(client, english, translate):
    reviewer = Reviewer.objects.create(name="Ana Pérez", credentials="MD", languages="es")
    organization = ReviewOrganization.objects.create(name="Revisores Médicos de Ejemplo")
    translate(english, "Calambres", "Resumen.", reviewer=reviewer, review_organization=organization)
    text = page_text(client.get(spanish_url(english)).content.decode())
    assert (
        "Traducción al español revisada por: Ana Pérez, MD (6 de mayo de 2025). "
        "Revisión provista por Revisores Médicos de Ejemplo."
    ) in text


@pytest.fixture
def three_policies():
    pages = {
        slug: PolicyPage.objects.create(slug=slug, title=slug.replace("-", " ").capitalize(), body="x")
        for slug in ("editorial-policy", "editorial-process", "privacy-policy")
    }
    AccreditationNotice.objects.create(
        body="Example Council",
        program="Health Content Provider",
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        statement="Sample.",
        editorial_policy=pages["editorial-policy"],
        editorial_process=pages["editorial-process"],
        privacy_policy=pages["privacy-policy"],
    )


def test_the_spanish_page_names_the_encyclopedia_in_spanish(client, english, translate, three_policies):
    translate(english, "Calambres en las piernas", "Resumen.")
    html = client.get(spanish_url(english)).content.decode()
    text = page_text(html)
    assert "<title>Calambres en las piernas: Enciclopedia médica</title>" in html
    assert "Calambres en las piernas: Enciclopedia médica [Internet]." in text, "the NLM citation"
    assert "Medical Encyclopedia" not in html
    links = (
        '<a href="/about/editorial-policy/">editorial policy</a>, '
        '<a href="/about/editorial-process/">editorial process</a>{} '
        '<a href="/about/privacy-policy/">privacy policy</a>.'
    )
    assert "Más información sobre nuestra " + links.format(" y") in html, "the policies' titles are data"
    english_html = client.get(english_url(english)).content.decode()
    assert "<title>Leg cramps: Medical Encyclopedia</title>" in english_html
    assert "Learn more about our " + links.format(", and") in english_html
    feed = client.get("/spanish/ency/feed/").content.decode()
    assert "<title>Enciclopedia médica: artículos nuevos y actualizados</title>" in feed


def test_a_site_name_the_publisher_set_stays_as_set_in_spanish(client, english, translate):
    site = SiteSettings.load()
    site.site_name = "Example Health"
    site.save()
    translate(english, "Calambres en las piernas", "Resumen.")
    html = client.get(spanish_url(english)).content.decode()
    assert "<title>Calambres en las piernas: Example Health</title>" in html


def test_the_spanish_downloads_are_in_spanish_and_say_so(client, english, translate):
    translate(english, "Calambres en las piernas", "Resumen.")
    ris = client.get(f"/spanish/ency/article/{english.public_id}.ris").content.decode()
    assert "LA  - es" in ris and "N1  - Revisado el 6 de mayo de 2025" in ris
    assert "T2  - Enciclopedia médica" in ris and "Reviewed" not in ris
    bib = client.get(f"/spanish/ency/article/{english.public_id}.bib").content.decode()
    assert "langid = {spanish}" in bib and "Revisado el 6 de mayo de 2025. Consultado el " in bib
    assert "Accessed" not in bib
    english_ris = client.get(f"/ency/article/{english.public_id}.ris").content.decode()
    english_bib = client.get(f"/ency/article/{english.public_id}.bib").content.decode()
    assert "LA  - en" in english_ris and "N1  - Reviewed January 15, 2026" in english_ris
    assert "langid = {english}" in english_bib and "Accessed " in english_bib


# ---------------------------------------------------------------- linking the editions


def test_hreflang_pairs_and_the_language_switch_on_both_editions(client, english, translate):
    translate(english, "Calambres en las piernas", "Resumen.")
    base = "http://testserver"
    expected = {
        "en": base + english_url(english),
        "es": base + spanish_url(english),
        "x-default": base + english_url(english),
    }
    english_html = client.get(english_url(english)).content.decode()
    spanish_html = client.get(spanish_url(english)).content.decode()
    assert hreflangs(english_html) == expected
    assert hreflangs(spanish_html) == expected
    assert '<a href="' + expected["es"] + '" hreflang="es" lang="es">Español</a>' in english_html
    assert '<a href="' + expected["en"] + '" hreflang="en" lang="en">English</a>' in spanish_html


def test_an_english_article_without_a_spanish_edition_has_no_switch(client, english):
    html = client.get(english_url(english)).content.decode()
    assert "language-switch" not in html and 'hreflang="es"' not in html


def test_a_spanish_address_without_a_live_translation_is_a_404_linking_the_english_article(
    client, english, translate
):
    response = client.get(spanish_url(english))
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="es">' in html and "no está disponible en español" in html
    assert f'<a href="{english_url(english)}" hreflang="en" lang="en">Leg cramps</a>' in html
    assert client.get("/spanish/ency/article/999999.htm").status_code == 404


@pytest.mark.parametrize("address", ["/spanish/ency/article/999999.htm", "/spanish/ency/no-such-page/"])
def test_a_spanish_address_with_nothing_there_answers_the_spanish_404(client, settings, address):
    settings.DEBUG = False
    response = client.get(address)
    html = response.content.decode()
    assert response.status_code == 404 and '<html lang="es">' in html
    assert "Página no encontrada" in html and "Page not found" not in html
    assert "<title>Página no encontrada: Enciclopedia médica</title>" in html, "no English in its title"
    assert 'href="/spanish/ency/"' in html, "it leads back to the Spanish index"


def test_a_spanish_draft_never_shows(client, english, translate):
    translate(english, "Borrador secreto", "Palabras no aprobadas.", body="Niño secreto.", live=False)
    assert client.get(spanish_url(english)).status_code == 404
    english_html = client.get(english_url(english)).content.decode()
    assert "language-switch" not in english_html and 'hreflang="es"' not in english_html
    surfaces = [
        spanish_url(english),
        "/spanish/ency/",
        "/spanish/ency/encyclopedia_B.htm",
        "/spanish/ency/search/?q=secreto",
        "/spanish/ency/search/?q=nino",
        "/spanish/ency/search/suggest/?q=borr",
        "/spanish/ency/feed/",
        "/sitemap.xml",
        "/api/v1/articles/?lang=es",
        f"/api/v1/articles/{english.public_id}/?lang=es",
    ]
    for url in surfaces:
        body = client.get(url).content.decode()
        assert "Borrador" not in body and "no aprobadas" not in body and "Niño" not in body, url


def test_spanish_pages_stay_off_the_english_surfaces(client, english, translate):
    translate(english, "Calambres en las piernas", "Palabras en español.", body="Dolor muscular.")
    for url in [
        "/ency/",
        "/ency/encyclopedia_C.htm",
        "/ency/search/?q=calambres",
        "/ency/feed/",
        "/api/v1/articles/",
    ]:
        assert "Calambres" not in client.get(url).content.decode(), url
    assert client.get("/ency/search/suggest/?q=calam").json() == {"suggestions": []}


# ---------------------------------------------------------------- the Spanish index


SPANISH_TITLES = [
    "Úlcera", "Uña encarnada", "Uretritis", "Nuca rígida", "Ñame (alergia)", "Obesidad",
    "Chancro", "Cefalea", "Ciática", "Llanto excesivo", "Lupus", "Lengua", "Ébola", "Eczema",
]  # fmt: skip


@pytest.fixture
def spanish_library(make_article, publish_article, translate):
    found = {}
    for number, title in enumerate(SPANISH_TITLES):
        original = publish_article(make_article(f"English {number}", summary="An English summary."))
        found[title] = translate(original, title, f"Resumen de {title.lower()}.")
    return found


def letter_titles(client, letter: str) -> list[str]:
    html = client.get(f"/spanish/ency/encyclopedia_{letter}.htm").content.decode()
    return re.findall(r'<li><a href="/spanish/ency/article/\d{6}\.htm">([^<]+)</a></li>', html)


def test_spanish_a_to_z_order(client, spanish_library):
    assert letter_titles(client, "U") == ["Úlcera", "Uña encarnada", "Uretritis"], "ñ sorts between n and o"
    assert letter_titles(client, "N") == ["Nuca rígida"]
    assert letter_titles(client, "Ñ") == ["Ñame (alergia)"], "Ñ is its own letter"
    assert letter_titles(client, "C") == ["Cefalea", "Chancro", "Ciática"], "ch is not a letter of its own"
    assert letter_titles(client, "L") == ["Lengua", "Llanto excesivo", "Lupus"], "nor is ll"
    assert letter_titles(client, "E") == ["Ébola", "Eczema"], "accented initials under their base letter"
    bar = client.get("/spanish/ency/").content.decode()
    letters = [unquote(x) for x in re.findall(r'<li><a href="/spanish/ency/encyclopedia_([^.]+)\.htm">', bar)]
    assert letters[letters.index("N") + 1] == "Ñ" and letters[letters.index("Ñ") + 1] == "O"
    assert "Ñ" not in re.findall(r"encyclopedia_([^.]+)\.htm", client.get("/ency/").content.decode())
    assert client.get("/spanish/ency/encyclopedia_%C3%B1.htm").status_code == 301


def test_spanish_sort_key():
    assert sorted(["oso", "ñu", "nube", "nz"], key=lambda t: sort_key(t, "es")) == ["nube", "nz", "ñu", "oso"]
    assert sort_key("Ácido", "es") == sort_key("acido", "es")
    assert sort_key("Ñu", "en") == sort_key("Nu", "en"), "English folds ñ to n, as it did"


# ---------------------------------------------------------------- Spanish search


@pytest.fixture
def spanish_search(make_article, publish_article, translate):
    first = publish_article(make_article("Child health", summary="Children grow."))
    second = publish_article(make_article("Fever", summary="A high temperature."))
    return {
        "child": translate(first, "Salud del niño", "El niño crece.", body="Cuidados en el hogar del niño."),
        "fever": translate(
            second, "Fiebre", "Un sintoma frecuente.", body="La temperatura alta es un sintoma."
        ),
    }


def search_titles(client, query: str, edition: str = "/spanish") -> list[str]:
    html = client.get(f"{edition}/ency/search/", {"q": query}).content.decode()
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)


def test_spanish_search_folds_accents_and_stems(client, spanish_search):
    assert search_titles(client, "nino") == ["Salud del niño"], "nino finds niño"
    assert search_titles(client, "niños") == ["Salud del niño"]
    assert search_titles(client, "síntomas") == ["Fiebre"], "síntomas finds sintoma"
    assert search_titles(client, "el de la") == [], "Spanish stop words alone find nothing"
    assert search_titles(client, "fiebre sintomas") == ["Fiebre"]


def test_spanish_search_matches_whole_stems_not_their_prefixes(
    client, spanish_search, make_article, publish_article, translate
):
    hiccups = publish_article(make_article("Hiccups", summary="A spasm."))
    translate(hiccups, "Hipo", "Ningún tratamiento suele hacer falta.", body="Los síntomas pasan solos.")
    assert search_titles(client, "nino") == ["Salud del niño"], "“ningún” is not a form of “niño”"
    assert search_titles(client, "niño") == ["Salud del niño"]
    assert search_titles(client, "ningun") == ["Hipo"]
    assert sorted(search_titles(client, "sintoma")) == ["Fiebre", "Hipo"]
    assert sorted(search_titles(client, "nin*")) == ["Hipo", "Salud del niño"], "a typed prefix stays one"


def test_a_spanish_snippet_marks_each_form_of_the_word(client, spanish_search):
    html = client.get("/spanish/ency/search/", {"q": "niños"}).content.decode()
    assert "<mark>niño</mark>" in html


_FILLER = " ".join(["Ningún dato más."] * 20 + ["Un párrafo largo sobre otra cosa."] * 60)


@pytest.mark.parametrize(
    ("summary", "body", "query", "shown"),
    [
        # "Ningún" holds the letters of "niño"'s stem (nin) but is another word.
        (
            "Un resumen.",
            f"{_FILLER} Los niños crecen deprisa. {_FILLER}",
            "niños crecen",
            "Los <mark>niños</mark> <mark>crecen</mark> deprisa",
        ),
        # "semana", "manera" and "mantiene" hold "man", which "manos" begins with.
        (
            "Un resumen.",
            "Cada semana, de manera constante, se mantiene. " * 100 + "Lave sus manos.",
            "manos",
            "Lave sus <mark>manos</mark>",
        ),
        # "para" is in the summary, but not the phrase: the snippet is the body's, where it is.
        (
            "Un resumen para leer.",
            "Descanse mucho. " * 40 + "Si tiene dificultad para respirar, llame.",
            '"dificultad para respirar"',
            "<mark>dificultad</mark> <mark>para</mark> <mark>respirar</mark>, llame",
        ),
    ],
    ids=["past-words-that-begin-alike", "past-words-that-hold-it", "a-phrase-where-it-stands"],
)
def test_a_spanish_snippet_shows_the_match_deep_in_the_body(
    client, spanish_search, make_article, publish_article, translate, summary, body, query, shown
):
    english = publish_article(make_article("Sample", summary="A sample."))
    translate(english, "Muestra", summary, body=body)
    html = client.get("/spanish/ency/search/", {"q": query}).content.decode()
    assert shown in html and "resumen <mark>" not in html


def test_a_snippet_keeps_whole_words_and_little_of_what_follows_the_last(
    client, spanish_search, make_article, publish_article, translate
):
    """A window's edges cut no word in two, and a text ending in a long rule of dashes after its
    last word shows a few of them, not the rule."""
    english = publish_article(make_article("Sample", summary="A sample."))
    body = "x" * 300 + " Otras palabras. La zigomicosis pasa." + "-" * 5_000
    translate(english, "Muestra", "Un resumen.", body=body)
    html = client.get("/spanish/ency/search/", {"q": "zigomicosis"}).content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S)[1]
    assert "La <mark>zigomicosis</mark> pasa." in snippet
    assert "x" not in snippet and len(snippet) < 200


def test_each_edition_searches_its_own_articles(client, spanish_search):
    assert search_titles(client, "fiebre", edition="") == []
    assert search_titles(client, "children", edition="") == ["Child health"]
    assert search_titles(client, "children") == []
    response = client.get("/spanish/ency/search/", {"q": "Fiebre"})
    assert response.status_code == 302 and response["Location"] == spanish_url(spanish_search["fever"])
    suggestions = client.get("/spanish/ency/search/suggest/", {"q": "fie"}).json()["suggestions"]
    assert [line["label"] for line in suggestions] == ["Fiebre"]


# ---------------------------------------------------------------- sitemap, feed, API


def test_the_sitemap_pairs_the_editions(client, english, make_article, publish_article, translate):
    translate(english, "Calambres en las piernas", "Resumen.")
    alone = publish_article(make_article("Only in English"))
    xml = client.get("/sitemap.xml").content.decode()
    base = "http://testserver"
    entries = re.findall(r"<url>(.*?)</url>", xml, flags=re.S)
    by_location = {re.search(r"<loc>([^<]+)</loc>", entry)[1]: entry for entry in entries}
    for location in (base + english_url(english), base + spanish_url(english)):
        links = re.findall(
            r'<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', by_location[location]
        )
        assert links == [
            ("en", base + english_url(english)),
            ("es", base + spanish_url(english)),
            ("x-default", base + english_url(english)),
        ], location
    assert "xhtml:link" not in by_location[base + english_url(alone)]
    assert base + spanish_url(alone) not in by_location
    assert base + "/spanish/ency/" in by_location and base + "/spanish/ency/encyclopedia_C.htm" in by_location


def test_the_spanish_feed(client, english, translate):
    translate(english, "Calambres en las piernas", "Resumen en español.")
    feed = client.get("/spanish/ency/feed/").content.decode()
    assert "Calambres en las piernas" in feed and "Leg cramps" not in feed
    assert 'xml:lang="es"' in feed and spanish_url(english) in feed
    assert "artículos nuevos y actualizados" in feed


def test_the_api_reads_the_spanish_edition_with_lang_es(client, english, translate):
    translate(english, "Calambres en las piernas", "Resumen.")
    listed = client.get("/api/v1/articles/", {"lang": "es"}).json()
    assert [row["title"] for row in listed["results"]] == ["Calambres en las piernas"]
    assert listed["results"][0]["url"] == "http://testserver" + spanish_url(english)
    one = client.get(f"/api/v1/articles/{english.public_id}/", {"lang": "es"}).json()
    assert one["language"] == "es" and one["title"] == "Calambres en las piernas"
    assert "Cramps of the leg" in one["references_html"][0]
    assert client.get(f"/api/v1/articles/{english.public_id}/").json()["title"] == "Leg cramps"
    assert client.get("/api/v1/articles/", {"lang": "fr"}).status_code == 400


# ---------------------------------------------------------------- the cache, per edition


def test_an_english_publish_shows_at_once_on_the_cached_spanish_page(
    client, english, translate, publish_article
):
    translate(english, "Calambres en las piernas", "Resumen.")
    assert "Cramps of the leg" in client.get(spanish_url(english)).content.decode()  # now cached
    citation = Citation.objects.create(
        kind="book", title="Night cramps", publisher="Sleep Press", year="2025"
    )
    english.citation_links.create(citation=citation, position=2)
    english.reviewer = Reviewer.objects.create(name="John Doe", credentials="MD")
    english.save()
    publish_article(english)
    text = page_text(client.get(spanish_url(english)).content.decode())
    assert "Night cramps" in text, "the English references changed on the Spanish page"
    assert "Versión en inglés revisada por: John Doe, MD" in text


def test_a_spanish_publish_shows_the_switch_on_the_cached_english_page(client, english, translate):
    assert "language-switch" not in client.get(english_url(english)).content.decode()  # now cached
    translate(english, "Calambres en las piernas", "Resumen.")
    assert "language-switch" in client.get(english_url(english)).content.decode()
    assert client.get(spanish_url(english)).status_code == 200


def test_publishing_either_edition_purges_both_editions_pages_at_the_cdn(
    settings, english, translate, publish_article, monkeypatch, django_capture_on_commit_callbacks
):
    from encyclopedia.caching import cdn

    sent: list[list[str]] = []
    settings.CDN_PURGE_URL = "http://cdn.invalid{path}"
    monkeypatch.setattr(cdn, "_send_later", lambda pk: sent.append(cdn.PendingPurge.objects.get(pk=pk).paths))
    spanish_pages = {
        spanish_url(english),
        f"/spanish/ency/article/{english.public_id}.ris",
        f"/spanish/ency/article/{english.public_id}-references.ris",
        "/spanish/ency/",
        "/spanish/ency/encyclopedia_C.htm",
        "/spanish/ency/encyclopedia_Ñ.htm",
        "/spanish/ency/feed/",
        "/api/v1/articles/?lang=es",
        f"/api/v1/articles/{english.public_id}/?lang=es",
    }
    with django_capture_on_commit_callbacks(execute=True):
        translate(english, "Calambres en las piernas", "Resumen.")
    assert spanish_pages | {english_url(english)} <= {unquote(path) for path in sent[-1]}
    with django_capture_on_commit_callbacks(execute=True):
        publish_article(english)
    assert spanish_pages <= {unquote(path) for path in sent[-1]}, "the English references show there"


# ---------------------------------------------------------------- the catalogue


CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_the_committed_mo_matches_the_po():
    """The set-up needs no GNU gettext: the .mo is kept, compiled by polib (`make messages`)."""
    assert CATALOGUE.with_suffix(".mo").read_bytes() == polib.pofile(str(CATALOGUE)).to_binary(), (
        "locale/es/LC_MESSAGES/django.mo is stale: run `make messages`"
    )


def test_every_public_template_string_has_a_spanish_translation():
    env = engines["jinja2"].env
    translated = {entry.msgid: entry for entry in polib.pofile(str(CATALOGUE))}
    missing = []
    for template in sorted((Path(settings.BASE_DIR) / "templates" / "jinja2").rglob("*.html")):
        for _, _, message in env.extract_translations(template.read_text(encoding="utf-8")):
            msgid = message[0] if isinstance(message, tuple) else message
            entry = translated.get(msgid)
            if entry is None or not (entry.msgstr or entry.msgstr_plural):
                missing.append(f"{template.name}: {msgid}")
    assert missing == []


def test_the_preview_of_a_spanish_draft_is_the_spanish_page(superuser_client, english, translate):
    draft = translate(english, "Borrador de calambres", "Resumen del borrador.", live=False)
    response = superuser_client.get(f"/admin/encyclopedia/article/{draft.pk}/preview/")
    html = response.content.decode()
    text = page_text(html)
    assert response.status_code == 200 and '<html lang="es">' in html
    assert "Vista previa" in text and "Borrador de calambres" in text
    assert "Referencias Cramps of the leg" in text, "the English live references"
    assert client_never_sees(superuser_client, draft)


def client_never_sees(client, draft: Article) -> bool:
    client.logout()
    return client.get(spanish_url(draft)).status_code == 404


def test_a_stored_spanish_page_says_it_was_read_on_the_day_of_each_view(client, english, translate):
    from encyclopedia.models import RenderedPage
    from tests.test_rendered_pages import served_on

    translate(english, "Calambres en las piernas", "Resumen.")
    url = spanish_url(english)
    client.get(url)
    assert RenderedPage.objects.exclude(html="").filter(article__language="es").exists()
    stored, fresh = served_on(client, url, datetime.datetime(2031, 3, 2, 15, tzinfo=datetime.UTC))
    assert "citado 2 mar 2031" in page_text(stored) and "2 de marzo de 2031" in page_text(stored)
    assert stored == fresh, "the stored page, filled in for the day, is the page rendered that day"
