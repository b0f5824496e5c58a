"""Admin is for looking: rows are read-only, secrets are never displayed, and the one write
(redelivery) goes through the service."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin, values_filter
from core.api.errors import ApplicationError
from core.events import EVENT_TYPES
from webhooks.endpoints import delivery_retry
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook


@admin.register(OutgoingWebhook)
class OutgoingWebhookAdmin(ReadOnlyAdmin):
    list_display = ["url", "organization", "waba", "is_active", "consecutive_failures", "failing_since", "created_at"]
    list_filter = ["is_active", ("failing_since", admin.EmptyFieldListFilter)]
    list_select_related = ["organization", "waba"]
    uuid_search_fields = ["id", "organization_id", "waba_id"]
    search_fields = ["url", "description", "organization__name"]
    search_help_text = "The webhook's, its organization's or its WABA's id (ours), or words of its URL or description."
    # `secret` is deliberately absent.
    fields = [
        "id",
        "organization",
        "url",
        "events",
        "waba",
        "is_active",
        "description",
        "consecutive_failures",
        "failing_since",
        "disabled_reason",
        "disabled_at",
        "created_at",
        "updated_at",
    ]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "organization", "waba", "created_at"]
    # No date_hierarchy: its MIN/MAX and DISTINCT-date aggregates scan the whole table on every page.
    list_filter = [values_filter("type", "type", EVENT_TYPES), "created_at"]
    list_select_related = ["organization", "waba"]
    uuid_search_fields = ["id", "waba_id"]
    search_help_text = "The event's id, or its WABA's id (ours)."
    fields = ["id", "type", "organization", "waba", "created_at", "payload"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "status_code", "duration_ms", "error", "response_excerpt", "created_at", "finished_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_type", "webhook", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", values_filter("event__type", "event type", EVENT_TYPES)]
    list_select_related = ["event", "webhook", "webhook__organization"]
    uuid_search_fields = ["id", "event_id", "webhook_id"]
    search_fields = ["webhook__url"]
    search_help_text = "The delivery's, its event's or its webhook's id, or words of the webhook's URL."
    fields = [
        "id",
        "event",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "completed_at",
        "created_at",
    ]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_selected"]

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.action(description="Redeliver selected deliveries now")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        retried, refused = 0, []
        for delivery in queryset.select_related("webhook"):
            try:
                delivery_retry(delivery=delivery)
                retried += 1
            except ApplicationError as exc:
                refused.append(f"{delivery.pk}: {exc.message}")
        self.message_user(request, f"Queued {retried} delivery(ies) for redelivery.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{len(refused)} could not be queued:", messages.WARNING)
        for line in refused:
            self.message_user(request, line, messages.WARNING)
