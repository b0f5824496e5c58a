from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

# How a production start without a Meta app is named among the missing settings.
NO_META_APP = "META_APP_ID and META_APP_SECRET (or META_SANDBOX=true to serve the sandbox)"


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
    # Without a Meta app and without an explicit choice of the sandbox, production would serve the
    # sandbox to anyone: fault injection, a published inbound secret, unlimited fake phones.
    if not settings.META_SANDBOX and not (settings.META_APP_ID and settings.META_APP_SECRET):
        missing.append(NO_META_APP)
    return missing


def _missing_message(missing: list[str]) -> str:
    return f"DEBUG is off but these settings are not set: {', '.join(missing)}."


@register(Tags.security)
def production_settings_check(app_configs: object = None, **kwargs: object) -> list[Error]:
    missing = missing_production_settings()
    if not missing:
        return []
    return [
        Error(
            _missing_message(missing),
            hint="Set them in the environment (see README, Configuration) or set DEBUG=true for development.",
            id="onboarding.E001",
        )
    ]


@register(Tags.security)
def sandbox_check(app_configs: object = None, **kwargs: object) -> list[Error]:
    if settings.META_APP_ID and settings.META_SANDBOX:
        return [Error("META_APP_ID is set, so the Meta sandbox must be off.", id="onboarding.E002")]
    return []


@register(Tags.security, deploy=True)
def sandbox_in_production_check(app_configs: object = None, **kwargs: object) -> list[Warning]:
    if settings.META_SANDBOX and not settings.DEBUG:
        return [
            Warning(
                "META_SANDBOX is on with DEBUG off: /_sandbox/ (the fake Graph API, its fault injection and "
                "dialog) is served to anyone, without authentication.",
                hint="Set META_APP_ID and META_APP_SECRET and unset META_SANDBOX for a real deployment.",
                id="onboarding.W001",
            )
        ]
    return []


def assert_production_ready() -> None:
    missing = missing_production_settings()
    if missing:
        raise ImproperlyConfigured(_missing_message(missing))
