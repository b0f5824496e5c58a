import os
import socket
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core.management import CommandError, call_command

from sandbox.constants import SANDBOX_APP_ID, SANDBOX_APP_NAME

APP_ID, APP_SECRET = "123456789012345", "wrong-or-right-app-secret-value"
APP_URL = f"https://graph.facebook.com/v25.0/{APP_ID}"


def check() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_meta_config", stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def live_app(settings):
    """A complete live-mode configuration (Graph itself is faked with `responses` in each test)."""
    settings.META_APP_ID = APP_ID
    settings.META_APP_SECRET = APP_SECRET
    settings.META_CONFIG_ID = "987654321"
    settings.META_WEBHOOK_VERIFY_TOKEN = "verify-me"
    settings.META_SANDBOX = False
    settings.META_GRAPH_VERSION = "v25.0"
    settings.META_GRAPH_BASE_URL = "https://graph.facebook.com"
    settings.PUBLIC_BASE_URL = "https://onboarding.example.com"


@pytest.mark.django_db(transaction=True)
def test_sandbox_mode_passes_against_the_sandbox_served_by_the_web_process(live_server, settings):
    settings.META_APP_ID = ""
    settings.META_SANDBOX = True
    settings.META_GRAPH_BASE_URL = live_server.url + "/_sandbox/graph"
    settings.PUBLIC_BASE_URL = live_server.url

    output, error = check()

    assert error is None, output
    assert "OK   mode: sandbox ON" in output
    assert "OK   META_APP_SECRET: not needed in sandbox mode" in output
    assert f"OK   app token: works: app '{SANDBOX_APP_NAME}' ({SANDBOX_APP_ID}) on v25.0" in output
    assert (
        "OK   webhook fields: messages, account_update, smb_message_echoes, history, smb_app_state_sync go to "
        f"{live_server.url}/webhook/meta" in output
    )
    assert "\nFAIL" not in output and output.rstrip().endswith("10 OK, 0 FAIL.")


def test_sandbox_mode_fails_when_the_sandbox_does_not_answer(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.META_APP_ID = ""
    settings.META_SANDBOX = True
    settings.META_GRAPH_BASE_URL = f"http://127.0.0.1:{closed_port}/_sandbox/graph"

    output, error = check()

    assert error is not None and "app token" in str(error)
    assert "FAIL app token: the sandbox did not answer" in output
    assert "start `make run`, or, if it serves another port, `export PORT=<that port>`" in output


def test_a_second_shell_is_told_which_port_make_run_serves_on(settings, tmp_path, monkeypatch):
    """`make run` with PORT=9000 records its port; a command in a shell without PORT names the export."""
    from core import devserver

    monkeypatch.setattr(devserver, "RUN_FILE", tmp_path / "make-run.json")
    devserver.record(9000, os.getpid())  # a live process, as make run is while it serves
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.META_APP_ID, settings.META_SANDBOX, settings.PORT = "", True, 8000
    settings.META_GRAPH_BASE_URL = f"http://127.0.0.1:{closed_port}/_sandbox/graph"

    output, _ = check()

    assert "`make run` serves on port 9000, this shell on 8000: run `export PORT=9000` here" in output
    devserver.forget()
    assert devserver.running_port() is None


def subscriptions(*fields: str, callback_url: str = "https://onboarding.example.com/webhook/meta") -> dict:
    """Meta's `GET /{app-id}/subscriptions` answer (Graph API reference, Application > subscriptions)."""
    entry = {
        "object": "whatsapp_business_account",
        "callback_url": callback_url,
        "active": True,
        "fields": [{"name": name, "version": "v25.0"} for name in fields],
    }
    return {"data": [entry]}


ALL_FIELDS = ("messages", "account_update", "smb_message_echoes", "history", "smb_app_state_sync")


@responses.activate
def test_live_mode_with_working_credentials_passes(live_app):
    responses.get(APP_URL, json={"id": APP_ID, "name": "Acme Onboarding"})
    responses.get(f"{APP_URL}/subscriptions", json=subscriptions(*ALL_FIELDS))

    output, error = check()

    assert error is None, output
    assert f"OK   mode: sandbox OFF: live Meta app {APP_ID}" in output
    assert f"OK   app token: works: app 'Acme Onboarding' ({APP_ID}) on v25.0" in output
    assert "OK   webhook fields: messages, account_update" in output
    app_call, subscriptions_call = responses.calls
    for call in (app_call, subscriptions_call):
        assert parse_qs(urlsplit(call.request.url).query)["access_token"] == [f"{APP_ID}|{APP_SECRET}"]


@responses.activate
def test_live_mode_says_how_to_subscribe_a_missing_webhook_field(live_app):
    responses.get(APP_URL, json={"id": APP_ID, "name": "Acme Onboarding"})
    responses.get(f"{APP_URL}/subscriptions", json=subscriptions("messages", "history"))

    output, error = check()

    assert error is not None and "webhook fields" in str(error)
    line = next(line for line in output.splitlines() if "webhook fields" in line)
    assert line.startswith("FAIL")
    for missing in ("account_update", "smb_message_echoes", "smb_app_state_sync"):
        assert f"{missing} is not subscribed" in line and f"click Subscribe on {missing}" in line
    assert "messages is not" not in line and "history is not" not in line
    assert "WhatsApp > Configuration > Webhook fields" in line


@responses.activate
def test_live_mode_without_any_whatsapp_webhook_says_what_to_set(live_app):
    responses.get(APP_URL, json={"id": APP_ID, "name": "Acme Onboarding"})
    responses.get(f"{APP_URL}/subscriptions", json={"data": []})

    output, error = check()

    assert error is not None
    assert "FAIL webhook fields: the app has no webhook for WhatsApp Business Account" in output
    assert "https://onboarding.example.com/webhook/meta" in output


@responses.activate
def test_live_mode_with_a_bad_secret_fails_and_never_prints_it(live_app):
    responses.get(
        APP_URL,
        status=400,
        json={
            "error": {
                "message": "Error validating client secret.",
                "type": "OAuthException",
                "code": 190,
                "fbtrace_id": "AxYz123",
            }
        },
    )

    output, error = check()

    assert error is not None and "app token" in str(error)
    assert "FAIL app token: Graph rejected the app id/secret pair: Error validating client secret. (#190" in output
    assert "fbtrace_id AxYz123" in output and "check META_APP_SECRET" in output
    assert APP_SECRET not in output
    assert output.rstrip().endswith("1 FAIL.")


@responses.activate
def test_live_mode_names_every_missing_setting_and_does_not_call_graph(live_app, settings):
    settings.META_APP_SECRET = ""
    settings.META_CONFIG_ID = ""
    settings.META_WEBHOOK_VERIFY_TOKEN = ""
    settings.PUBLIC_BASE_URL = "http://onboarding.example.com"

    output, error = check()

    assert error is not None
    for name in ("META_APP_SECRET", "META_CONFIG_ID", "META_WEBHOOK_VERIFY_TOKEN", "PUBLIC_BASE_URL", "app token"):
        assert name in str(error)
    assert "FAIL META_APP_SECRET: not set (App settings > Basic > App secret)" in output
    assert "FAIL PUBLIC_BASE_URL: http://onboarding.example.com is not https" in output
    assert "FAIL app token: not tried: META_APP_ID and META_APP_SECRET are needed" in output
    assert "OK   META_APP_ID: set" in output
    assert output.rstrip().endswith("5 FAIL.")
    assert len(responses.calls) == 0


@responses.activate
def test_live_mode_rejects_a_non_numeric_app_id_and_a_bad_version(live_app, settings):
    settings.META_APP_ID = "my-app"
    settings.META_GRAPH_VERSION = "25"

    output, error = check()

    assert error is not None
    assert "FAIL META_APP_ID: 'my-app' is not a numeric id" in output
    assert "FAIL META_GRAPH_VERSION: '25' is not a Graph version like 'v25.0'" in output
    assert len(responses.calls) == 0


@responses.activate
def test_live_mode_reports_graph_being_down(live_app):
    responses.get(APP_URL, status=503, body="upstream unavailable")

    output, error = check()

    assert error is not None
    assert "FAIL app token: Graph did not answer: Graph answered HTTP 503" in output
    assert "web process" not in output


def test_app_id_with_the_sandbox_on_is_a_failure(settings):
    settings.META_APP_ID = APP_ID
    settings.META_SANDBOX = True

    output, error = check()

    assert error is not None and "mode" in str(error)
    assert "FAIL mode: META_APP_ID is set but the sandbox is on" in output
