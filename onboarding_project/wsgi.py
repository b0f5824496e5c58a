import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_project.settings")

application = get_wsgi_application()

# gunicorn does not run Django's system checks: refuse a misconfigured production start here.
from core.checks import assert_production_ready  # noqa: E402

assert_production_ready()
