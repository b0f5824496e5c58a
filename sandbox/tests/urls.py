"""Only the meta URLs, so sandbox tests do not depend on other apps' routes."""

from django.urls import include, path

urlpatterns = [path("", include("sandbox.urls"))]
