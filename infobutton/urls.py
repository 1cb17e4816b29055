from django.urls import path

from infobutton import views

app_name = "infobutton"

urlpatterns = [
    path("infobutton/service", views.service, name="service"),
    path("infobutton/application", views.application, name="application"),
]
