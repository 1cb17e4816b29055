from django.urls import path, re_path

from encyclopedia import cite_views, views

app_name = "encyclopedia"

urlpatterns = [
    path("ency/", views.index, name="index"),
    re_path(r"^ency/encyclopedia_(?P<letter>[A-Za-z]|0-9)\.htm$", views.letter_page, name="letter"),
    path("ency/search/", views.search_page, name="search"),
    path("ency/search/suggest/", views.typeahead, name="typeahead"),
    re_path(r"^ency/article/(?P<public_id>\d{6})\.htm$", views.article, name="article"),
    re_path(r"^ency/article/(?P<public_id>\d{6})\.ris$", cite_views.page_ris, name="article_ris"),
    re_path(r"^ency/article/(?P<public_id>\d{6})\.bib$", cite_views.page_bibtex, name="article_bibtex"),
    re_path(
        r"^ency/article/(?P<public_id>\d{6})-references\.ris$",
        cite_views.references_ris,
        name="article_references_ris",
    ),
    re_path(r"^ency/imagepages/(?P<image_id>\d{6,9})\.htm$", views.image_page, name="image_page"),
    path("about/<slug:slug>/", views.policy, name="policy"),
]
