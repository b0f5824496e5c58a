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
