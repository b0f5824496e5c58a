from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.admin import IdSearchMixin, as_uuid, exact_variants
from wabas.models import Waba
from wabas.services import waba_refresh_from_meta
from wabas.tokens import token_state, tokens_expiring


class ReadOnlyAdmin(admin.ModelAdmin):
    """For looking: no add, no delete, a read-only page; actions go through services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Change permission gates the changelist's actions (obj is None); object pages stay read-only.
        return obj is None and super().has_change_permission(request, obj)


class TokenStateFilter(admin.SimpleListFilter):
    title = "business token"
    parameter_name = "token"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("reconnect", "Needs reconnection"), ("expiring", "Expires soon")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Waba]) -> QuerySet[Waba]:
        if self.value() == "reconnect":
            return queryset.exclude(token_invalid_reason="")
        if self.value() == "expiring":
            return queryset.filter(pk__in=tokens_expiring().values("pk"))
        return queryset


@admin.register(Waba)
class WabaAdmin(IdSearchMixin, ReadOnlyAdmin):
    list_display = [
        "__str__",
        "meta_waba_id",
        "owner_business_name",
        "is_app_subscribed",
        "token_state",
        "organization",
    ]
    list_filter = ["is_app_subscribed", TokenStateFilter, "organization"]
    list_select_related = ["organization"]
    uuid_search_fields = ["id"]
    exact_search_fields = ["meta_waba_id", "owner_business_id"]
    search_fields = ["name", "owner_business_name"]
    search_help_text = (
        "The WABA's id (ours) or one of its phones' ids, Meta's WABA id or business portfolio id, "
        "a phone number or Meta phone number id of one of its phones, or words of its name."
    )
    # The business token is never displayed, not even masked.
    exclude = ["access_token", "token_sha256"]
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
        "token_state",
        "token_expires_at",
        "data_access_expires_at",
        "token_invalid_reason",
        "token_invalid_at",
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

    @admin.display(description="Business token")
    def token_state(self, waba: Waba) -> str:
        return token_state(waba)

    def id_search_q(self, term: str) -> Q | None:
        """Also the WABA of a phone given by its id (ours or Meta's) or number: a subquery, no duplicate rows."""
        own = super().id_search_q(term)
        if own is None:
            return None
        parsed, variants = as_uuid(term), exact_variants(term)
        # Through the reverse relation, so wabas need not import phones.
        if parsed:
            phone = Q(phones__id=parsed)
        else:
            phone = Q(phones__meta_phone_number_id__in=variants) | Q(phones__phone_number__in=variants)
        return own | Q(pk__in=Waba.objects.filter(phone).values("pk"))

    @admin.action(description="Refresh from Meta (connected account and phone health)", permissions=["change"])
    def refresh_from_meta(self, request: HttpRequest, queryset: QuerySet[Waba]) -> None:
        errors = sum(waba_refresh_from_meta(waba=waba) for waba in queryset)
        level = messages.WARNING if errors else messages.SUCCESS
        self.message_user(request, f"Refreshed {queryset.count()} WABA(s); {errors} Graph lookup error(s).", level)
