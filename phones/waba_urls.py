from rest_framework.routers import SimpleRouter

from phones.waba_api import WabaViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy trailing_slash into "/": set the optional slash afterwards.
router.trailing_slash = "/?"
router.register("wabas", WabaViewSet, basename="waba")

urlpatterns = router.urls
