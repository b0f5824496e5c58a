"""`DB_SERVER_SIDE_BINDING`: Django's own psycopg options for server-side binding, so PostgreSQL
prepares a statement a connection keeps running (issue 16: prepared statements, if they pay, come
from Django's options, measured: docs/performance.md). Off by default (poolers without prepared
statement support), on in `make bench`."""

import pytest
from django.db.utils import ConnectionHandler

from core.tests.helpers import settings_from_env
from core.tests.services_gate import require_postgres
from organizations.models import ApiKey
from webhooks.tests.workers import _test_database_url


def database(**variables: str) -> dict:
    return settings_from_env(DATABASE_URL=_test_database_url(), **variables)["DATABASES"]["default"]


def prepared_after_repeats(config: dict) -> int:
    handler = ConnectionHandler({"default": config})
    wrapper = handler["default"]
    try:
        for _ in range(8):
            with wrapper.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {ApiKey._meta.db_table} WHERE hashed_key = %s", ["x"])  # noqa: S608
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]
    finally:
        wrapper.close()


@pytest.mark.django_db
def test_off_by_default_and_prepared_statements_when_on():
    require_postgres()
    assert "server_side_binding" not in database(DB_SERVER_SIDE_BINDING="false")["OPTIONS"]
    on = database(DB_SERVER_SIDE_BINDING="true", DB_PREPARE_THRESHOLD="5")
    assert on["OPTIONS"]["server_side_binding"] is True and on["OPTIONS"]["prepare_threshold"] == 5

    assert prepared_after_repeats(database(DB_SERVER_SIDE_BINDING="false")) == 0
    assert prepared_after_repeats(on) >= 1
