"""Shared fixtures: organizations with keys, authenticated API clients, and service gates."""

import os

import pytest

# Unit tests run Celery tasks inline; integration tests start a real worker and turn this off.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("API_RATE_LIMIT", "100000/minute")


@pytest.fixture
def organization(db):
    from organizations.tests.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def issued_key(organization):
    from organizations.tests.factories import issue_key

    return issue_key(organization)


def _client_for(secret: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_client(issued_key):
    """An API client authenticated as `organization`."""
    return _client_for(issued_key.secret)


@pytest.fixture
def other_api_client(db):
    """An API client of a second organization, for isolation checks."""
    from organizations.tests.factories import issue_key

    return _client_for(issue_key().secret)


@pytest.fixture
def anon_client():
    from rest_framework.test import APIClient

    return APIClient()
