"""The hosted page declares its own icon, so the end-user's browser never asks for /favicon.ico
(a 404 in their console); the icon is a same-origin static file the page's CSP allows."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from links.tests.factories import OnboardingLinkFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("which", ["pending", "not_found"])
def test_the_hosted_page_declares_a_static_icon_that_exists(which):
    link_id = OnboardingLinkFactory().pk if which == "pending" else "00000000-0000-4000-8000-000000000000"
    response = Client().get(f"/signup/{link_id}")
    html = response.content.decode()
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
    assert icon, html[:600]
    assert icon.group(1).startswith("/static/links/favicon")
    assert finders.find("links/favicon.svg")
    assert "img-src 'self'" in response["Content-Security-Policy"]
