from rest_framework.routers import SimpleRouter

from core.api.ids import UUID_PATTERN
from messaging.api import MessageTemplateViewSet, MessageViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy trailing_slash into "/": set the optional slash afterwards.
router.trailing_slash = "/?"
router.register(rf"phones/(?P<phone_id>{UUID_PATTERN})/messages", MessageViewSet, basename="message")
router.register(rf"wabas/(?P<waba_id>{UUID_PATTERN})/message-templates", MessageTemplateViewSet, basename="template")

urlpatterns = router.urls
