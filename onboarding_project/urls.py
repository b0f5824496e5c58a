from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from core import views as core_views
from core.metrics import metrics_view

api_v1 = [
    path("", include("links.urls")),
    path("", include("webhooks.urls")),
    path("", include("phones.urls")),
    path("", include("phones.waba_urls")),
    path("", include("messaging.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    # Anything else under /v1/ is the contract's JSON 404, never an HTML page.
    # (?s): a path with an encoded newline (%0A) must reach it too, not Django's HTML 404.
    re_path(r"^[\s\S]*$", core_views.api_not_found),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("v1/", include(api_v1)),
    re_path(r"^v1$", core_views.api_not_found),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("links.hosted_urls")),
    path("", include("phones.inbound_urls")),
]
# The sandbox (fake Graph API, fault injection, its dialog) is not routed at all unless chosen.
if settings.META_SANDBOX and not settings.META_APP_ID:
    urlpatterns.append(path("", include("sandbox.urls")))

handler400 = "core.views.api_bad_request"
handler500 = "core.views.api_server_error"
