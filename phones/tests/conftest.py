from links.tests.conftest import browser_for, sandbox_graph  # noqa: F401
