import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core.checks import (
    NO_META_APP,
    assert_production_ready,
    production_settings_check,
    sandbox_in_production_check,
)

PRODUCTION = {"DEBUG": False, "SECRET_KEY": "s" * 50, "ENCRYPTION_KEYS": ["k"], "ALLOWED_HOSTS": ["api.example.com"]}


def test_complete_production_settings_pass():
    with override_settings(**PRODUCTION):
        assert production_settings_check() == []
        assert_production_ready()


def test_production_check_names_every_missing_setting_at_once():
    from django.conf import settings

    with override_settings(
        **{**PRODUCTION, "SECRET_KEY": settings.DEV_SECRET_KEY, "ENCRYPTION_KEYS": [], "ALLOWED_HOSTS": []}
    ):
        errors = production_settings_check()
        assert len(errors) == 1
        for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "ALLOWED_HOSTS"):
            assert name in errors[0].msg
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY, ENCRYPTION_KEYS, ALLOWED_HOSTS"):
            assert_production_ready()


def test_one_missing_setting_is_named_alone():
    with override_settings(**{**PRODUCTION, "ALLOWED_HOSTS": []}):
        (error,) = production_settings_check()
        assert "ALLOWED_HOSTS" in error.msg and "SECRET_KEY" not in error.msg


def test_development_defaults_are_fine_with_debug_on():
    with override_settings(DEBUG=True, ENCRYPTION_KEYS=[], ALLOWED_HOSTS=[]):
        assert production_settings_check() == []


def test_production_without_a_meta_app_or_the_sandbox_chosen_is_refused():
    with override_settings(**{**PRODUCTION, "META_SANDBOX": False, "META_APP_ID": "", "META_APP_SECRET": ""}):
        (error,) = production_settings_check()
        assert error.msg == f"DEBUG is off but these settings are not set: {NO_META_APP}."
        with pytest.raises(ImproperlyConfigured, match="META_SANDBOX=true"):
            assert_production_ready()
    with override_settings(**{**PRODUCTION, "META_SANDBOX": False, "META_APP_ID": "1", "META_APP_SECRET": "s"}):
        assert production_settings_check() == []


def test_check_deploy_warns_about_the_sandbox_only_with_debug_off():
    with override_settings(**{**PRODUCTION, "META_SANDBOX": True}):
        (warning,) = sandbox_in_production_check()
        assert warning.id == "onboarding.W001"
    with override_settings(DEBUG=True, META_SANDBOX=True):
        assert sandbox_in_production_check() == []
