"""Sizes, ports and the environment of every process the bench starts."""

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else "python3"


@dataclass(frozen=True)
class Sizes:
    quick: bool
    big_links: int  # the organization the list is measured on (the issue: 100,000)
    small_links: int  # list_scaling's small organization (the issue: 1,000)
    wrk_seconds: int
    wrk_warmup_seconds: int
    scaling_seconds: int
    fast_deliveries: int
    slow_deliveries: int
    signups: int
    signup_rate: float  # callbacks per second, open loop
    inbound_rate: float  # inbound_to_customer / webhook_isolation: Meta's POSTs per second
    inbound_seconds: float
    node_deliveries: int  # two_nodes: deliveries per phase (a multiple of its 64 endpoints)
    sends: int  # send_messages: API sends (and the Graph loop's baseline posts)
    history_events: int  # events (each delivered once) already in the queue tables, as yesterday's traffic


FULL = Sizes(False, 100_000, 1_000, 15, 3, 8, 5_000, 1_000, 100, 5.0, 200.0, 60.0, 3_200, 2_000, 20_000)
QUICK = Sizes(True, 1_000, 100, 3, 1, 2, 200, 200, 10, 5.0, 40.0, 5.0, 640, 200, 2_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database_url(url: str) -> str:
    """The same server, a database of its own: `<name>_bench` (never the dev or test database)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = parts.path
        stem, dot, ext = path.rpartition(".") if "." in Path(path).name else (path, "", "")
        new_path = f"{stem}_bench{dot}{ext}" if dot else f"{path}_bench"
        # Not urlunsplit: it drops the empty host of `sqlite:////abs/path` (the path then began with
        # `//`, read back as a host), and SQLite could not open the file.
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.scheme}://{parts.netloc}{new_path}{query}"
    name = parts.path.lstrip("/") or "onboarding"
    if not name.endswith("_bench"):
        name += "_bench"
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def bench_cache_url(broker_url: str) -> str:
    """`CACHE_URL` when set; else, with a Redis broker, that Redis's database 1 (a shared cache, as
    production runs with: the rate limiter and the API key memory need one); else in-process."""
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    parts = urlsplit(broker_url)
    if parts.scheme in ("redis", "rediss"):
        return urlunsplit((parts.scheme, parts.netloc, "/1", "", ""))
    return ""


@dataclass(frozen=True)
class BenchEnv:
    source_database_url: str
    database_url: str
    broker_url: str
    cache_url: str
    port: int
    gunicorn_workers: int
    webhook_concurrency: int
    default_concurrency: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres", "postgresql", "pgsql"))

    def process_env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.broker_url,
            DEBUG="false",
            SECRET_KEY=_SECRET_KEY,
            ENCRYPTION_KEYS=_ENCRYPTION_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_BASE_URL=self.base_url,
            # Sandbox mode, chosen explicitly (DEBUG is off): no Meta app. Loopback receivers need
            # private targets allowed.
            META_APP_ID="",
            META_SANDBOX="true",
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
            # The rate limiter is not what is measured: off (one key makes thousands of requests/s).
            API_RATE_LIMIT="0",
            SIGNUP_CALLBACK_RATE_LIMIT="0",
            SIGNUP_CLIENT_RATE_LIMIT="0",
            # send_messages sends 2,000 messages from one organization as fast as the Graph loop
            # went: the organization's fairness cap (a tenant setting) is not what is measured.
            MESSAGES_PER_SECOND_PER_ORGANIZATION="100000",
            # Server-side binding and prepared statements, as docs/deploy.md recommends with a direct
            # connection to PostgreSQL (measured both ways in docs/performance.md).
            DB_SERVER_SIDE_BINDING=os.environ.get("DB_SERVER_SIDE_BINDING", "true"),
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "INFO"),
            PYTHONUNBUFFERED="1",
        )
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        env.pop("CACHE_URL", None)
        if self.cache_url:
            env["CACHE_URL"] = self.cache_url
        env.update(extra)
        return env


# Per-run production secrets (the bench data is throwaway; nothing encrypted with them is kept).
_SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)
_ENCRYPTION_KEY = os.environ.get("BENCH_ENCRYPTION_KEYS") or "".join(
    __import__("base64").urlsafe_b64encode(secrets.token_bytes(32)).decode()
)


def load_env() -> BenchEnv:
    source = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}"
    broker = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    cpus = os.cpu_count() or 1
    return BenchEnv(
        source_database_url=source,
        database_url=bench_database_url(source),
        broker_url=broker,
        cache_url=bench_cache_url(broker),
        port=int(os.environ.get("BENCH_PORT") or free_port()),
        gunicorn_workers=int(os.environ.get("BENCH_GUNICORN_WORKERS") or 2 * cpus + 1),
        webhook_concurrency=int(os.environ.get("BENCH_WEBHOOK_CONCURRENCY") or 32),
        # As the Procfile's `worker`: a thread pool, CELERY_CONCURRENCY (16) threads.
        default_concurrency=int(os.environ.get("BENCH_WORKER_CONCURRENCY") or 16),
    )
