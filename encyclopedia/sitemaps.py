"""The sitemap: the front page, the A–Z pages, and every live article with the date its live page
last changed."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap

from encyclopedia import paths
from encyclopedia.models import Article, IndexEntry


class Sitemap(DjangoSitemap):
    """Addresses on ``SITE_URL`` when it is set, never on the Host header a request came with."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)


class PageSitemap(Sitemap):
    """The front page and each letter page that lists something (an empty letter is no page to index)."""

    changefreq = "daily"

    def items(self) -> list[str]:
        listed = set(IndexEntry.objects.order_by().values_list("letter", flat=True).distinct())
        letters = [paths.letter_path(letter) for letter in paths.LETTERS if letter in listed]
        return [paths.path("encyclopedia:index"), *letters]

    def location(self, item: str) -> str:
        return item


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return (
            Article.objects.live()
            .select_related("live_publication")
            .only("public_id", "live_publication__published_at")
            .order_by("public_id")
        )

    def lastmod(self, article: Article):
        return article.live_publication.published_at

    def location(self, article: Article) -> str:
        return article.get_absolute_url()
