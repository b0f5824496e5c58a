from rest_framework.routers import SimpleRouter

from phones.api import PhoneViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy trailing_slash into "/": set the optional slash afterwards.
router.trailing_slash = "/?"
router.register("phones", PhoneViewSet, basename="phone")

urlpatterns = router.urls
