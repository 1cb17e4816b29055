from django.urls import path, re_path

from encyclopedia import views

app_name = "encyclopedia"

urlpatterns = [
    path("ency/", views.index, name="index"),
    re_path(r"^ency/encyclopedia_(?P<letter>[A-Za-z]|0-9)\.htm$", views.letter_page, name="letter"),
    path("ency/search/", views.search_page, name="search"),
    path("ency/search/suggest/", views.typeahead, name="typeahead"),
    re_path(r"^ency/article/(?P<public_id>\d{6})\.htm$", views.article, name="article"),
    path("about/<slug:slug>/", views.policy, name="policy"),
]
