"""The hosted page as end-users meet it (issue 7), in headless Chromium: phone and desktop sizes,
each language, keyboard only, the organization's branding, contrast; screenshots of every state.

Screenshots go to test-artifacts/screenshots/polish/<language>/<size>-<state>.png so a person can
look at them. Links are put in each state through the ORM (the full flows are in test_browser.py).
"""

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from links.models import OnboardingLink
from links.tests.chromium import Tab
from links.tests.factories import OnboardingLinkFactory
from links.tests.signup_browser import chromium as chromium  # noqa: F401 (the module's browser fixture)
from links.tests.signup_browser import click_outcome, dialog_ready, open_popup
from links.tests.test_browser import MY_APP_PAGE, SHOTS
from organizations.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a page expression from Python: Playwright's wait_for_function evaluates strings with
    `new Function` in the page, which the page's CSP (rightly) refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.05)


LOGO_URL = "https://cdn.acme-pay.example/brand/logo.svg"
BROKEN_LOGO_URL = "https://cdn.acme-pay.example/brand/missing.png"
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="48" viewBox="0 0 200 48">'
    '<rect width="48" height="48" rx="10" fill="#5b21b6"/><circle cx="24" cy="24" r="12" fill="#fff"/>'
    '<text x="58" y="32" font-family="sans-serif" font-size="22" font-weight="700" fill="#1c1e21">Acme Pay</text>'
    "</svg>"
)
ACCENT = "#5b21b6"
SIZES = {"phone320": (320, 640), "phone375": (375, 740), "desktop": (1280, 860)}
LANGUAGES = {
    # language code: (browser locale = Accept-Language, <html lang>, texts)
    "en": (
        "en-US",
        "en",
        {
            "requester": "Acme Pay asks you to connect a WhatsApp Business number",
            "pending": "Connect your WhatsApp Business number",
            "button": "Connect with Facebook",
            "processing": "Setting up your number…",
            "completed": "Your WhatsApp number is connected",
            "error": "We could not connect your number",
            "expired": "This link has expired",
            "not-found": "This link does not exist",
            "finish": "Finish signup",
            "cancelled": "Signup was cancelled. You can start again whenever you are ready.",
        },
    ),
    "es": (
        "es-ES",
        "es",
        {
            "requester": "Acme Pay te pide que conectes un número de WhatsApp Business",
            "pending": "Conecta tu número de WhatsApp Business",
            "button": "Conectar con Facebook",
            "processing": "Configurando tu número…",
            "completed": "Tu número de WhatsApp está conectado",
            "error": "No pudimos conectar tu número",
            "expired": "Este enlace ha expirado",
            "not-found": "Este enlace no existe",
            "finish": "Finalizar registro",
            "cancelled": "Se canceló el registro. Puedes volver a empezar cuando quieras.",
        },
    ),
    "pt-br": (
        "pt-BR",
        "pt-BR",
        {
            "requester": "Acme Pay pede que você conecte um número do WhatsApp Business",
            "pending": "Conecte seu número do WhatsApp Business",
            "button": "Conectar com o Facebook",
            "processing": "Configurando seu número…",
            "completed": "Seu número do WhatsApp está conectado",
            "error": "Não foi possível conectar seu número",
            "expired": "Este link expirou",
            "not-found": "Este link não existe",
            "finish": "Concluir cadastro",
            "cancelled": "O cadastro foi cancelado. Você pode começar de novo quando quiser.",
        },
    ),
}

# Every visible element with its own text whose colour contrasts less than 4.5:1 with the
# background behind it (disabled controls are exempt in WCAG).
LOW_CONTRAST_JS = """
() => {
  function rgba(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  function lum(c) {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c && c.a === 1) { return c; }
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("[hidden], .visually-hidden, script") || el.disabled) { continue; }
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") { continue; }
    const fg = rgba(getComputedStyle(el).color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) { low.push(el.tagName + " " + el.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2)); }
  }
  return low;
}
"""


@pytest.fixture
def open_tab(chromium, sandbox_graph) -> Iterator:
    tabs: list[Tab] = []

    def make(*, locale: str = "en-US", size: str = "desktop", logo: str = LOGO_SVG, **options) -> Tab:
        tab = chromium.new_tab(
            fake_sites={"https://myapp.example/**": MY_APP_PAGE}, locale=locale, viewport=SIZES[size], **options
        )
        tabs.append(tab)
        requests: list[dict] = []

        def serve(route):
            requests.append(route.request.headers)
            if route.request.url == LOGO_URL:
                route.fulfill(status=200, content_type="image/svg+xml", body=logo)
            else:
                route.fulfill(status=404, content_type="text/plain", body="not found")

        tab.logo_requests = requests
        tab.do(lambda page: page.route("https://cdn.acme-pay.example/**", serve))
        return tab

    yield make
    for tab in tabs:
        tab.close()


def branded_org(**fields):
    values = {"name": "Acme Payments Holdings Ltd", "display_name": "Acme Pay", "logo_url": LOGO_URL}
    return OrganizationFactory(**{**values, "accent_color": ACCENT, **fields})


def links_in_every_state(live_server) -> dict[str, str]:
    org = branded_org()
    name = "Example Holdings International Limited, Northern Branch"

    def url(**fields) -> str:
        link = OnboardingLinkFactory(organization=org, name=name, redirect_url=None, **fields)
        return f"{live_server.url}/signup/{link.id}"

    pending = url()
    return {
        "pending": pending,
        "dialog": pending,
        "processing": url(status=OnboardingLink.Status.PROCESSING),
        "completed": url(status=OnboardingLink.Status.COMPLETED),
        "error": url(
            status=OnboardingLink.Status.ERROR, error="Meta could not exchange the authorization code. Try again."
        ),
        "expired": url(expires_at=timezone.now() - timedelta(minutes=1)),
        "not-found": f"{live_server.url}/signup/00000000-0000-4000-8000-000000000000",
    }


def visit_state(page, url: str, name: str, shot: str) -> dict:
    response = page.goto(url)
    if name == "dialog":  # the sandbox's Embedded Signup popup, in the browser's language
        popup = open_popup(page)
        popup.screenshot(path=shot, full_page=True, animations="disabled")
        seen = {
            "status": response.status,
            "lang": page.evaluate("document.documentElement.lang"),
            "heading": popup.inner_text("[data-sandbox-outcome=success]"),
            "overflow": popup.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
            "low_contrast": popup.evaluate(LOW_CONTRAST_JS),
        }
        popup.close()
        return seen
    if name == "not-found":
        heading = page.inner_text("h1")
    else:
        section = "pending" if name == "dialog" else name
        page.locator(f"[data-for={section}]").wait_for(state="visible")
        heading = page.inner_text(f"[data-for={section}] h2")
    page.screenshot(path=shot, full_page=True, animations="disabled")
    return {
        "status": response.status,
        "lang": page.evaluate("document.documentElement.lang"),
        "heading": heading,
        "overflow": page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
        "low_contrast": page.evaluate(LOW_CONTRAST_JS),
    }


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_state_in_each_language_at_phone_and_desktop_sizes_with_screenshots(live_server, open_tab, language):
    locale, html_lang, texts = LANGUAGES[language]
    urls = links_in_every_state(live_server)
    expected = {**texts, "dialog": texts["finish"]}
    folder = SHOTS / "polish" / language
    folder.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        tab = open_tab(locale=locale, size=size)

        def tour(page, size=size):
            seen = {}
            for name, url in urls.items():
                seen[name] = visit_state(page, url, name, str(folder / f"{size}-{name}.png"))
            return seen

        seen = tab.do(tour)
        for name, page_seen in seen.items():
            where = f"{language} {size} {name}"
            assert page_seen["status"] == (404 if name == "not-found" else 200), where
            assert page_seen["lang"] == html_lang, where
            assert page_seen["heading"] == expected[name], where
            assert page_seen["overflow"] <= 0, f"{where}: horizontal scroll of {page_seen['overflow']} px"
            assert page_seen["low_contrast"] == [], where
        # The not-found page is itself a 404, which Chromium logs; nothing else may be logged.
        assert [p for p in tab.problems() if "status of 404" not in p] == [], (language, size)


@pytest.mark.parametrize(("lang", "accept"), [("es", "en-US"), ("pt-br", "es-ES"), ("en", "pt-BR")])
def test_lang_overrides_accept_language_for_the_page_and_its_script(live_server, open_tab, lang, accept):
    link = OnboardingLinkFactory(organization=branded_org(), redirect_url=None)
    texts = LANGUAGES[lang][2]
    tab = open_tab(locale=accept, size="phone375")

    def flow(page):
        page.goto(f"{live_server.url}/signup/{link.id}?lang={lang}")
        seen = {
            "lang": page.evaluate("document.documentElement.lang"),
            "requester": page.inner_text(".requester"),
            "button": page.inner_text("#connect-whatsapp"),
            "current": page.inner_text(".languages [aria-current]"),
        }
        popup = open_popup(page)
        with page.expect_request("**/callback*") as callback:
            click_outcome(popup, "cancel")
        page.locator("#pending-notice").filter(has_text=texts["cancelled"][:10]).wait_for()
        seen["callback_url"] = callback.value.url
        seen["notice"] = page.inner_text("#pending-notice")
        return seen

    seen = tab.do(flow)
    assert seen["lang"] == LANGUAGES[lang][1]
    assert seen["requester"] == texts["requester"] and seen["button"] == texts["button"]
    assert seen["notice"] == texts["cancelled"]
    assert seen["callback_url"].endswith(f"/callback?lang={lang}")
    assert tab.problems() == []


POPUP_SELECTS = 5  # scenario, finish event, phones, session event, cancel step: then "Finish signup"


def test_keyboard_only_completion_of_the_sandbox_flow_with_a_retry(live_server, open_tab):
    link = OnboardingLinkFactory(organization=branded_org(), redirect_url=None)
    tab = open_tab(size="phone375")
    folder = SHOTS / "polish" / "keyboard"
    folder.mkdir(parents=True, exist_ok=True)

    def active(page) -> str:
        return page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.id || e.getAttribute('data-sandbox-outcome') || e.tagName; })()"
        )

    def flow(page):
        seen = {}
        keys = page.keyboard
        page.goto(f"{live_server.url}/signup/{link.id}")
        keys.press("Tab")
        seen["first_tab"] = active(page)
        seen["focus_ring"] = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
        )
        page.screenshot(path=str(folder / "01-button-focused.png"))
        with page.expect_popup() as popup_info:
            keys.press("Enter")  # a key press is a user activation: the popup is not blocked
        popup = dialog_ready(popup_info.value)
        popup.keyboard.press("Tab")
        seen["in_dialog"] = active(popup)
        popup.keyboard.type("sandbox_exchange")  # type-ahead picks the option in the focused <select>
        seen["scenario"] = popup.input_value("#sandbox-scenario")
        for _ in range(POPUP_SELECTS):
            popup.keyboard.press("Tab")
        seen["on_finish"] = active(popup)
        popup.screenshot(path=str(folder / "02-finish-focused.png"))
        with popup.expect_event("close"):
            popup.keyboard.press("Enter")
        page.locator("[data-for=error]").wait_for(state="visible")
        seen["after_error"] = active(page)
        # The error panel shows before the announcer's text changes: "Setting up your number..."
        # stays there until the error is announced, so wait for the error's own words.
        wait_until(page, "document.getElementById('announcer').textContent.indexOf('We could not') >= 0")
        seen["announced_error"] = page.inner_text("#announcer")
        keys.press("Tab")
        seen["on_try_again"] = active(page)
        page.screenshot(path=str(folder / "03-try-again-focused.png"))
        with page.expect_popup() as popup_info:
            keys.press("Enter")
        popup = dialog_ready(popup_info.value)
        popup.keyboard.press("Tab")
        popup.keyboard.type("sandbox_success")
        for _ in range(POPUP_SELECTS):
            popup.keyboard.press("Tab")
        with popup.expect_event("close"):
            popup.keyboard.press("Enter")
        page.locator("[data-for=completed]").wait_for(state="visible")
        wait_until(page, "document.getElementById('announcer').textContent.indexOf('connected') > 0")
        seen["after_done"] = active(page)
        seen["announced_done"] = page.inner_text("#announcer")
        page.screenshot(path=str(folder / "04-completed.png"))
        return seen

    seen = tab.do(flow)
    assert seen["first_tab"] == "connect-whatsapp"
    assert seen["focus_ring"] == ["solid", "3px", "rgb(29, 78, 216)"]
    assert seen["in_dialog"] == "sandbox-scenario"
    assert seen["scenario"] == "sandbox_exchange_error"
    assert seen["on_finish"] == "success"
    assert seen["after_error"] == "error-title"
    assert seen["announced_error"].startswith("We could not connect your number Meta")
    assert seen["on_try_again"] == "try-again"
    assert seen["after_done"] == "completed-title"
    assert seen["announced_done"] == "Your WhatsApp number is connected All done. You can close this page."
    data = OnboardingLink.objects.get(pk=link.id)
    assert data.status == OnboardingLink.Status.COMPLETED
    assert tab.problems() == []


@pytest.mark.parametrize(
    ("accent", "background", "text"),
    [
        ("#5b21b6", "rgb(91, 33, 182)", "rgb(255, 255, 255)"),
        ("#ffd400", "rgb(255, 212, 0)", "rgb(0, 0, 0)"),
    ],
)
def test_the_branded_header_and_the_accent_colour(live_server, open_tab, accent, background, text):
    link = OnboardingLinkFactory(organization=branded_org(accent_color=accent), redirect_url=None)
    tab = open_tab(size="desktop")

    def flow(page):
        page.goto(f"{live_server.url}/signup/{link.id}")
        logo = page.locator("header.brand img")
        logo.wait_for(state="visible")
        wait_until(page, "document.getElementById('brand-logo').complete")
        page.locator("header.brand").screenshot(path=str(SHOTS / "polish" / f"header-{accent[1:]}.png"))
        return {
            "requester": page.inner_text(".requester"),
            "alt": logo.get_attribute("alt"),
            "loaded": page.evaluate("document.getElementById('brand-logo').naturalWidth > 0"),
            "box": logo.bounding_box(),
            "button": page.evaluate(
                "(() => { const s = getComputedStyle(document.getElementById('connect-whatsapp'));"
                " return [s.backgroundColor, s.color]; })()"
            ),
        }

    seen = tab.do(flow)
    assert seen["requester"] == "Acme Pay asks you to connect a WhatsApp Business number"
    assert seen["alt"] == "Acme Pay" and seen["loaded"]
    assert seen["box"]["height"] == 48 and seen["box"]["width"] == 200
    assert seen["button"] == [background, text]
    (headers,) = tab.logo_requests
    assert "referer" not in headers  # referrerpolicy="no-referrer": the link id stays with us
    assert tab.problems() == []


def test_a_broken_logo_is_hidden_without_breaking_the_layout(live_server, open_tab):
    link = OnboardingLinkFactory(organization=branded_org(logo_url=BROKEN_LOGO_URL), redirect_url=None)
    tab = open_tab(size="phone320")

    def flow(page):
        page.goto(f"{live_server.url}/signup/{link.id}")
        wait_until(page, "document.getElementById('brand-logo').hidden")
        page.screenshot(path=str(SHOTS / "polish" / "broken-logo-phone320.png"), full_page=True)
        return {
            "overflow": page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
            "requester": page.inner_text(".requester"),
        }

    seen = tab.do(flow)
    assert seen["overflow"] <= 0
    assert seen["requester"].startswith("Acme Pay asks you")
    assert [p for p in tab.problems() if "404" not in p] == []


def test_reduced_motion_slows_the_spinner(live_server, open_tab):
    link = OnboardingLinkFactory(status=OnboardingLink.Status.PROCESSING)
    tab = open_tab(reduced_motion="reduce")

    def flow(page):
        page.goto(f"{live_server.url}/signup/{link.id}")
        page.locator("[data-for=processing]").wait_for(state="visible")
        return page.evaluate(
            "getComputedStyle(document.querySelector('[data-for=processing] .spinner')).animationDuration"
        )

    assert tab.do(flow) == "3s"


def test_nothing_but_the_page_origin_and_the_sdk_are_loaded(live_server, open_tab):
    link = OnboardingLinkFactory(organization=OrganizationFactory(accent_color="#123456"), redirect_url=None)
    tab = open_tab()

    def flow(page):
        urls = []
        page.on("request", lambda request: urls.append(request.url))
        page.goto(f"{live_server.url}/signup/{link.id}")
        page.wait_for_load_state("networkidle")
        return urls, page.evaluate("getComputedStyle(document.getElementById('connect-whatsapp')).backgroundColor")

    urls, background = tab.do(flow)
    # The one outside script is the SDK: the sandbox's, on its dialog origin, in place of Meta's.
    sdk = f"{live_server.url.replace('localhost', '127.0.0.1')}/_sandbox/facebook/sdk.js"
    assert urls and all(url.startswith(live_server.url) for url in urls if url != sdk), urls
    assert sdk in urls
    assert f"{live_server.url}/signup/theme/123456.css" in urls
    assert background == "rgb(18, 52, 86)"
    assert json.dumps(tab.problems()) == "[]"
