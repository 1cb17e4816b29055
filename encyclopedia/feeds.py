"""An Atom feed of new and updated articles, for readers and syndication partners."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed
from django.utils.translation import gettext as _

from encyclopedia import markup, paths
from encyclopedia.caching import site_data
from encyclopedia.models import Language, Publication

FEED_LENGTH = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not XML 1.0 characters


def _xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold: control characters make the feed fail
    (a 500), and the others make it unreadable to feed readers."""
    return _NOT_XML.sub("", text)


class UpdatedArticlesFeed(Feed):
    """The English edition's feed; ``SpanishUpdatedArticlesFeed`` is the Spanish one's."""

    feed_type = Atom1Feed
    language = Language.ENGLISH

    def subtitle(self) -> str:
        return _("New and updated articles, each when its reviewed update went live.")

    def title(self) -> str:
        return _xml_text(
            _("%(site)s: new and updated articles") % {"site": site_data.settings().display_name}
        )

    def link(self) -> str:
        return paths.public_url(paths.path("encyclopedia:index", language=self.language))

    def feed_url(self) -> str:
        return paths.public_url(paths.path("encyclopedia:feed", language=self.language))

    def author_name(self) -> str:
        """The publisher: RFC 4287 (4.1.1) wants an author on the feed or on every entry."""
        return _xml_text(site_data.settings().publisher_name)

    def get_feed(self, obj, request: HttpRequest) -> SyndicationFeed:
        """The feed, each entry's id made absolute on the address of its link (RFC 4287, 4.2.6)."""
        feed = super().get_feed(obj, request)
        for item in feed.items:
            item["unique_id"] = urljoin(item["link"], item["unique_id"])
        return feed

    def items(self):
        return (
            Publication.objects.filter(article__live_publication=F("pk"), article__language=self.language)
            .select_related("article")
            .order_by("-published_at")[:FEED_LENGTH]
        )

    def item_title(self, publication: Publication) -> str:
        return _xml_text(publication.title)

    def item_description(self, publication: Publication) -> str:
        return _xml_text(markup.plain_text(publication.summary_html))

    def item_link(self, publication: Publication) -> str:
        return paths.public_url(paths.article_path(publication.article.public_id, self.language))

    def item_guid(self, publication: Publication) -> str:
        """One id per publication, so an update is a new entry; made absolute in ``get_feed``."""
        return (
            f"{paths.article_path(publication.article.public_id, self.language)}#publication-{publication.pk}"
        )

    def item_author_name(self, publication: Publication) -> str:
        return self.author_name()

    def item_pubdate(self, publication: Publication):
        return publication.published_at

    def item_updateddate(self, publication: Publication):
        return publication.published_at


class SpanishUpdatedArticlesFeed(UpdatedArticlesFeed):
    """New and updated Spanish editions, in Spanish (``/spanish/ency/feed/``)."""

    language = Language.SPANISH
