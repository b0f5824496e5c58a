"""Meta Graph API client (the only module that talks to Graph). See docs/meta.md."""

from django.conf import settings

from meta.graph.client import (
    DEFAULT_TIMEOUT,
    PHONE_FIELDS,
    SMB_SYNC_TYPES,
    WABA_FIELDS,
    GraphClient,
    appsecret_proof,
    retry_after_seconds,
    waba_ids_from_debug_token,
)
from meta.graph.errors import GraphError, GraphPermanentError, GraphTransientError, scrub

__all__ = [
    "DEFAULT_TIMEOUT",
    "PHONE_FIELDS",
    "SMB_SYNC_TYPES",
    "WABA_FIELDS",
    "GraphClient",
    "GraphError",
    "GraphPermanentError",
    "GraphTransientError",
    "appsecret_proof",
    "graph_client",
    "retry_after_seconds",
    "scrub",
    "waba_ids_from_debug_token",
]


def graph_client() -> GraphClient:
    """A client for the configured Meta app, or for the built-in sandbox app in sandbox mode.

    The code path is the same in both modes; only the base URL and the app credentials differ.
    """
    app_id, app_secret = settings.META_APP_ID, settings.META_APP_SECRET
    if settings.META_SANDBOX and not app_id:
        from sandbox.constants import SANDBOX_APP_ID, SANDBOX_APP_SECRET

        app_id, app_secret = SANDBOX_APP_ID, SANDBOX_APP_SECRET
    timeout = getattr(settings, "META_GRAPH_TIMEOUT", DEFAULT_TIMEOUT)
    return GraphClient(
        base_url=settings.META_GRAPH_BASE_URL,
        version=settings.META_GRAPH_VERSION,
        app_id=app_id,
        app_secret=app_secret,
        timeout=(float(timeout[0]), float(timeout[1])),
    )
