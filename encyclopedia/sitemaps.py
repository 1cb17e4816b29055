"""The sitemap: every live article with the date its live page last changed."""

from django.contrib.sitemaps import Sitemap

from encyclopedia.models import Article


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
