from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from links.models import OnboardingLink
from links.services import link_expire


@admin.register(OnboardingLink)
class OnboardingLinkAdmin(admin.ModelAdmin):
    """Read-only view of links; the one write, "Expire now", goes through the service."""

    list_display = ["name", "shown_status", "organization", "external_id", "created_at", "expires_at"]
    list_filter = ["status", "organization", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["=id", "name", "=external_id"]
    # The webhook secret is never displayed, not even masked.
    exclude = ["webhook_secret"]
    readonly_fields = [
        "id",
        "organization",
        "name",
        "shown_status",
        "external_id",
        "metadata",
        "redirect_url",
        "hosted_url",
        "webhook_url",
        "webhook_events",
        "phone",
        "waba",
        "is_phone_registered",
        "outgoing_webhook",
        "error",
        "created_at",
        "expires_at",
        "completed_at",
    ]
    fields = readonly_fields
    ordering = ["-created_at", "-id"]
    actions = ["expire_now"]
    list_per_page = 50
    # Counting every row of a table with hundreds of thousands of links on each page view is wasted work.
    show_full_result_count = False

    @admin.display(description="status", ordering="status")
    def shown_status(self, link: OnboardingLink) -> str:
        return link.effective_status

    @admin.display(description="hosted URL")
    def hosted_url(self, link: OnboardingLink) -> str:
        return link.hosted_url

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OnboardingLink | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OnboardingLink | None = None) -> bool:
        # Change permission gates the changelist's actions (obj is None); a single link's page stays read-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Expire now", permissions=["change"])
    def expire_now(self, request: HttpRequest, queryset: QuerySet[OnboardingLink]) -> None:
        expired = sum(link_expire(link=link) for link in queryset.filter(status=OnboardingLink.Status.PENDING))
        self.message_user(request, f"Expired {expired} link(s).", messages.SUCCESS)
