from rest_framework.routers import SimpleRouter

from links.api import OnboardingLinkViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy trailing_slash into "/": set the optional slash afterwards.
router.trailing_slash = "/?"
router.register("onboarding-links", OnboardingLinkViewSet, basename="onboarding-link")

urlpatterns = router.urls
