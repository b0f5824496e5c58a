from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from phones.admin import ReadOnlyAdmin
from wabas.models import Waba
from wabas.services import waba_refresh_from_meta


@admin.register(Waba)
class WabaAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meta_waba_id", "owner_business_name", "is_app_subscribed", "organization"]
    list_filter = ["is_app_subscribed", "organization"]
    list_select_related = ["organization"]
    search_fields = ["=id", "=meta_waba_id", "name", "=owner_business_id", "phones__phone_number"]
    # The business token is never displayed, not even masked.
    exclude = ["access_token"]
    readonly_fields = [
        "id",
        "organization",
        "meta_waba_id",
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "owner_business_id",
        "owner_business_name",
        "is_app_subscribed",
        "page_ids",
        "pages",
        "dataset_ids",
        "catalog_ids",
        "instagram_account_ids",
        "ad_account_ids",
        "marketing_messages_onboarding_status",
        "connected_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    ordering = ["-created_at"]
    actions = ["refresh_from_meta"]
    list_per_page = 50
    show_full_result_count = False

    @admin.action(description="Refresh from Meta (connected account and phone health)", permissions=["change"])
    def refresh_from_meta(self, request: HttpRequest, queryset: QuerySet[Waba]) -> None:
        errors = sum(len(waba_refresh_from_meta(waba=waba)) for waba in queryset)
        level = messages.WARNING if errors else messages.SUCCESS
        self.message_user(request, f"Refreshed {queryset.count()} WABA(s); {errors} Graph lookup error(s).", level)
