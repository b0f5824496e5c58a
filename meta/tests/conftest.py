import pytest

from meta.graph import graph_client


@pytest.fixture
def sandbox(live_server, settings):
    """A Graph client pointed at the sandbox served over real HTTP by the live test server."""
    settings.META_APP_ID = ""
    settings.META_SANDBOX = True
    settings.META_GRAPH_BASE_URL = f"{live_server.url}/_sandbox/graph"
    settings.META_GRAPH_TIMEOUT = (2, 5)
    return graph_client()


@pytest.fixture
def connected(sandbox):
    """A sandbox_success signup already exchanged: (client, token, session data)."""
    from sandbox.dialog import sandbox_dialog_complete

    session = sandbox_dialog_complete("success")
    token = sandbox.exchange_code(session["code"])["access_token"]
    return sandbox, token, session["data"]
