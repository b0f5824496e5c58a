"""The admin's link and phone lists at 1280 px, in headless Chromium: every column visible, none cut
off behind a horizontal scroll. Screenshots go to test-artifacts/screenshots/admin/."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from links.tests.factories import OnboardingLinkFactory
from links.tests.signup_browser import chromium as chromium  # noqa: F401 (the module's browser fixture)
from phones.tests.factories import PhoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "admin"


@pytest.mark.parametrize("changelist", ["/admin/links/onboardinglink/", "/admin/phones/phone/"])
def test_the_changelist_fits_1280_px(live_server, chromium, admin_client, changelist):  # noqa: F811
    for _ in range(3):
        OnboardingLinkFactory(name="Acme Pay onboarding for the Northwest region", external_id="crm-account-000123456")
        PhoneFactory()
    session = admin_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    tab = chromium.new_tab(viewport=(1280, 800))

    def look(page):
        page.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(live_server.url + changelist)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (changelist.strip("/").replace("/", "-") + "-1280.png")), full_page=True)
        return page.evaluate(
            "(() => { const box = document.querySelector('#changelist .results');"
            " return [box.scrollWidth, box.clientWidth]; })()"
        )

    try:
        scroll_width, client_width = tab.do(look)
    finally:
        tab.close()
    assert scroll_width <= client_width, f"the table is {scroll_width} px wide in a {client_width} px box"
