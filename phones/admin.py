from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.http import HttpRequest

from core.admin import IdSearchMixin, MetadataAsJsonMixin, as_uuid, exact_variants, values_filter
from phones.health import HEALTH_STATUSES
from phones.models import InboundWebhook, Phone
from phones.services import phone_refresh_from_meta
from wabas.admin import ReadOnlyAdmin
from wabas.models import Waba


class HealthFilter(admin.SimpleListFilter):
    """The last computed health (no query to build the choices); the dashboard links here."""

    title = "health"
    parameter_name = "health"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("healthy", "healthy"), ("limited", "limited"), ("blocked", "blocked"), ("not_checked", "not checked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Phone]) -> QuerySet[Phone]:
        value = self.value()
        if value == "not_checked":
            return queryset.filter(
                Q(health__isnull=True) | Q(health__status__isnull=True) | ~Q(health__status__in=HEALTH_STATUSES)
            )
        if value in HEALTH_STATUSES:
            return queryset.filter(health__status=value)
        return queryset


@admin.register(Phone)
class PhoneAdmin(IdSearchMixin, MetadataAsJsonMixin, ReadOnlyAdmin):
    list_display = [
        "__str__",
        "display_name",
        "status",
        "shown_health",
        "is_registered",
        "quality_rating",
        # No organization column (the filter has it, the WABA's page shows it): with it the table
        # was cut off at 1280 px.
        "waba",
    ]
    list_filter = [
        "status",
        HealthFilter,
        "is_registered",
        values_filter("quality_rating", "quality rating", ["GREEN", "YELLOW", "RED", "UNKNOWN"]),
        "organization",
    ]
    list_select_related = ["waba", "organization"]
    uuid_search_fields = ["id", "waba_id", "onboarding_link_id"]
    exact_search_fields = [
        "meta_phone_number_id",
        "phone_number",
        "display_phone_number",
        "external_id",
    ]
    search_fields = ["display_name"]
    search_help_text = (
        "A phone, WABA or link id (ours), Meta's phone number id or WABA id, a phone number (+ and spaces optional), "
        "the external id, or words of the verified name."
    )
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
        "metadata_json",
        "external_id",
        "health",
        "health_checked_at",
        "disconnected_at",
        "disconnected_reason",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    ordering = ["-created_at", "-id"]
    actions = ["refresh_from_meta"]
    list_per_page = 50
    show_full_result_count = False

    def id_search_q(self, term: str) -> Q | None:
        """Also the phones of a WABA given by Meta's id: an index-backed subquery, not a join."""
        own = super().id_search_q(term)
        if own is None or as_uuid(term) is not None:
            return own
        return own | Q(waba_id__in=Waba.objects.filter(meta_waba_id__in=exact_variants(term)).values("id"))

    @admin.display(description="health", ordering=KT("health__status"))
    def shown_health(self, phone: Phone) -> str:
        return (phone.health or {}).get("status") or "not checked"

    @admin.action(description="Refresh from Meta (health and connected account)", permissions=["change"])
    def refresh_from_meta(self, request: HttpRequest, queryset: QuerySet[Phone]) -> None:
        outcomes = [phone_refresh_from_meta(phone=phone).outcome for phone in queryset.select_related("waba")]
        summary = ", ".join(f"{outcomes.count(o)} {o}" for o in ("refreshed", "failed", "skipped") if o in outcomes)
        level = messages.WARNING if "failed" in outcomes or "skipped" in outcomes else messages.SUCCESS
        self.message_user(request, f"Refreshed from Meta: {summary or 'nothing selected'}.", level)


@admin.register(InboundWebhook)
class InboundWebhookAdmin(IdSearchMixin, ReadOnlyAdmin):
    list_display = ["id", "endpoint", "received_at", "processed_at", "attempts", "short_error"]
    list_filter = ["endpoint", ("processed_at", admin.EmptyFieldListFilter), "received_at"]
    uuid_search_fields = ["id", "url_phone_id"]
    search_help_text = "The inbound webhook's id, or the phone id (ours) of a per-phone URL."
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
