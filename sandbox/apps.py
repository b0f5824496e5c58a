from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """The fake of Meta (docs/meta.md, "The sandbox"): routed and used only in sandbox mode."""

    name = "sandbox"
