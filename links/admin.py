"""Links in the admin, and the operator console (dashboard and "find anything") hung off them.

Links are read-only; the one write, "Expire now", goes through the service. A link's page shows its
timeline: created, opened, every signup attempt's steps, and how it ended (with Meta's error code
and trace id). The console's URLs live under the links admin so no custom AdminSite is needed:
/admin/links/onboardinglink/dashboard/ and /admin/links/onboardinglink/find/?q=.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.admin import IdSearchMixin, MetadataAsJsonMixin, as_uuid, exact_variants, find_by_id
from core.timefmt import isoformat_ms
from links.dashboard import delivery_counts, links_by_day, phone_health_counts
from links.funnel_report import funnel_context
from links.models import OnboardingLink, SignupAttempt
from links.services import link_expire
from phones.models import Phone
from wabas.models import Waba
from webhooks.models import Delivery
from webhooks.selectors import LAG_SAMPLE, delivery_backlog, delivery_lag


@dataclass
class TimelineEntry:
    at: str
    what: str
    detail: str | SafeString = ""
    problem: bool = False


def timeline_entries(link: OnboardingLink, attempts: list[SignupAttempt]) -> list[TimelineEntry]:
    """What happened to a link, in order: created, opened, each attempt's steps, and the outcome."""
    created = TimelineEntry(isoformat_ms(link.created_at) or "", "created", f"expires {isoformat_ms(link.expires_at)}")
    entries = [created]
    if link.opened_at:
        entries.append(TimelineEntry(isoformat_ms(link.opened_at) or "", "opened", "hosted page first opened"))
    else:
        entries.append(TimelineEntry("", "not opened", "the hosted page has not been opened yet"))
    for number, attempt in enumerate(attempts, start=1):
        entries.append(
            TimelineEntry(
                isoformat_ms(attempt.created_at) or "",
                f"attempt {number}",
                f"{attempt.event}: {attempt.status}, {attempt.tries} tr{'y' if attempt.tries == 1 else 'ies'} "
                f"(id {attempt.pk})",
            )
        )
        meta_error = _meta_error(attempt)
        failed_shown = False
        for step in attempt.steps or []:
            if not isinstance(step, dict):
                continue
            name = str(step.get("step", ""))
            detail: str | SafeString = str(step.get("detail") or "")
            problem = name in ("failed", "cancelled")
            if name == "failed" and meta_error:
                detail = format_html("{}<br>{}", detail, meta_error)
                failed_shown = True
            entries.append(TimelineEntry(str(step.get("at") or ""), name, detail, problem))
        if attempt.status == SignupAttempt.Status.FAILED and not failed_shown and (attempt.error or meta_error):
            detail = format_html("{}<br>{}", attempt.error, meta_error) if meta_error else attempt.error
            entries.append(TimelineEntry(isoformat_ms(attempt.updated_at) or "", "failed", detail, True))
    status = link.effective_status
    if status == OnboardingLink.Status.COMPLETED:
        entries.append(TimelineEntry(isoformat_ms(link.completed_at) or "", "completed", "phone connected"))
    elif status == OnboardingLink.Status.ERROR:
        entries.append(TimelineEntry(isoformat_ms(link.completed_at) or "", "error", link.error or "", True))
    elif status == OnboardingLink.Status.EXPIRED:
        entries.append(TimelineEntry(isoformat_ms(link.expires_at) or "", "expired", "the link can no longer be used"))
    else:
        entries.append(TimelineEntry("", status, "not finished yet"))
    return entries


def _meta_error(attempt: SignupAttempt) -> SafeString | str:
    parts = []
    if attempt.error_code is not None:
        parts.append(format_html("Meta error code <code>{}</code>", attempt.error_code))
    if attempt.fbtrace_id:
        parts.append(format_html("trace id (fbtrace_id) <code>{}</code>", attempt.fbtrace_id))
    return format_html_join(" · ", "{}", ((part,) for part in parts)) if parts else ""


def render_timeline(entries: list[TimelineEntry]) -> SafeString:
    rows = format_html_join(
        "",
        '<tr class="timeline-{}"{}><td><code>{}</code></td><td><strong>{}</strong></td><td>{}</td></tr>',
        (
            (
                entry.what.replace(" ", "-"),
                format_html(' style="{}"', "color: var(--error-fg, #ba2121)") if entry.problem else "",
                entry.at or "—",
                entry.what,
                entry.detail,
            )
            for entry in entries
        ),
    )
    return format_html(
        '<table class="onboarding-timeline"><thead><tr><th>when (UTC)</th><th>what</th><th>detail</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        rows,
    )


@admin.register(OnboardingLink)
class OnboardingLinkAdmin(IdSearchMixin, MetadataAsJsonMixin, admin.ModelAdmin):
    """Read-only view of links; the one write, "Expire now", goes through the service."""

    list_display = ["name", "shown_status", "organization", "external_id", "created_at", "opened_at", "expires_at"]
    list_filter = ["status", "organization", "created_at"]
    list_select_related = ["organization"]
    # Our ids exactly (the link's, its phone's, its WABA's); Meta's ids, numbers and the customer's
    # external id exactly; the name as text.
    uuid_search_fields = ["id", "phone_id", "waba_id"]
    exact_search_fields = ["external_id"]  # and Meta's ids and numbers, through id_search_q's subqueries
    search_fields = ["name"]
    search_help_text = (
        "A link, phone or WABA id (ours), Meta's phone number id or WABA id, a phone number, "
        "the external id, or words of the name."
    )
    # No date_hierarchy: it runs MIN/MAX and DISTINCT-date aggregates over the whole table on every
    # page; the "created at" filter costs nothing and the dashboard links to each day.
    # The webhook secret is never displayed, not even masked.
    exclude = ["webhook_secret"]
    readonly_fields = [
        "id",
        "organization",
        "name",
        "shown_status",
        "external_id",
        "metadata_json",
        "redirect_url",
        "refresh_url",
        "hosted_url",
        "webhook_url",
        "webhook_events",
        "allowed_flows",
        "phone",
        "waba",
        "is_phone_registered",
        "outgoing_webhook",
        "error",
        "created_at",
        "opened_at",
        "open_count",
        "started_at",
        "start_count",
        "finished_at",
        "expires_at",
        "completed_at",
        "timeline",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "organization",
                    "name",
                    "shown_status",
                    "external_id",
                    "hosted_url",
                    "created_at",
                    "opened_at",
                    "expires_at",
                    "completed_at",
                    "error",
                ]
            },
        ),
        ("Signup funnel", {"fields": ["open_count", "started_at", "start_count", "finished_at"]}),
        ("Timeline", {"fields": ["timeline"]}),
        ("Connected", {"fields": ["phone", "waba", "is_phone_registered", "outgoing_webhook"]}),
        (
            "Set by the customer",
            {
                "fields": [
                    "metadata_json",
                    "redirect_url",
                    "refresh_url",
                    "webhook_url",
                    "webhook_events",
                    "allowed_flows",
                ]
            },
        ),
    ]
    ordering = ["-created_at", "-id"]
    actions = ["expire_now"]
    list_per_page = 50
    # Counting every row of a table with hundreds of thousands of links on each page view is wasted work.
    show_full_result_count = False

    def id_search_q(self, term: str) -> Q | None:
        """Also links of a phone or WABA given by Meta's id or a number: index-backed subqueries, not joins."""
        own = super().id_search_q(term)
        if own is None or as_uuid(term) is not None:
            return own
        variants = exact_variants(term)
        phones = Phone.objects.filter(Q(meta_phone_number_id__in=variants) | Q(phone_number__in=variants))
        wabas = Waba.objects.filter(meta_waba_id__in=variants)
        return own | Q(phone_id__in=phones.values("id")) | Q(waba_id__in=wabas.values("id"))

    @admin.display(description="status", ordering="status")
    def shown_status(self, link: OnboardingLink) -> str:
        return link.effective_status

    @admin.display(description="hosted URL")
    def hosted_url(self, link: OnboardingLink) -> str:
        return link.hosted_url

    @admin.display(description="timeline")
    def timeline(self, link: OnboardingLink) -> SafeString:
        # Prefetched by get_object: one query for every attempt of the link.
        return render_timeline(timeline_entries(link, list(link.attempts.all())))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """The change page's link with its related rows and its attempts (secrets deferred) in two queries."""
        attempts = SignupAttempt.objects.defer("code", "access_token", "pin", "session", "state").order_by(
            "created_at", "id"
        )
        queryset = (
            self.get_queryset(request)
            .select_related("organization", "phone", "waba", "outgoing_webhook")
            .prefetch_related(Prefetch("attempts", queryset=attempts))
        )
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (OnboardingLink.DoesNotExist, ValidationError, ValueError):
            return None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OnboardingLink | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OnboardingLink | None = None) -> bool:
        # Change permission gates the changelist's actions (obj is None); a single link's page stays read-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Expire now", permissions=["change"])
    def expire_now(self, request: HttpRequest, queryset: QuerySet[OnboardingLink]) -> None:
        selected = queryset.count()
        expired = sum(link_expire(link=link) for link in queryset.filter(status=OnboardingLink.Status.PENDING))
        message = f"Expired {expired} link(s)."
        if selected - expired:
            message += f" {selected - expired} left as they were (no longer pending)."
        self.message_user(request, message, messages.SUCCESS)

    # ---- the operator console ------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        console = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="console_dashboard"),
            path("find/", self.admin_site.admin_view(self.find_view), name="console_find"),
        ]
        return console + super().get_urls()

    def _console_context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts}

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        context = self._console_context(request, "Operator dashboard")
        context["lag_sample_limit"] = LAG_SAMPLE
        now = timezone.now()
        context.update(links_by_day(now))
        context.update(funnel_context(request.GET))  # the signup funnel (links.funnel_report)
        if self._may_view(request, Delivery):
            context["deliveries"] = delivery_counts(now)
            context["delivery_lag"] = delivery_lag(now=now)
            context["delivery_backlog"] = delivery_backlog(now=now)
        if self._may_view(request, Phone):
            context["phone_health"] = phone_health_counts()
        return TemplateResponse(request, "admin/console/dashboard.html", context)

    def find_view(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q", "").strip()[:200]
        context = self._console_context(request, "Find anything")
        context.update({"q": term, "found": find_by_id(self.admin_site, request, term) if term else []})
        return TemplateResponse(request, "admin/console/find.html", context)

    def _may_view(self, request: HttpRequest, model: type) -> bool:
        model_admin = self.admin_site._registry.get(model)
        return model_admin is not None and model_admin.has_view_permission(request)
