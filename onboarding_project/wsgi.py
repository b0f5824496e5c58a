import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_project.settings")
django.setup(set_prefix=False)

# gunicorn does not run Django's system checks: refuse a misconfigured production start here,
# before anything else reads the settings.
from core.checks import assert_production_ready  # noqa: E402

assert_production_ready()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
