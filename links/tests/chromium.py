"""Headless Chromium (Debian's package) driven by Playwright's sync API, for the browser tests.

Playwright's sync API runs an event loop in the thread that uses it, and Django refuses ORM calls
from a thread with a running loop (SynchronousOnlyOperation). So Playwright lives in one helper
thread of its own: tests hand it functions (`Tab.do(fn)`), and keep the ORM and the API client in
the test thread. The live server runs in a third thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

# The machine's network is closed: without the background-networking flags Chromium keeps
# trying (and failing) to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

# Reports every CSP violation on the console, where the tests collect it.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""

T = TypeVar("T")


class Chromium:
    """One browser for a test module, owned by one thread."""

    def __init__(self, executable: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Any = None
        self.browser: Any = None
        self.call(self._start, executable)

    def _start(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        return self._thread.submit(fn, *args).result(timeout=60)

    def close(self) -> None:
        def stop() -> None:
            if self.browser is not None:
                self.browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self.call(stop)
        finally:
            self._thread.shutdown(wait=True)

    def new_tab(
        self,
        fake_sites: dict[str, str] | None = None,
        *,
        locale: str = "en-US",
        viewport: tuple[int, int] = (900, 900),
        reduced_motion: str = "no-preference",
    ) -> Tab:
        """A fresh browser context: `locale` also sets the Accept-Language header the page sees."""
        return self.call(self._new_tab, fake_sites or {}, locale, viewport, reduced_motion)

    def _new_tab(self, fake_sites: dict[str, str], locale: str, viewport: tuple[int, int], reduced_motion: str) -> Tab:
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale=locale, reduced_motion=reduced_motion
        )
        context.add_init_script(_REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        tab = Tab(chromium=self, context=context, page=page)
        page.on("console", lambda message: tab.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        page.on("dialog", tab._on_dialog)
        for pattern, body in fake_sites.items():
            # No real network: the customer's redirect target is answered by the browser itself.
            page.route(pattern, _answer_with(body))
        return tab


def _answer_with(body: str) -> Callable[[Any], None]:
    def handler(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body=body)

    return handler


@dataclass
class Tab:
    chromium: Chromium
    context: Any
    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def do(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(page)` in the browser's thread and return what it returns (or raise what it raised)."""
        return self.chromium.call(fn, self.page)

    def problems(self) -> list[str]:
        """JS errors, console errors and warnings (CSP violations among them) seen so far."""
        logged = [f"console.{kind}: {text}" for kind, text in self.console if kind in ("error", "warning")]
        return [*(f"pageerror: {e}" for e in self.page_errors), *logged]

    def close(self) -> None:
        self.chromium.call(self.context.close)
