from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from encyclopedia import api, citation_downloads, feeds, sitemaps, views
from encyclopedia.caching.page_cache import public_page

app_name = "encyclopedia"

urlpatterns = [
    path("ency/", views.index, name="index"),
    path("ency/feed/", public_page(feeds.UpdatedArticlesFeed()), name="feed"),
    path(
        "sitemap.xml",
        public_page(sitemap),
        {"sitemaps": {"pages": sitemaps.PageSitemap, "articles": sitemaps.ArticleSitemap}},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("api/v1/articles/", api.article_list, name="api_articles"),
    re_path(r"^api/v1/articles/(?P<public_id>[0-9]{6})/$", api.article_detail, name="api_article"),
    re_path(r"^ency/encyclopedia_(?P<letter>[A-Za-z]|0-9)\.htm$", views.letter_page, name="letter"),
    path("ency/search/", views.search_page, name="search"),
    path("ency/search/suggest/", views.typeahead, name="typeahead"),
    re_path(r"^ency/article/(?P<public_id>[0-9]{6})\.htm$", views.article, name="article"),
    re_path(r"^ency/article/(?P<public_id>[0-9]{6})\.ris$", citation_downloads.page_ris, name="article_ris"),
    re_path(
        r"^ency/article/(?P<public_id>[0-9]{6})\.bib$", citation_downloads.page_bibtex, name="article_bibtex"
    ),
    re_path(
        r"^ency/article/(?P<public_id>[0-9]{6})-references\.ris$",
        citation_downloads.references_ris,
        name="article_references_ris",
    ),
    re_path(r"^ency/imagepages/(?P<image_id>[0-9]{6,9})\.htm$", views.image_page, name="image_page"),
    path("about/<slug:slug>/", views.policy, name="policy"),
]

# The Spanish edition: the same views, for the Spanish editions (``es_<name>``; ``paths.path``
# picks them on a Spanish page). Spanish is active for these addresses (``editions.py``).
SPANISH = {"language": "es"}
urlpatterns += [
    path("spanish/ency/", views.index, SPANISH, name="es_index"),
    path("spanish/ency/feed/", public_page(feeds.SpanishUpdatedArticlesFeed()), name="es_feed"),
    re_path(
        r"^spanish/ency/encyclopedia_(?P<letter>[A-Za-zÑñ]|0-9)\.htm$",
        views.letter_page,
        SPANISH,
        name="es_letter",
    ),
    path("spanish/ency/search/", views.search_page, SPANISH, name="es_search"),
    path("spanish/ency/search/suggest/", views.typeahead, SPANISH, name="es_typeahead"),
    re_path(
        r"^spanish/ency/article/(?P<public_id>[0-9]{6})\.htm$", views.article, SPANISH, name="es_article"
    ),
    re_path(
        r"^spanish/ency/article/(?P<public_id>[0-9]{6})\.ris$",
        citation_downloads.page_ris,
        SPANISH,
        name="es_article_ris",
    ),
    re_path(
        r"^spanish/ency/article/(?P<public_id>[0-9]{6})\.bib$",
        citation_downloads.page_bibtex,
        SPANISH,
        name="es_article_bibtex",
    ),
    re_path(
        r"^spanish/ency/article/(?P<public_id>[0-9]{6})-references\.ris$",
        citation_downloads.references_ris,
        SPANISH,
        name="es_article_references_ris",
    ),
]
