"""Looking at sent messages: a list with their statuses, each message's status history, and each
phone's recent messages on the phone's page (added to the phones admin from here: phones never
imports messaging)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.admin import IdSearchMixin
from messaging.models import MessageStatusChange, OutgoingMessage
from messaging.selectors import LIFECYCLE
from phones.admin import PhoneAdmin
from phones.models import Phone
from wabas.admin import ReadOnlyAdmin

RECENT_ON_PHONE_PAGE = 20


class StatusHistoryInline(admin.TabularInline):
    model = MessageStatusChange
    fields = ["status", "occurred_at", "error_code", "error_title", "error_details"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = [LIFECYCLE, "id"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(IdSearchMixin, ReadOnlyAdmin):
    list_display = ["id", "phone", "to", "type", "status", "error_code", "attempts", "created_at"]
    list_filter = ["status", "type"]
    list_select_related = ["phone"]
    uuid_search_fields = ["id", "phone_id"]
    exact_search_fields = ["meta_message_id", "to"]
    search_help_text = "A message or phone id (ours), Meta's message id (wamid), or the recipient (E.164)."
    readonly_fields = [
        "id",
        "organization",
        "phone",
        "to",
        "type",
        "content",
        "context_meta_message_id",
        "status",
        "meta_message_id",
        "attempts",
        "next_attempt_at",
        "error_code",
        "error_title",
        "error_details",
        "sent_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [StatusHistoryInline]
    ordering = ["-created_at", "-id"]
    actions: list[str] = []
    list_per_page = 50
    show_full_result_count = False


@admin.display(description="recent messages")
def recent_messages(model_admin: admin.ModelAdmin, phone: Phone) -> SafeString:
    """The phone's latest messages, each with its status history (two queries)."""
    messages = list(OutgoingMessage.objects.filter(phone=phone).order_by("-created_at", "-id")[:RECENT_ON_PHONE_PAGE])
    if not messages:
        return format_html("{}", "No messages sent through the API.")
    history: dict = {}
    for change in MessageStatusChange.objects.filter(message__in=messages).order_by(LIFECYCLE, "id"):
        history.setdefault(change.message_id, []).append(change)
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:messaging_outgoingmessage_change", args=[m.pk]),
                m.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                m.to,
                m.type,
                m.status + (f" ({m.error_code})" if m.error_code else ""),
                " → ".join(f"{c.status} {c.occurred_at:%H:%M:%S}" for c in history.get(m.pk, [])),
            )
            for m in messages
        ),
    )
    link = reverse("admin:messaging_outgoingmessage_changelist") + f"?q={phone.pk}"
    return format_html(
        "<table><tr><th>message</th><th>to</th><th>type</th><th>status</th><th>history</th></tr>{}</table>"
        '<p><a href="{}">All of this phone\'s messages</a></p>',
        rows,
        link,
    )


PhoneAdmin.recent_messages = recent_messages
PhoneAdmin.readonly_fields = [*PhoneAdmin.readonly_fields, "recent_messages"]
PhoneAdmin.fields = PhoneAdmin.readonly_fields
