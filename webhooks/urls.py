from rest_framework.routers import SimpleRouter

from webhooks.api import EventViewSet, OutgoingWebhookViewSet, WebhookDeliveryViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy trailing_slash into "/": set the optional slash afterwards.
router.trailing_slash = "/?"
router.register("outgoing-webhooks", OutgoingWebhookViewSet, basename="outgoing-webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("events", EventViewSet, basename="event")

urlpatterns = router.urls
