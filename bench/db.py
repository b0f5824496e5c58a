"""The bench database: created on the configured server under `<name>_bench`, migrated, emptied."""

import subprocess
from urllib.parse import unquote, urlsplit

from bench.config import PYTHON, ROOT, BenchEnv
from bench.procs import HarnessError


def ensure_database(env: BenchEnv) -> None:
    if not env.is_postgres:
        return  # SQLite creates the file on first connection
    import psycopg
    from psycopg import sql

    parts = urlsplit(env.database_url)
    name = unquote(parts.path.lstrip("/"))
    if not name.endswith("_bench"):
        raise HarnessError(f"refusing to use database {name!r}: the bench database name must end in _bench")
    conninfo = dict(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        dbname="postgres",
    )
    if parts.password:
        conninfo["password"] = unquote(parts.password)
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: BenchEnv, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env.process_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise HarnessError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: BenchEnv) -> None:
    ensure_database(env)
    manage(env, "migrate", "--noinput")
    manage(env, "flush", "--noinput")  # every run starts from the same, empty bench database
    manage(env, "collectstatic", "--noinput")  # DEBUG off serves the manifest (hosted page)


# The tables a stream of Meta's payloads churns: every payload, event and delivery row is inserted
# and then updated once or twice.
QUEUE_TABLES = ("phones_inboundwebhook", "webhooks_event", "webhooks_delivery", "webhooks_deliveryattempt")


def autovacuum_on() -> bool | None:
    """PostgreSQL's `autovacuum` setting (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "on"


def settle_queue_tables() -> None:
    """`VACUUM (ANALYZE)` of the queue tables between rows, when the server runs with autovacuum off
    (as this machine's does; a production server runs it): the dead row versions the previous row
    left would otherwise stay in the partial indexes every claim and dispatch scans, and each row
    would be measured on the debris of the ones before it."""
    from django.db import connection

    if autovacuum_on() is not False:
        return
    with connection.cursor() as cursor:
        for table in QUEUE_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # our own table names
