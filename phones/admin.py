from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from phones.models import InboundWebhook, Phone
from phones.services import phone_refresh_from_meta


class ReadOnlyAdmin(admin.ModelAdmin):
    """For looking: no add, no delete, a read-only page; actions go through services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Change permission gates the changelist's actions (obj is None); object pages stay read-only.
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Phone)
class PhoneAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "display_name", "status", "is_registered", "quality_rating", "waba", "organization"]
    list_filter = ["status", "is_registered", "quality_rating", "organization"]
    list_select_related = ["waba", "organization"]
    search_fields = ["=id", "=meta_phone_number_id", "phone_number", "=waba__id", "=waba__meta_waba_id", "=external_id"]
    # The two-step verification PIN is never displayed, not even masked.
    exclude = ["pin"]
    readonly_fields = [
        "id",
        "organization",
        "waba",
        "onboarding_link",
        "meta_phone_number_id",
        "phone_number",
        "display_phone_number",
        "display_name",
        "quality_rating",
        "code_verification_status",
        "platform_type",
        "is_on_biz_app",
        "status",
        "is_registered",
        "registration_error",
        "inbound_webhook_configured",
        "inbound_webhook_url",
        "metadata",
        "external_id",
        "health",
        "health_checked_at",
        "disconnected_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    ordering = ["-created_at", "-id"]
    actions = ["refresh_from_meta"]
    list_per_page = 50
    show_full_result_count = False

    @admin.action(description="Refresh from Meta (health and connected account)", permissions=["change"])
    def refresh_from_meta(self, request: HttpRequest, queryset: QuerySet[Phone]) -> None:
        outcomes = [phone_refresh_from_meta(phone=phone).outcome for phone in queryset.select_related("waba")]
        summary = ", ".join(f"{outcomes.count(o)} {o}" for o in ("refreshed", "failed", "skipped") if o in outcomes)
        self.message_user(request, f"Refreshed from Meta: {summary or 'nothing selected'}.", messages.SUCCESS)


@admin.register(InboundWebhook)
class InboundWebhookAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "received_at", "processed_at", "attempts", "short_error"]
    list_filter = ["endpoint", "received_at"]
    search_fields = ["=id", "=url_phone_id"]
    readonly_fields = [
        "id",
        "endpoint",
        "url_phone_id",
        "raw_body",
        "received_at",
        "processed_at",
        "attempts",
        "error",
        "result",
    ]
    fields = readonly_fields
    ordering = ["-received_at"]
    actions: list[str] = []
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="body")
    def raw_body(self, row: InboundWebhook) -> str:
        return bytes(row.body).decode("utf-8", errors="replace")

    @admin.display(description="error")
    def short_error(self, row: InboundWebhook) -> str:
        return row.error[:80]
