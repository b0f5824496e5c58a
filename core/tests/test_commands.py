from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from organizations.models import ApiKey, Organization

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


def create_key(org_name: str) -> str:
    out = StringIO()
    call_command("create_api_key", "--org-name", org_name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def status_with(secret: str) -> int:
    client = APIClient()
    return client.get("/v1/_test/keys", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def test_create_api_key_prints_a_working_key_alone_on_the_last_line():
    secret = create_key("Acme")
    assert secret.startswith("sk_org_") and " " not in secret
    assert Organization.objects.filter(name="Acme").count() == 1
    assert status_with(secret) == 200


def test_create_api_key_reuses_an_existing_organization():
    create_key("Acme")
    create_key("Acme")
    assert Organization.objects.filter(name="Acme").count() == 1
    assert ApiKey.objects.filter(organization__name="Acme").count() == 2


def test_revoke_api_key_by_prefix_makes_the_key_401():
    secret = create_key("Acme")
    prefix = ApiKey.objects.get().prefix
    out = StringIO()
    call_command("revoke_api_key", prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    assert status_with(secret) == 401


def test_revoke_api_key_with_unknown_prefix_fails_clearly():
    with pytest.raises(CommandError, match="No active API key"):
        call_command("revoke_api_key", "sk_org_nothere")


def test_bootstrap_sandbox_prints_a_key_once_only_and_says_so_the_second_time():
    out = StringIO()
    call_command("bootstrap_sandbox", stdout=out)
    assert "sk_org_" in out.getvalue() and "curl" in out.getvalue()
    again = StringIO()
    call_command("bootstrap_sandbox", stdout=again)
    assert "sk_org_" not in again.getvalue()
    assert "already has an organization" in again.getvalue()
    assert "manage.py create_api_key --org-name Sandbox" in again.getvalue()


def test_create_api_key_dry_run_creates_nothing():
    out = StringIO()
    call_command("create_api_key", "--org-name", "Acme", "--dry-run", stdout=out)
    assert "Would create an API key for new organization 'Acme'; nothing created (dry run)." in out.getvalue()
    assert "sk_org_" not in out.getvalue()
    assert not Organization.objects.exists() and not ApiKey.objects.exists()


def test_create_api_key_dry_run_names_an_existing_organization():
    create_key("Acme")
    out = StringIO()
    call_command("create_api_key", "--org-name", "Acme", "--dry-run", stdout=out)
    assert f"existing organization 'Acme' ({Organization.objects.get().id})" in out.getvalue()
    assert ApiKey.objects.count() == 1


def test_create_api_key_refuses_an_empty_organization_name():
    with pytest.raises(CommandError, match="--org-name must not be empty"):
        call_command("create_api_key", "--org-name", "  ")
    assert not Organization.objects.exists()


def test_revoke_api_key_dry_run_names_the_key_and_keeps_it_working():
    secret = create_key("Acme")
    prefix = ApiKey.objects.get().prefix
    out = StringIO()
    call_command("revoke_api_key", prefix, "--dry-run", stdout=out)
    assert f"Would revoke API key {prefix}… (no label) of organization 'Acme'" in out.getvalue()
    assert "nothing changed (dry run)" in out.getvalue()
    assert ApiKey.objects.get().revoked_at is None
    assert status_with(secret) == 200


def test_revoke_api_key_dry_run_refuses_what_a_real_run_refuses():
    create_key("Acme")
    create_key("Acme")
    with pytest.raises(CommandError, match="More than one active API key"):
        call_command("revoke_api_key", "sk_org_", "--dry-run")
    with pytest.raises(CommandError, match="No active API key"):
        call_command("revoke_api_key", "sk_org_nothere", "--dry-run")
