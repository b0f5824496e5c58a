"""Check the Meta app settings and credentials against Graph (or the sandbox) and say what is wrong."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import devserver
from meta.graph import GraphError, GraphTransientError, graph_client

_VERSION = re.compile(r"^v\d+\.\d+$")
_NUMERIC_ID = re.compile(r"^\d{1,40}$")
LIVE_GRAPH_URL = "https://graph.facebook.com"
# Setting -> where to find it in the Meta app dashboard.
REQUIRED_LIVE = {
    "META_APP_ID": "App settings > Basic > App ID",
    "META_APP_SECRET": "App settings > Basic > App secret",
    "META_CONFIG_ID": "Facebook Login for Business > Configurations",
    "META_WEBHOOK_VERIFY_TOKEN": "the verify token entered with the app's webhook callback URL",
}
NUMERIC = ("META_APP_ID", "META_CONFIG_ID")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def mode_checks() -> list[Check]:
    if settings.META_SANDBOX:
        if settings.META_APP_ID:
            return [Check("mode", False, "META_APP_ID is set but the sandbox is on: the sandbox must be off.")]
        return [
            Check("mode", True, f"sandbox ON (META_APP_ID unset): Graph calls go to {settings.META_GRAPH_BASE_URL}")
        ]
    return [Check("mode", True, f"sandbox OFF: live Meta app {settings.META_APP_ID}")]


def settings_checks() -> list[Check]:
    """What a live Meta app needs; in sandbox mode the built-in fake app stands in for all of it."""
    checks = []
    if settings.META_SANDBOX:
        for name in REQUIRED_LIVE:
            checks.append(Check(name, True, "not needed in sandbox mode"))
    else:
        for name, where in REQUIRED_LIVE.items():
            value = str(getattr(settings, name, "") or "").strip()
            if not value:
                checks.append(Check(name, False, f"not set ({where})"))
            elif name in NUMERIC and not _NUMERIC_ID.match(value):
                checks.append(Check(name, False, f"{value!r} is not a numeric id ({where})"))
            else:
                checks.append(Check(name, True, "set"))

    base = settings.PUBLIC_BASE_URL
    if settings.META_SANDBOX or _https(base):
        checks.append(Check("PUBLIC_BASE_URL", True, base))
    else:
        checks.append(
            Check(
                "PUBLIC_BASE_URL", False, f"{base} is not https: Meta requires https for the hosted page and webhooks"
            )
        )

    version = settings.META_GRAPH_VERSION
    if _VERSION.match(version):
        checks.append(Check("META_GRAPH_VERSION", True, version))
    else:
        checks.append(Check("META_GRAPH_VERSION", False, f"{version!r} is not a Graph version like 'v25.0'"))

    graph_url = settings.META_GRAPH_BASE_URL
    if settings.META_SANDBOX:
        checks.append(Check("META_GRAPH_BASE_URL", True, f"{graph_url} (the sandbox)"))
    elif not _https(graph_url):
        checks.append(Check("META_GRAPH_BASE_URL", False, f"{graph_url} is not https"))
    elif graph_url != LIVE_GRAPH_URL:
        checks.append(Check("META_GRAPH_BASE_URL", True, f"{graph_url} (not {LIVE_GRAPH_URL}: a proxy?)"))
    else:
        checks.append(Check("META_GRAPH_BASE_URL", True, graph_url))
    return checks


def app_token_check() -> Check:
    """`GET /{app-id}` with the app token: proves the app id, the secret, the version and the network."""
    name = "app token"
    if not settings.META_SANDBOX and not (
        _NUMERIC_ID.match(settings.META_APP_ID) and str(settings.META_APP_SECRET or "").strip()
    ):
        return Check(name, False, "not tried: META_APP_ID and META_APP_SECRET are needed")
    where = "the sandbox" if settings.META_SANDBOX else "Graph"
    client = graph_client()
    try:
        app = client.get_app()
    except GraphTransientError as exc:
        hint = f" {devserver.export_hint()}" if settings.META_SANDBOX else ""
        return Check(name, False, f"{where} did not answer: {exc}.{hint}")
    except GraphError as exc:
        if exc.is_auth_error:
            reason = f"{where} rejected the app id/secret pair: {exc} (check META_APP_SECRET for this app)"
        else:
            reason = f"{where} refused the app lookup: {exc}"
        return Check(name, False, reason)
    if str(app.get("id")) != client.app_id:
        return Check(name, False, f"{where} answered for app {app.get('id')!r}, not {client.app_id}")
    return Check(name, True, f"works: app {app.get('name')!r} ({app.get('id')}) on {client.version}")


# Webhook fields of the app's `whatsapp_business_account` subscription -> why the service needs it.
WEBHOOK_FIELDS = {
    "messages": "messages and their statuses",
    "account_update": "disconnections, reconnections and restrictions",
    "smb_message_echoes": "messages sent from the WhatsApp Business app (coexistence numbers)",
    "history": "the WhatsApp Business app's chat history (coexistence numbers)",
    "smb_app_state_sync": "the WhatsApp Business app's contacts (coexistence numbers)",
}
WEBHOOK_SETTINGS = "App Dashboard > WhatsApp > Configuration > Webhook fields"


def webhook_fields_check() -> Check:
    """`GET /{app-id}/subscriptions`: the app sends the fields the service handles to its callback."""
    name = "webhook fields"
    where = "the sandbox" if settings.META_SANDBOX else "Graph"
    try:
        subscriptions = graph_client().list_app_subscriptions()
    except GraphError as exc:
        return Check(name, False, f"{where} refused the subscriptions lookup: {exc}")
    expected_url = f"{settings.PUBLIC_BASE_URL}/webhook/meta"
    waba = next((s for s in subscriptions if s.get("object") == "whatsapp_business_account"), None)
    if waba is None:
        return Check(
            name,
            False,
            f"the app has no webhook for WhatsApp Business Account: in {WEBHOOK_SETTINGS}, set the callback URL "
            f"{expected_url} with META_WEBHOOK_VERIFY_TOKEN and subscribe to {', '.join(WEBHOOK_FIELDS)}",
        )
    problems = []
    if waba.get("active") is False:
        problems.append(f"the subscription is inactive: verify the callback URL again in {WEBHOOK_SETTINGS}")
    if waba.get("callback_url") and waba["callback_url"] != expected_url:
        problems.append(f"the callback URL is {waba['callback_url']}, not {expected_url}")
    subscribed = {str(f.get("name")) for f in waba.get("fields") or [] if isinstance(f, dict)}
    for field, why in WEBHOOK_FIELDS.items():
        if field not in subscribed:
            problems.append(f"{field} is not subscribed ({why}): in {WEBHOOK_SETTINGS}, click Subscribe on {field}")
    if problems:
        return Check(name, False, "; ".join(problems))
    return Check(name, True, f"{', '.join(WEBHOOK_FIELDS)} go to {waba.get('callback_url') or expected_url}")


class Command(BaseCommand):
    help = (
        "Check the Meta app configuration and say what is wrong: required settings (META_APP_ID, "
        "META_APP_SECRET, META_CONFIG_ID, META_WEBHOOK_VERIFY_TOKEN, https PUBLIC_BASE_URL) in live mode, the "
        "Graph version and base URL, sandbox on/off, and one Graph call with the app token (GET /{app-id}) that "
        "proves the app id and secret work, then the app's webhook fields (GET /{app-id}/subscriptions: messages, "
        "account_update and the coexistence fields, with how to subscribe a missing one). "
        "In sandbox mode these calls go to the sandbox served by the web "
        "process. Changes nothing. Prints OK/FAIL per check and a summary; exits non-zero if any check fails."
    )

    def handle(self, *args: object, **options: object) -> None:
        checks = [*mode_checks(), *settings_checks(), app_token_check()]
        if checks[-1].ok:  # the subscriptions lookup needs the app token that just worked
            checks.append(webhook_fields_check())
        for check in checks:
            status = self.style.SUCCESS("OK  ") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{status} {check.name}: {check.reason}")
        failed = [c.name for c in checks if not c.ok]
        self.stdout.write(f"{len(checks) - len(failed)} OK, {len(failed)} FAIL.")
        if failed:
            raise CommandError(f"Meta configuration has problems: {', '.join(failed)}.")
