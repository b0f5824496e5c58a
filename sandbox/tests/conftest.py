from meta.tests.conftest import connected, sandbox  # noqa: F401
