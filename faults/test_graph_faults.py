"""Scenario 4: Graph API failures injected by the sandbox, over real HTTP between the worker and
gunicorn. Transient ones are retried and the link completes; permanent ones fail the link with a
clear message, publish `onboarding_link.failed`, and are not retried.

The Graph client's timeout is `settings.META_GRAPH_TIMEOUT` (read with getattr, default (5, 15));
it is not an environment setting, so the latency case uses a fault longer than the 15 s default.
"""

import time

import pytest

from faults.infra import wait_until

pytestmark = pytest.mark.faults

# (fault kind, options...) injected before the signup; the name says what is exercised.
TRANSIENT = {
    "latency_beyond_client_timeout": [("timeout", {"seconds": 16, "path_contains": "subscribed_apps"})],
    "server_errors": [("server_error", {"count": 2, "path_contains": "/register"})],
    "rate_limit_429_retry_after": [
        ("rate_limit", {"status": 429, "retry_after": 3, "method": "POST", "path_contains": "/register"})
    ],
    "malformed_json": [
        ("malformed_json", {"status": 500, "path_contains": "phone_numbers"}),
        ("malformed_json", {"status": 200, "body": "not json at all", "path_contains": "phone_numbers"}),
    ],
    "connection_reset": [("reset", {"method": "POST", "path_contains": "/register"})],
}
PERMANENT = {
    "invalid_parameter_100": (
        "graph_error",
        {"status": 400, "code": 100, "message": "(#100) Invalid parameter", "method": "POST"}
        | {"path_contains": "subscribed_apps"},
        "Our app could not subscribe to the WhatsApp Business Account's webhooks.",
    ),
    "expired_token_190": (
        "graph_error",
        {"status": 401, "code": 190, "message": "Error validating access token", "path_contains": "phone_numbers"},
        "The WhatsApp Business Account from the signup is not accessible with the permissions granted.",
    ),
}


@pytest.fixture(scope="module")
def worker(stack):
    """One worker for the module: every case runs on it (faults are cleared between cases)."""
    yield stack.start_worker()
    stack.stop_workers()


@pytest.fixture(autouse=True)
def _no_leftover_faults(stack):
    stack.clear_faults()
    yield
    stack.clear_faults()


def _attempt(stack, link_id):
    ((status, tries, steps, error_code),) = stack.sql(
        "SELECT status, tries, steps, error_code FROM links_signupattempt WHERE link_id = %s", (link_id,)
    )
    return status, tries, [s["step"] for s in steps], error_code


@pytest.mark.parametrize("case", list(TRANSIENT))
def test_transient_graph_faults_are_retried_and_the_link_completes(stack, worker, org_key, case):
    link = stack.create_link(org_key)
    for kind, options in TRANSIENT[case]:
        stack.inject_fault(kind, **options)
    started = time.monotonic()
    assert stack.signup(link).callback_status == 202
    final = stack.wait_links(org_key, [link["id"]], {"completed", "error"}, 60)[link["id"]]
    assert final["status"] == "completed", final
    assert final["isPhoneRegistered"] is True
    assert stack.pending_faults() == [], "every injected fault was hit"
    status, tries, steps, _ = _attempt(stack, link["id"])
    assert status == "succeeded" and steps.count("completed") == 1
    if case == "rate_limit_429_retry_after":
        # Retry-After (3 s) is beyond the in-place retries: the task retried after waiting for it.
        assert tries == 2 and time.monotonic() - started >= 3
    assert len(stack.phones_of(link["id"])) == 1 and len(stack.connected_events(link["id"])) == 1


@pytest.mark.parametrize("case", list(PERMANENT))
def test_permanent_graph_errors_fail_the_link_clearly_without_retry(stack, worker, org_key, case):
    kind, options, message = PERMANENT[case]
    link = stack.create_link(org_key)
    stack.inject_fault(kind, count=5, **options)
    signup = stack.signup(link)
    assert signup.callback_status == 202
    final = stack.wait_links(org_key, [link["id"]], {"completed", "error"}, 30)[link["id"]]
    assert final["status"] == "error", final
    assert final["error"].startswith(message), final["error"]
    assert "EAASBX" not in final["error"] and signup.code not in final["error"]  # no token, no code

    time.sleep(2)  # no retry comes later either
    status, tries, steps, error_code = _attempt(stack, link["id"])
    assert (status, tries, error_code) == ("failed", 1, options["code"]), (status, tries, steps)
    assert steps[-1] == "failed"
    assert len(stack.pending_faults()) == 1 and stack.pending_faults()[0]["remaining"] == 4, "called exactly once"
    assert stack.get_link(org_key, link["id"])["status"] == "error"
    failed = stack.sql(
        "SELECT data->>'error' FROM webhooks_event WHERE type = 'onboarding_link.failed' "
        "AND data->>'onboardingLinkId' = %s",
        (link["id"],),
    )
    assert failed == [(final["error"],)]
    status_page = wait_until(
        lambda: stack.client(org_key).get(f"{stack.base}/signup/{link['id']}/status", timeout=30).json(), 5, "status"
    )
    assert status_page["status"] == "error" and status_page["error"] == final["error"]
