"""An Atom feed of new and updated articles, for readers and syndication partners."""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.utils.feedgenerator import Atom1Feed

from encyclopedia import markup
from encyclopedia.caching import site_data
from encyclopedia.models import Publication

FEED_LENGTH = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not XML 1.0 characters


def _xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold: control characters make the feed fail
    (a 500), and the others make it unreadable to feed readers."""
    return _NOT_XML.sub("", text)


class UpdatedArticlesFeed(Feed):
    feed_type = Atom1Feed
    link = "/ency/"
    subtitle = "New and updated articles, each when its reviewed update went live."

    def title(self) -> str:
        return _xml_text(f"{site_data.settings().site_name}: new and updated articles")

    def items(self):
        return (
            Publication.objects.filter(article__live_publication=F("pk"))
            .select_related("article")
            .order_by("-published_at")[:FEED_LENGTH]
        )

    def item_title(self, publication: Publication) -> str:
        return _xml_text(publication.title)

    def item_description(self, publication: Publication) -> str:
        return _xml_text(markup.plain_text(publication.summary_html))

    def item_link(self, publication: Publication) -> str:
        return publication.article.get_absolute_url()

    def item_guid(self, publication: Publication) -> str:
        return f"{publication.article.get_absolute_url()}#publication-{publication.pk}"

    def item_pubdate(self, publication: Publication):
        return publication.published_at

    def item_updateddate(self, publication: Publication):
        return publication.published_at
