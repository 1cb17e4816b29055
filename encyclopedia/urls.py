from django.urls import path, re_path

from encyclopedia import views

app_name = "encyclopedia"

urlpatterns = [
    path("ency/", views.index, name="index"),
    re_path(r"^ency/article/(?P<public_id>\d{6})\.htm$", views.article, name="article"),
    path("about/<slug:slug>/", views.policy, name="policy"),
]
