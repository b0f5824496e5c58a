"""The hosted page and its JSON endpoints, without a browser: states, CSRF, validation, outcomes."""

import json
import re
from gettext import GNUTranslations
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from links.hosted import accent_text_color, contrast_ratio
from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory, completed_link
from organizations.models import DEFAULT_ACCENT_COLOR, Organization
from organizations.tests.factories import OrganizationFactory
from sandbox.origin import dialog_origin
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def page_of(link) -> str:
    response = Client().get(f"/signup/{link.id}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def browser(browser_for):
    def make(link):
        return browser_for(str(link.id))

    return make


def test_page_shows_the_link_name_escaped_and_the_connect_button():
    link = OnboardingLinkFactory(name='Acme <img src=x onerror="alert(1)">')
    html = page_of(link)
    assert "Acme &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert 'id="connect-whatsapp"' in html and 'data-state="pending"' in html


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (lambda: OnboardingLinkFactory(), "pending"),
        (lambda: OnboardingLinkFactory(status=OnboardingLink.Status.PROCESSING), "processing"),
        (lambda: completed_link(), "completed"),
        (lambda: OnboardingLinkFactory(status=OnboardingLink.Status.ERROR, error="Meta refused"), "error"),
        (lambda: OnboardingLinkFactory(past_expiry=True), "expired"),
    ],
)
def test_each_status_has_its_page_state(make, state):
    assert f'data-state="{state}"' in page_of(make())


def test_unknown_and_malformed_ids_get_the_404_page():
    for path in ("/signup/550e8400-e29b-41d4-a716-446655440000", "/signup/not-a-uuid"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "This link does not exist" in response.content.decode()


def test_callback_without_csrf_token_is_refused_and_changes_nothing():
    link = OnboardingLinkFactory()
    client = Client(enforce_csrf_checks=True)
    client.get(f"/signup/{link.id}")
    response = client.post(f"/signup/{link.id}/callback", {"code": "sandbox_success"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    link.refresh_from_db()
    assert link.status == "pending" and not SignupAttempt.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"code": "x", "cancelled": True}, "body"),
        ({"code": "x", "wabaId": "12ab"}, "wabaId"),
        ({"code": "x", "event": "FINISH_SOMETHING"}, "event"),
        ({"code": "x", "pageIds": ["1", "x"]}, "pageIds.1"),
        ({"code": "x", "wabaID": "1"}, "wabaID"),
        ({"error": "x" * 501}, "error"),
    ],
)
def test_invalid_callbacks_are_400_naming_the_field(browser, body, field):
    link = OnboardingLinkFactory()
    response = browser(link).callback(body)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    link.refresh_from_db()
    assert link.status == "pending"


def test_callback_for_unknown_link_is_404(browser_for):
    link = OnboardingLinkFactory()
    b = browser_for(str(link.id))
    response = b.client.post(
        "/signup/550e8400-e29b-41d4-a716-446655440000/callback",
        {"code": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=b.csrf,
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_callback_for_expired_link_is_409(browser):
    link = OnboardingLinkFactory(past_expiry=True)
    response = browser(link).callback({"code": "sandbox_success"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "link_expired"


def test_callback_for_completed_link_is_409(browser):
    link = completed_link()
    response = browser(link).callback({"code": "sandbox_success"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "link_not_pending"


def test_cancel_keeps_the_link_pending_and_redirects_with_error(browser):
    link = OnboardingLinkFactory(external_id="customer-123")
    response = browser(link).callback({"cancelled": True, "currentStep": "PHONE_NUMBER_SETUP"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pending" and body["error"] is None
    query = dict(parse_qsl(urlsplit(body["redirectTo"]).query))
    assert query == {
        "onboarding_link_id": str(link.id),
        "external_id": "customer-123",
        "status": "error",
        "error": "Signup was cancelled.",
    }
    link.refresh_from_db()
    assert link.status == "pending"
    assert SignupAttempt.objects.get(link=link).status == "cancelled"


def test_cancel_without_redirect_url_answers_inline(browser):
    link = OnboardingLinkFactory(redirect_url=None)
    body = browser(link).callback({"cancelled": True}).json()
    assert body == {"status": "pending", "redirectTo": None, "error": None}


def test_dialog_error_marks_the_link_error_and_publishes_failed(browser):
    link = OnboardingLinkFactory()
    body = browser(link).callback({"error": "Business can't onboard customers at the moment"}).json()
    assert body["status"] == "error"
    assert body["error"] == "The signup dialog reported an error."  # ours; the text stays on the attempt
    assert dict(parse_qsl(urlsplit(body["redirectTo"]).query))["status"] == "error"
    link.refresh_from_db()
    assert link.status == "error"
    event = Event.objects.get(type="onboarding_link.failed")
    assert event.data["onboardingLinkId"] == str(link.id)


def test_status_endpoint_shapes(browser):
    pending = OnboardingLinkFactory()
    assert browser(pending).status() == {
        "status": "pending",
        "redirectTo": None,
        "error": None,
        "choosePhone": False,
        "enterPin": False,
        "pinRejected": False,
    }
    failed = OnboardingLinkFactory(status=OnboardingLink.Status.ERROR, error="Meta refused", redirect_url=None)
    assert browser(failed).status() == {
        "status": "error",
        "redirectTo": None,
        "error": "Meta refused",
        "choosePhone": False,
        "enterPin": False,
        "pinRejected": False,
    }
    expired = OnboardingLinkFactory(past_expiry=True)
    assert browser(expired).status()["status"] == "expired"
    assert Client().get("/signup/550e8400-e29b-41d4-a716-446655440000/status").status_code == 404


def test_redirect_keeps_the_customers_own_query_and_omits_metadata(browser):
    link = completed_link(redirect_url="https://myapp.com/cb?tenant=7", metadata={"crm": "secret-ish"})
    redirect = browser(link).status()["redirectTo"]
    assert redirect.startswith("https://myapp.com/cb?tenant=7&onboarding_link_id=")
    assert "crm" not in redirect and "secret-ish" not in redirect


# ---- Issue 7: branding, languages, theme stylesheet, static files ----------------------------

LOCALE = Path(django_settings.BASE_DIR) / "locale"
PAGE_SOURCES = [
    Path(django_settings.BASE_DIR) / "templates" / "links" / name
    for name in ("signup_base.html", "signup.html", "signup_not_found.html")
] + [Path(django_settings.BASE_DIR) / "templates" / "sandbox" / "dialog.html"]  # the sandbox's popup
SPANISH_HEADING = "Conecta tu número de WhatsApp Business"
PORTUGUESE_HEADING = "Conecte seu número do WhatsApp Business"


def get_page(link, lang=None, accept=None):
    query = f"?lang={lang}" if lang else ""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    return Client().get(f"/signup/{link.id}{query}", **headers)


def branded_org(**fields) -> Organization:
    return OrganizationFactory(**fields)


@pytest.mark.parametrize("color", ["#12345", "#1234567", "red", "0b7a5a", "#GGGGGG", "#0b7a5a\n", ""])
def test_a_bad_accent_colour_is_refused(color):
    org = Organization(name="Acme", accent_color=color)
    with pytest.raises(ValidationError) as caught:
        org.full_clean()
    assert "accent_color" in caught.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/logo.png",
        "http://localhost/logo.png",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "//cdn.example.com/logo.png",
        "https://user:secret@cdn.example.com/logo.png",
        "https://cdn.example.com/a logo.png",
    ],
)
def test_a_logo_url_must_be_https(url):
    org = Organization(name="Acme", logo_url=url)
    with pytest.raises(ValidationError) as caught:
        org.full_clean()
    assert "logo_url" in caught.value.message_dict


def test_valid_branding_is_kept_and_the_colour_lowercased():
    org = Organization(name="Acme", display_name="  Acme Payments ", logo_url="https://cdn.example.com/l.svg")
    org.accent_color = "#FFD400"
    org.full_clean()
    assert (org.display_name, org.accent_color) == ("Acme Payments", "#ffd400")
    assert Organization(name="Acme").accent_color == DEFAULT_ACCENT_COLOR
    assert Organization(name="Acme").brand_name == "Acme"
    assert org.brand_name == "Acme Payments"


def test_branding_is_edited_and_validated_in_the_admin(admin_client):
    org = OrganizationFactory(name="Acme")
    url = f"/admin/organizations/organization/{org.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="display_name"' in page and 'name="logo_url"' in page and 'type="color"' in page
    refused = admin_client.post(
        url, {"name": "Acme", "display_name": "", "logo_url": "http://x.example/l.png", "accent_color": "blue"}
    )
    assert refused.status_code == 200
    assert set(refused.context["adminform"].form.errors) == {"logo_url", "accent_color"}
    saved = admin_client.post(
        url,
        {"name": "Acme", "display_name": "Acme Pay", "logo_url": "https://x.example/l.png", "accent_color": "#FFD400"},
    )
    assert saved.status_code == 302
    org.refresh_from_db()
    assert (org.display_name, org.logo_url, org.accent_color) == ("Acme Pay", "https://x.example/l.png", "#ffd400")


def test_the_header_shows_who_asks_with_the_logo():
    org = branded_org(name="Acme Holdings Ltd", display_name="Acme Pay", logo_url="https://cdn.example.com/acme.png")
    html = get_page(OnboardingLinkFactory(organization=org)).content.decode()
    assert "Acme Pay asks you to connect a WhatsApp Business number" in html
    assert "Acme Holdings Ltd" not in html
    (img,) = re.findall(r"<img [^>]*>", html)
    assert 'src="https://cdn.example.com/acme.png"' in img
    assert 'alt="Acme Pay"' in img and 'referrerpolicy="no-referrer"' in img


def test_without_branding_the_name_is_shown_and_no_image():
    html = get_page(OnboardingLinkFactory(organization=branded_org(name="Plain Org"))).content.decode()
    assert "Plain Org asks you to connect" in html
    assert "<img" not in html and "/signup/theme/" not in html  # the default accent is in signup.css


def test_the_accent_colour_comes_from_a_cacheable_theme_stylesheet():
    org = branded_org(accent_color="#FFD400")
    html = get_page(OnboardingLinkFactory(organization=org)).content.decode()
    assert '<link rel="stylesheet" href="/signup/theme/ffd400.css">' in html
    assert "style=" not in html and "<style" not in html
    response = Client().get("/signup/theme/ffd400.css")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    css = response.content.decode()
    assert "--accent: #ffd400;" in css and "--accent-contrast: #000000;" in css
    assert "--accent-border: #1c1e21;" in css  # a light button keeps a visible edge on white
    dark = Client().get("/signup/theme/123456.css").content.decode()
    assert "--accent-contrast: #ffffff;" in dark and "--accent-border: #123456;" in dark


@pytest.mark.parametrize("path", ["/signup/theme/FFD400.css", "/signup/theme/ffd40.css", "/signup/theme/zzzzzz.css"])
def test_the_theme_stylesheet_takes_only_lowercase_hex(path):
    assert Client().get(path).status_code == 404


def test_the_button_text_colour_always_meets_wcag_aa():
    assert accent_text_color("#0b7a5a") == "#ffffff"
    assert accent_text_color("#ffd400") == "#000000"
    assert accent_text_color("#ffffff") == "#000000" and accent_text_color("#000000") == "#ffffff"
    for red in range(0, 256, 17):
        for green in range(0, 256, 17):
            for blue in range(0, 256, 51):
                accent = f"#{red:02x}{green:02x}{blue:02x}"
                assert contrast_ratio(accent, accent_text_color(accent)) >= 4.5, accent


@pytest.mark.parametrize(
    ("accept", "lang", "html_lang", "heading"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", None, "es", SPANISH_HEADING),
        ("pt-BR,pt;q=0.9", None, "pt-BR", PORTUGUESE_HEADING),
        ("pt-PT,pt;q=0.9", None, "pt-BR", PORTUGUESE_HEADING),
        ("fr-FR,fr;q=0.9", None, "en", "Connect your WhatsApp Business number"),
        (None, None, "en", "Connect your WhatsApp Business number"),
        ("es", "pt-br", "pt-BR", PORTUGUESE_HEADING),
        ("pt-BR", "es", "es", SPANISH_HEADING),
        ("es", "en", "en", "Connect your WhatsApp Business number"),
        ("en", "pt_BR", "pt-BR", PORTUGUESE_HEADING),
        ("en", "PT", "pt-BR", PORTUGUESE_HEADING),
        ("es", "fr", "es", SPANISH_HEADING),  # an unsupported ?lang= is ignored
        ("es", "x" * 40, "es", SPANISH_HEADING),
    ],
)
def test_the_language_comes_from_accept_language_and_lang_overrides_it(accept, lang, html_lang, heading):
    response = get_page(OnboardingLinkFactory(), lang=lang, accept=accept)
    html = response.content.decode()
    assert f'<html lang="{html_lang}">' in html
    assert heading in html
    assert response["Content-Language"] == html_lang.lower()


def test_the_lang_choice_is_kept_by_the_scripts_calls(browser):
    link = OnboardingLinkFactory(redirect_url=None, status=OnboardingLink.Status.ERROR, error="Meta refused")
    response = get_page(link, lang="pt-br", accept="es")
    config = json.loads(re.search(r'id="signup-config"[^>]*>(.*?)</script>', response.content.decode()).group(1))
    assert config["statusUrl"] == f"/signup/{link.id}/status?lang=pt-br"
    assert config["callbackUrl"] == f"/signup/{link.id}/callback?lang=pt-br"
    assert config["messages"]["network"].startswith("Não foi possível acessar o servidor")
    status = Client().get(config["statusUrl"], HTTP_ACCEPT_LANGUAGE="es")
    assert status.json() == {
        "status": "error",
        "redirectTo": None,
        "error": "Meta refused",
        "choosePhone": False,
        "enterPin": False,
        "pinRejected": False,
    }
    assert status["Content-Language"] == "pt-br"
    plain = json.loads(re.search(r'id="signup-config"[^>]*>(.*?)</script>', page_of(link)).group(1))
    assert plain["statusUrl"] == f"/signup/{link.id}/status"  # no override: Accept-Language decides


def test_the_meta_sdk_follows_the_language(settings):
    settings.META_SANDBOX = False
    html = get_page(OnboardingLinkFactory(), accept="pt-BR").content.decode()
    assert 'src="https://connect.facebook.net/pt_BR/sdk.js"' in html


def test_the_not_found_page_is_translated_too():
    response = Client().get("/signup/not-a-uuid?lang=es")
    html = response.content.decode()
    assert response.status_code == 404 and '<html lang="es">' in html and "Este enlace no existe" in html
    html = Client().get("/signup/550e8400-e29b-41d4-a716-446655440000", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Este link não existe" in html


def test_the_language_links_keep_the_page_and_mark_the_current_one():
    html = get_page(OnboardingLinkFactory(), accept="es").content.decode()
    assert '<a href="?lang=es" lang="es" hreflang="es" aria-current="true">Español</a>' in html
    assert '<a href="?lang=pt-br" lang="pt-BR" hreflang="pt-BR">Português (Brasil)</a>' in html


def _page_msgids() -> set[str]:
    """Every string of the page's templates and of hosted.py, as makemessages would extract it."""
    ids = set()
    for source in PAGE_SOURCES:
        text = source.read_text()
        ids |= set(re.findall(r'{% trans "((?:[^"\\]|\\.)*)" %}', text))
        ids |= set(re.findall(r"{% trans '([^']*)' %}", text))
        for body in re.findall(r"{% blocktrans[^%]*%}(.*?){% endblocktrans %}", text, re.S):
            ids.add(re.sub(r"{{ (\w+) }}", r"%(\1)s", body))
    hosted = (Path(django_settings.BASE_DIR) / "links" / "hosted.py").read_text()
    ids |= set(re.findall(r'(?:\b_|gettext_noop)\(\s*"((?:[^"\\]|\\.)*)"', hosted))
    return ids


def _po_entries(language: str) -> dict[str, str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    assert "#, fuzzy" not in text

    def joined(part: str) -> str:
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part)).replace('\\"', '"').replace("\\\\", "\\")

    pattern = r'^msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)'
    return {joined(i): joined(s) for i, s in re.findall(pattern, text, re.M) if joined(i)}


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_every_page_string_is_translated_and_compiled(language):
    entries = _po_entries(language)
    expected = _page_msgids()
    assert len(expected) > 45
    assert expected - set(entries) == set(), "run makemessages and translate the new strings"
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []
    # The committed .mo is compiled from this .po (CI has no gettext to compile it).
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = GNUTranslations(mo)
    assert {msgid: compiled.gettext(msgid) for msgid in entries} == entries


@pytest.mark.parametrize("language", ["es", "pt-br"])
def test_no_english_is_left_on_the_page_in_each_state(language):
    english = {msgid for msgid in _page_msgids() if "%(" not in msgid and msgid not in ("Cancel",)}
    links = [
        OnboardingLinkFactory(),
        OnboardingLinkFactory(status=OnboardingLink.Status.PROCESSING),
        completed_link(),
        OnboardingLinkFactory(past_expiry=True),
    ]
    pages = [get_page(link, lang=language).content.decode() for link in links]
    pages.append(Client().get(f"/signup/not-a-uuid?lang={language}").content.decode())
    for html in pages:
        # The config's messages are \\u-escaped JSON: compare decoded text.
        decoded = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), html)
        left = [msgid for msgid in english if msgid.replace("'", "&#x27;") in decoded or msgid in decoded]
        assert left == [], left


def test_static_files_are_served_by_whitenoise_with_long_cache_headers(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    html = get_page(OnboardingLinkFactory()).content.decode()
    css = re.search(r'href="(/static/links/signup\.[0-9a-f]{12}\.css)"', html).group(1)
    script = re.search(r'src="(/static/links/signup\.[0-9a-f]{12}\.js)"', html).group(1)
    for url in (css, script):
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response["Content-Encoding"] == "gzip"
    assert "no-store" in get_page(OnboardingLinkFactory())["Cache-Control"]
    # Nothing else comes from another origin than the SDK (the sandbox's here, Meta's in live mode).
    assert re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html) == [f"{dialog_origin()}/_sandbox/facebook/sdk.js"]


def test_known_link_errors_are_shown_in_the_page_language_and_stay_english_elsewhere(browser):
    stored = "Meta could not exchange the authorization code. Try again."
    link = OnboardingLinkFactory(status=OnboardingLink.Status.ERROR, error=stored)
    html = get_page(link, accept="es").content.decode()
    assert "Meta no pudo canjear el código de autorización. Inténtalo de nuevo." in html
    status = Client().get(f"/signup/{link.id}/status?lang=pt-br").json()
    assert status["error"] == "A Meta não conseguiu trocar o código de autorização. Tente novamente."
    assert dict(parse_qsl(urlsplit(status["redirectTo"]).query))["error"] == stored  # the customer's copy
    assert Client().get(f"/signup/{link.id}/status").json()["error"] == stored
    link.error = "Signup reported an error: Se canceló."
    link.save()
    assert (
        Client().get(f"/signup/{link.id}/status?lang=es").json()["error"]
        == "El registro informó de un error: Se canceló."
    )
    link.error = "Something new from Meta."
    link.save()
    assert Client().get(f"/signup/{link.id}/status?lang=es").json()["error"] == "Something new from Meta."
