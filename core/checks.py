from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


def missing_production_settings() -> list[str]:
    """Settings a production start (DEBUG off) must set explicitly, all named at once."""
    if settings.DEBUG:
        return []
    missing = []
    # Read the raw value: Django's own accessor raises on an empty SECRET_KEY before we can name
    # every missing setting at once.
    secret_key = getattr(settings._wrapped, "SECRET_KEY", "")
    if not secret_key or secret_key == settings.DEV_SECRET_KEY:
        missing.append("SECRET_KEY")
    if not [k for k in settings.ENCRYPTION_KEYS if k.strip()]:
        missing.append("ENCRYPTION_KEYS")
    if not settings.ALLOWED_HOSTS:
        missing.append("ALLOWED_HOSTS")
    return missing


@register(Tags.security)
def production_settings_check(app_configs: object = None, **kwargs: object) -> list[Error]:
    missing = missing_production_settings()
    if not missing:
        return []
    return [
        Error(
            f"DEBUG is off but these settings are not set: {', '.join(missing)}.",
            hint="Set them in the environment (see README, Configuration) or set DEBUG=true for development.",
            id="onboarding.E001",
        )
    ]


@register(Tags.security)
def sandbox_check(app_configs: object = None, **kwargs: object) -> list[Error]:
    if settings.META_APP_ID and settings.META_SANDBOX:
        return [Error("META_APP_ID is set, so the Meta sandbox must be off.", id="onboarding.E002")]
    return []


def assert_production_ready() -> None:
    missing = missing_production_settings()
    if missing:
        raise ImproperlyConfigured(f"DEBUG is off but these settings are not set: {', '.join(missing)}.")
