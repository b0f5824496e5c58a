"""`GET /v1/phones/{id}/health` over the sandbox: healthy, limited, blocked, unreachable; caching,
budget, the periodic job and the command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from phones.models import Phone
from phones.tasks import refresh_due_phone_health
from phones.tests.helpers import connect_phone
from sandbox.faults import inject_fault
from sandbox.models import SandboxCall

pytestmark = pytest.mark.django_db(transaction=True)

HEALTH_KEYS = ["phoneNumberId", "checkedAt", "status", "capabilities", "checks", "errors"]
CHECK_NAMES = ["connected", "registered", "app_subscribed", "phone_number", "waba", "business", "app"]


def phone_reads() -> int:
    return sum(SandboxCall.objects.filter(kind="GET phone").values_list("count", flat=True))


def health(api_client, phone: Phone) -> dict:
    response = api_client.get(f"/v1/phones/{phone.id}/health")
    assert response.status_code == 200
    return response.json()["data"]


def make_stale(phone: Phone) -> None:
    Phone.objects.filter(pk=phone.pk).update(health_checked_at=timezone.now() - timedelta(hours=1))


def test_a_healthy_phone_is_safe_to_use(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)

    data = health(api_client, phone)

    assert list(data) == HEALTH_KEYS
    assert data["phoneNumberId"] == str(phone.id)
    assert data["status"] == "healthy"
    assert data["capabilities"] == {"canSendMessages": True, "canReceiveMessages": True}
    assert [c["name"] for c in data["checks"]] == CHECK_NAMES
    assert all(c["ok"] for c in data["checks"]) and all(list(c) == ["name", "ok", "detail"] for c in data["checks"])
    assert data["errors"] == []
    phone.refresh_from_db()
    assert data["checkedAt"] == phone.health_checked_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_limited_phone_can_still_send_and_receive(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, outcome="sandbox_limited")

    data = health(api_client, phone)

    assert data["status"] == "limited"
    assert data["capabilities"] == {"canSendMessages": True, "canReceiveMessages": True}
    check = next(c for c in data["checks"] if c["name"] == "phone_number")
    assert check["ok"] is False and "LIMITED" in check["detail"] and "display name" in check["detail"]
    phone.refresh_from_db()
    assert phone.quality_rating == "YELLOW"


def test_a_blocked_phone_is_not_safe_and_says_why(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, outcome="sandbox_blocked")

    data = health(api_client, phone)

    assert data["status"] == "blocked"
    assert data["capabilities"] == {"canSendMessages": False, "canReceiveMessages": False}
    (error,) = data["errors"]
    assert error["source"] == "WABA" and error["code"] == 141006
    assert next(c for c in data["checks"] if c["name"] == "phone_number")["ok"] is True
    assert error["message"] and error["possibleSolution"]


def test_an_unregistered_phone_cannot_send_or_receive(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, outcome="sandbox_register_error")

    data = health(api_client, phone)

    assert data["status"] == "limited"
    assert data["capabilities"] == {"canSendMessages": False, "canReceiveMessages": False}
    assert next(c for c in data["checks"] if c["name"] == "registered")["ok"] is False


def test_meta_unreachable_answers_unknown_with_the_last_known_checks(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    first = health(api_client, phone)
    make_stale(phone)
    phone.refresh_from_db()
    taken_at = phone.health_checked_at
    inject_fault("server_error", count=5, path_contains=phone.meta_phone_number_id)

    data = health(api_client, phone)

    assert data["status"] == "unknown"
    assert data["capabilities"] == {"canSendMessages": False, "canReceiveMessages": False}
    assert data["checks"] == first["checks"]
    assert data["checkedAt"] == taken_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert data["errors"][-1]["source"] == "graph" and data["errors"][-1]["code"] == 2
    # Meta's hint to wait is honoured: the next read does not call again, and stays unknown.
    calls = phone_reads()
    assert health(api_client, phone)["status"] == "unknown"
    assert phone_reads() == calls


def test_unreachable_before_any_check_is_unknown_without_checks(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    inject_fault("timeout", count=1, path_contains=phone.meta_phone_number_id, seconds=0.1)
    inject_fault("reset", count=1, path_contains=phone.meta_phone_number_id)

    data = health(api_client, phone)

    assert data["status"] == "unknown" and data["checks"] == [] and data["checkedAt"] is None


def test_reads_within_the_ttl_answer_from_the_stored_result(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    before = phone_reads()
    results = [health(api_client, phone) for _ in range(10)]
    assert phone_reads() - before == 1
    assert len({r["checkedAt"] for r in results}) == 1


def test_a_disconnected_phone_is_blocked_without_asking_meta(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    Phone.objects.filter(pk=phone.pk).update(status=Phone.Status.DISCONNECTED)
    before = phone_reads()

    data = health(api_client, phone)

    assert data["status"] == "blocked" and data["capabilities"]["canReceiveMessages"] is False
    assert data["checks"][0] == {"name": "connected", "ok": False, "detail": "Disconnected."}
    assert phone_reads() == before


def test_the_periodic_job_refreshes_stale_phones_within_the_budget(sandbox_graph, api_client, browser_for, settings):
    phones = [connect_phone(api_client, browser_for) for _ in range(2)]
    never_checked = phones[0]
    make_stale(phones[1])
    before = phone_reads()

    counts = refresh_due_phone_health.delay().get()

    assert counts == {"due": 2, "refreshed": 2, "failed": 0, "skipped": 0}
    assert phone_reads() - before == 2
    never_checked.refresh_from_db()
    assert never_checked.health["status"] == "healthy"
    # Nothing is stale any more: the next run calls nothing.
    assert refresh_due_phone_health.delay().get()["due"] == 0

    # With a budget smaller than the reserve left for API reads, the job calls nothing.
    settings.META_GRAPH_CALLS_PER_WABA_PER_HOUR = 10
    make_stale(phones[0])
    assert refresh_due_phone_health.delay().get() == {"due": 1, "refreshed": 0, "failed": 0, "skipped": 1}


def test_the_command_dry_run_calls_nothing(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    before = phone_reads()
    out = StringIO()

    call_command("refresh_phone_health", "--dry-run", stdout=out)

    assert str(phone.id) in out.getvalue() and "1 phone(s) due; nothing was called" in out.getvalue()
    assert phone_reads() == before
    phone.refresh_from_db()
    assert phone.health_checked_at is None


def test_the_command_refreshes_all_due_or_one_phone(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for, outcome="sandbox_limited")
    out = StringIO()

    call_command("refresh_phone_health", stdout=out)
    assert "1 phone(s) due: 1 refreshed, 0 failed" in out.getvalue()

    out = StringIO()
    call_command("refresh_phone_health", "--phone", str(phone.id), stdout=out)
    assert f"{phone.id}: refreshed (limited); status limited." in out.getvalue()


def test_the_command_refuses_an_unknown_phone(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No phone"):
        call_command("refresh_phone_health", "--phone", "not-a-uuid")


# --- Meta's documented rules, on Meta's examples ------------------------------------------------


def _compute(health_status: dict) -> dict:
    from phones.health import compute

    return compute(connected=True, registered=True, subscribed=True, health_status=health_status)


def test_a_blocked_template_does_not_block_the_number():
    from phones.tests.meta_examples import HEALTH_TEMPLATE_BLOCKED

    result = _compute(HEALTH_TEMPLATE_BLOCKED)

    assert result["status"] == "healthy"
    assert result["capabilities"] == {"canSendMessages": True, "canReceiveMessages": True}
    assert result["errors"] == []


def test_a_blocked_waba_blocks_the_number_whose_own_entity_is_available():
    from phones.tests.meta_examples import HEALTH_WABA_PAYMENT_BLOCKED

    result = _compute(HEALTH_WABA_PAYMENT_BLOCKED)

    assert result["status"] == "blocked"
    assert result["capabilities"] == {"canSendMessages": False, "canReceiveMessages": False}
    assert [(e["source"], e["code"]) for e in result["errors"]] == [("WABA", 141006)]
    checks = {c["name"]: c["ok"] for c in result["checks"]}
    assert checks["phone_number"] is True and checks["waba"] is False


def test_an_overall_block_no_entity_explains_is_blocked_and_says_so():
    from phones.tests.meta_examples import HEALTH_OVERALL_ONLY_BLOCKED

    result = _compute(HEALTH_OVERALL_ONLY_BLOCKED)

    assert result["status"] == "blocked"
    assert result["capabilities"] == {"canSendMessages": False, "canReceiveMessages": False}
    overall = next(c for c in result["checks"] if c["name"] == "overall")
    assert overall["ok"] is False and "BLOCKED" in overall["detail"]
    assert [e["source"] for e in result["errors"]] == ["HEALTH_STATUS"]


def test_errors_on_an_entity_that_can_still_send_are_not_blocking():
    from phones.tests.meta_examples import HEALTH_SIP_NOTE_LIMITED

    result = _compute(HEALTH_SIP_NOTE_LIMITED)

    assert result["status"] == "limited"
    assert result["capabilities"] == {"canSendMessages": True, "canReceiveMessages": True}
    assert result["errors"] == []
    assert "SIP is not enabled" in next(c for c in result["checks"] if c["name"] == "phone_number")["detail"]


def test_the_health_check_reads_the_current_messaging_limit_field(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)

    data = health(api_client, phone)

    assert "messaging limit TIER_250" in next(c for c in data["checks"] if c["name"] == "phone_number")["detail"]
