"""Helpers for the browser tests: the hosted page in Chromium and the sandbox's Embedded Signup
popup, which the fake SDK opens on the second origin (sandbox.origin)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from core.tests.services_gate import require, require_chromium
from links.tests.chromium import Chromium


def _playwright_importable() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def start_chromium() -> Iterator[Chromium]:
    executable = require_chromium()
    require(_playwright_importable(), "the playwright Python package is not installed")
    browser = Chromium(executable)
    yield browser
    browser.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def open_popup(page, url: str | None = None):
    """Open the hosted page (when `url` is given), click Connect and return the sandbox's popup."""
    if url is not None:
        page.goto(url)
    with page.expect_popup() as popup_info:
        page.locator("#connect-whatsapp").click()
    return dialog_ready(popup_info.value)


def dialog_ready(popup):
    """The sandbox dialog, once its script listens to its buttons: they are parsed before the script
    (at the end of the body) has run, and a click in between does nothing (seen once, on a loaded
    machine: the popup never closed)."""
    popup.locator("[data-sandbox-outcome=success]").wait_for()
    popup.wait_for_load_state("load")
    return popup


def choose(
    popup,
    *,
    scenario: str | None = None,
    event: str | None = None,
    phones: int | None = None,
    session: str | None = None,
    step: str | None = None,
) -> None:
    """Set the end-user's choices in the sandbox popup."""
    for selector, value in (
        ("#sandbox-scenario", scenario),
        ("#sandbox-event", event),
        ("#sandbox-phones", None if phones is None else str(phones)),
        ("#sandbox-session", session),
        ("#sandbox-step", step),
    ):
        if value is not None:
            popup.select_option(selector, value)


def click_outcome(popup, outcome: str) -> None:
    """Click an outcome in the popup and wait until the popup has closed itself."""
    with popup.expect_event("close"):
        popup.locator(f"[data-sandbox-outcome={outcome}]").click()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    yield from start_chromium()
