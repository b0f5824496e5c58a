"""The production URLs, plus, when `BENCH_BASELINE_VIEW=1`, the bench's two references:

- `GET /v1/_bench/constant`: constant JSON. It sits under `/v1/` so it passes through exactly the
  middleware an API request does; it skips DRF, authentication, the database and serialization:
  the ceiling of the stack itself.
- `/v1/_bench/peer/onboarding-links`: the textbook DRF peer of the links API (`bench/peer.py`).

The production urlconf contains neither.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from onboarding_project.urls import handler500  # noqa: F401
from onboarding_project.urls import urlpatterns as production_urlpatterns

CONSTANT = {"data": {"id": "00000000-0000-0000-0000-000000000000", "name": "baseline", "status": "pending"}}


def constant_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


urlpatterns = list(production_urlpatterns)
if getattr(settings, "BENCH_BASELINE_VIEW", False):
    # Before the production catch-all that answers every unknown /v1/ path with a JSON 404.
    from bench.peer import PeerLinkViewSet

    peer = SimpleRouter(trailing_slash="")
    peer.register("onboarding-links", PeerLinkViewSet, basename="bench-peer-link")
    urlpatterns[0:0] = [
        path("v1/_bench/constant", constant_view, name="bench-constant"),
        path("v1/_bench/peer/", include(peer.urls)),
    ]
