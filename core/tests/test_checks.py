import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core.checks import assert_production_ready, production_settings_check

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
