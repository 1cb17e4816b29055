from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from encyclopedia.health import healthz

admin.site.site_header = "Medical Encyclopedia: editorial admin"
admin.site.site_title = "Encyclopedia admin"
admin.site.index_title = "Content and workflow"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(url="/ency/", permanent=True)),
    path("admin/", admin.site.urls),
    path("", include("encyclopedia.urls")),
    path("", include("infobutton.urls")),
]

# Uploaded files (accreditation badges) in development; production serves MEDIA_ROOT from the web server.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
