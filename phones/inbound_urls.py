from django.urls import path

from phones.inbound import meta_webhook, phone_webhook

urlpatterns = [
    path("webhook/meta", meta_webhook, name="inbound-meta-webhook"),
    path("webhook/phone/<uuid:phone_id>", phone_webhook, name="inbound-phone-webhook"),
]
