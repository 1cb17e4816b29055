"""The sitemap: the front page, the A–Z pages, and every live article with the date its live page
last changed; each page of both editions, with its other edition as an hreflang alternate."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Exists, OuterRef
from django.utils import translation

from encyclopedia import editions, paths
from encyclopedia.models import Article, IndexEntry

ENGLISH, SPANISH = editions.ENGLISH, editions.SPANISH


class Sitemap(DjangoSitemap):
    """Addresses on ``SITE_URL`` when it is set, never on the Host header a request came with.

    Each item is listed once per edition it has (``get_languages_for_item``), the address made
    with that edition's language active (``paths`` picks ``/spanish/...``); an item in both
    editions names each edition, and English as the x-default, as ``xhtml:link`` alternates.
    """

    i18n = True
    languages = [ENGLISH, SPANISH]

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        """Django's entries, each given its alternates when its item is in both editions.

        Django's own ``alternates`` names the x-default only for ``LANGUAGE_CODE`` ("en-us"),
        which no edition's hreflang is.
        """
        urls = super().get_urls(page, site, protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            item, _ = url["item"]
            languages = self.get_languages_for_item(item)
            if len(languages) > 1:
                found = {code: base + self._address(item, code) for code in languages}
                url["alternates"] = [
                    *({"location": found[code], "lang_code": code} for code in languages),
                    {"location": found[ENGLISH], "lang_code": "x-default"},
                ]
        return urls

    def _address(self, item, language: str) -> str:
        """``item``'s path in ``language``'s edition (``paths`` follows the active language)."""
        with translation.override(language):
            return self.location(item)


class PageSitemap(Sitemap):
    """The front page and each letter page that lists something (an empty letter is no page to
    index), of each edition."""

    changefreq = "daily"

    def items(self) -> list[str]:
        self._listed = {language: set(letters) for language, letters in _letters_listed().items()}
        listed = set().union(*self._listed.values())
        letters = [letter for letter in paths.SPANISH_LETTERS if letter in listed]
        return ["", *letters]

    def get_languages_for_item(self, item: str) -> list[str]:
        if not item:  # the front page: the Spanish one once the Spanish edition lists something
            return [
                language for language in self.languages if language == ENGLISH or self._listed.get(language)
            ]
        return [language for language in self.languages if item in self._listed.get(language, ())]

    def location(self, item: str) -> str:
        return paths.letter_path(item) if item else paths.path("encyclopedia:index")


def _letters_listed() -> dict[str, list[str]]:
    """The letters each edition's index lists something under."""
    found: dict[str, list[str]] = {}
    rows = IndexEntry.objects.order_by().values_list("language", "letter").distinct()
    for language, letter in rows:
        found.setdefault(language, []).append(letter)
    return found


class ArticleSitemap(Sitemap):
    """Every live English article, and its Spanish edition where that is live too."""

    changefreq = "monthly"
    limit = 10_000

    def items(self):
        spanish = Article.objects.live().spanish().filter(public_id=OuterRef("public_id"))
        return (
            Article.objects.live()
            .english()
            .select_related("live_publication")
            .only("public_id", "live_publication__published_at")
            .annotate(
                spanish_published_at=spanish.values("live_publication__published_at")[:1],
                has_spanish=Exists(spanish),
            )
            .order_by("public_id")
        )

    def get_languages_for_item(self, article: Article) -> list[str]:
        return [ENGLISH, SPANISH] if article.has_spanish else [ENGLISH]

    def lastmod(self, article: Article):
        """Each edition's page shows something of the other (its switch; the English references)."""
        return max(filter(None, [article.live_publication.published_at, article.spanish_published_at]))

    def location(self, article: Article) -> str:
        return paths.article_path(article.public_id)
