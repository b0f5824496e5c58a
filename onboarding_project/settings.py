"""The settings, driven by the environment (docs/operations.md lists every setting); the API
framework's fixed configuration is in onboarding_project.api_settings, the logging configuration in
onboarding_project.logging_config.

Every setting has a safe development default so that `make run` works with nothing configured;
`core.checks` refuses a production start (DEBUG off) that still relies on those defaults.
"""

import base64
import hashlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from onboarding_project import api_settings, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A development-only key; core.checks rejects it whenever DEBUG is off.
DEV_SECRET_KEY = "dev-insecure-onboarding-links-secret-key-do-not-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="") or (DEV_SECRET_KEY if DEBUG else "")
PORT = env.int("PORT", default=8000)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])


def _dev_encryption_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"encryption:{secret}".encode()).digest()).decode()


# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation: prepend a new key,
# run `manage.py rotate_encryption_keys`, then drop the old one).
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[_dev_encryption_key(SECRET_KEY)] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "organizations",
    "wabas",
    "phones",
    "links",
    "webhooks",
    "meta",
    "sandbox",
    "messaging",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ApiGuardMiddleware",
    "links.hosted_guard.SignupCallbackGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onboarding_project.urls"
WSGI_APPLICATION = "onboarding_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE avoids "database is locked" upgrade deadlocks between the web process and the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # Tests get a database file, not Django's default in-memory one: the test server's threads (the
    # sandbox's Graph API, which a completion calls from several threads at once) then open
    # connections of their own, as `make run`'s do, instead of all sharing the test's connection.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / ".test-db.sqlite3"))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].update(
        {
            # Django's PostgreSQL backend, checking a persistent connection at most once per
            # DB_HEALTH_CHECK_INTERVAL instead of before every request (its module says what that gives up).
            "ENGINE": "core.db_backends.postgresql",
            "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
            "CONN_HEALTH_CHECKS": True,
            # Behind PgBouncer in transaction mode a server-side cursor cannot outlive its transaction.
            "DISABLE_SERVER_SIDE_CURSORS": env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False),
        }
    )
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if env.bool("DB_SERVER_SIDE_BINDING", default=False):
        # psycopg binds parameters on the server and prepares a statement after its
        # `prepare_threshold`-th use on a connection (docs/deploy.md: PgBouncer needs prepared
        # statement support for it, 1.21+ with max_prepared_statements).
        DATABASES["default"]["OPTIONS"].update(
            {"server_side_binding": True, "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=5)}
        )
else:
    raise ImproperlyConfigured("DATABASE_URL must be a PostgreSQL or SQLite URL.")
DB_HEALTH_CHECK_INTERVAL = env.float("DB_HEALTH_CHECK_INTERVAL", default=1.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://onboarding-links")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("pt-br", "Português (Brasil)")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Request bodies above this size are answered 413 before any parsing.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# "N/second|minute|hour|day" per API key; empty or "0" disables the limit.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/minute")
# The hosted page's JSON endpoints (core.api.throttling's counters, same rate syntax): callbacks per
# link (a real end-user sends a handful), and callback + status requests per client address (the
# page polls the status once a second while a signup runs).
SIGNUP_CALLBACK_RATE_LIMIT = env.str("SIGNUP_CALLBACK_RATE_LIMIT", default="10/minute")
SIGNUP_CLIENT_RATE_LIMIT = env.str("SIGNUP_CLIENT_RATE_LIMIT", default="300/minute")
# The hosted page's "Meta's window opened" beacon, per link (the signup funnel; links.funnel).
SIGNUP_START_RATE_LIMIT = env.str("SIGNUP_START_RATE_LIMIT", default="10/minute")
IDEMPOTENCY_TTL = timedelta(hours=24)

REST_FRAMEWORK = api_settings.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api_settings.SPECTACULAR_SETTINGS

# --- Celery ---------------------------------------------------------------------------------
# Unset broker: Kombu's filesystem transport in a git-ignored folder, so a real worker and beat
# run on a laptop with no server at all.
BROKER_DATA_DIR = BASE_DIR / ".broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DATA_DIR / "queue"),
        "data_folder_out": str(BROKER_DATA_DIR / "queue"),
        "processed_folder": str(BROKER_DATA_DIR / "processed"),
        "control_folder": str(BROKER_DATA_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # RabbitMQ (`amqp://user:password@host:5672/vhost`) keeps an unacknowledged message for its
    # consumer until the connection drops: no visibility timeout to set. Kombu's other transports
    # take their defaults.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless this is
# set; onboarding_project.celery recycles connections as Django does between requests instead.
CELERY_DB_REUSE_MAX = sys.maxsize
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Webhook deliveries have a queue of their own, consumed by a thread-pool worker (the Procfile's
# `webhooks` process): they mostly wait on customers' endpoints, and must neither wait behind nor
# hold up signup completions.
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="webhooks")
# Meta's inbound payloads (every message and status of every connected number) have a queue of
# their own too (the Procfile's `inbound` process): a burst of traffic must not make signups wait
# behind it, and a slow Graph call during a signup must not hold up the traffic.
INBOUND_QUEUE = env.str("INBOUND_QUEUE", default="inbound")
# Messages customers send through the API wait on Meta's answer (and on each phone's rate), so
# they get a queue and a thread-pool process of their own (the Procfile's `messages`): a burst of
# sends must not hold up signup completions or Meta's inbound traffic.
MESSAGES_QUEUE = env.str("MESSAGES_QUEUE", default="messages")
CELERY_TASK_ROUTES = {
    "webhooks.tasks.deliver_webhooks": {"queue": WEBHOOK_QUEUE},
    "webhooks.tasks.deliver_webhook": {"queue": WEBHOOK_QUEUE},
    "phones.tasks.process_inbound_webhook": {"queue": INBOUND_QUEUE},
    "messaging.tasks.send_message": {"queue": MESSAGES_QUEUE},
    "messaging.tasks.dispatch_messages": {"queue": MESSAGES_QUEUE},
}
CELERY_TIMEZONE = "UTC"
# Worker and beat log through Django's LOGGING (JSON lines with the task id), not Celery's format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat keeps its schedule in memory, not in a shelve file: every periodic job is an idempotent sweep
# of the database, so a restarted beat loses nothing by forgetting when each job last ran, and it
# starts on a fresh or read-only checkout (a schedule file needs a writable folder that exists).
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"
CELERY_BEAT_SCHEDULE = {
    "expire-links": {"task": "links.tasks.expire_links", "schedule": 60.0},
    "resume-stalled-signups": {"task": "links.tasks.resume_stalled_signups", "schedule": 30.0},
    "refresh-phone-health": {"task": "phones.tasks.refresh_due_phone_health", "schedule": 300.0},
    "process-pending-inbound-webhooks": {"task": "phones.tasks.process_pending_inbound", "schedule": 30.0},
    "dispatch-due-webhook-deliveries": {"task": "webhooks.tasks.dispatch_due_deliveries", "schedule": 15.0},
    "destroy-expired-webhook-secrets": {"task": "webhooks.tasks.destroy_expired_webhook_secrets", "schedule": 60.0},
    "send-due-messages": {"task": "messaging.tasks.send_due_messages", "schedule": 15.0},
    "prune-idempotency-keys": {"task": "core.tasks.prune_idempotency_keys", "schedule": crontab(minute=17)},
    "prune-deleted-links": {"task": "links.tasks.prune_deleted_links", "schedule": crontab(minute=29, hour=3)},
    "warn-expiring-tokens": {"task": "wabas.tasks.warn_expiring_tokens", "schedule": crontab(minute=43, hour=6)},
}
# `BEAT_INTERVALS=expire-links=5,dispatch-due-webhook-deliveries=2`: seconds between runs, per job.
for _job, _seconds in env.dict("BEAT_INTERVALS", default={}).items():
    try:
        _interval = float(_seconds)
    except ValueError:
        _interval = 0.0
    if _job not in CELERY_BEAT_SCHEDULE or not 0 < _interval <= 86400:
        raise ImproperlyConfigured(
            f"BEAT_INTERVALS: {_job}={_seconds} is not a job name with 0 < seconds <= 86400; "
            f"the jobs are {', '.join(CELERY_BEAT_SCHEDULE)}."
        )
    CELERY_BEAT_SCHEDULE[_job]["schedule"] = _interval

# --- Product settings -----------------------------------------------------------------------
LINK_DEFAULT_TTL_SECONDS = env.int("LINK_DEFAULT_TTL_SECONDS", default=7 * 24 * 3600)
# How long a deleted link with a refreshUrl keeps sending its end-users back to the customer.
DELETED_LINK_RETENTION_DAYS = env.int("DELETED_LINK_RETENTION_DAYS", default=30)
if not 1 <= DELETED_LINK_RETENTION_DAYS <= 3650:
    raise ImproperlyConfigured("DELETED_LINK_RETENTION_DAYS must be between 1 and 3650.")

# Seconds between webhook delivery attempts; the default spans about three days.
# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: ten attempts over about 3 days.
_DEFAULT_RETRY_DELAYS = "5,300,1800,7200,18000,36000,50400,72000,86400"
WEBHOOK_RETRY_DELAYS = [int(s) for s in env.list("WEBHOOK_RETRY_DELAYS", default=_DEFAULT_RETRY_DELAYS.split(","))]
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# One task sends up to this many queued deliveries of one webhook over one keep-alive connection.
# Each batch costs a claim and a write of its outcomes (~10 ms of the worker's time): 100 instead
# of 50 made a burst to one fast endpoint about a fifth faster; a slow endpoint still gets one
# connection per 100 queued deliveries.
WEBHOOK_DELIVERY_BATCH_SIZE = env.int("WEBHOOK_DELIVERY_BATCH_SIZE", default=100)
# A batch starts no request after this many seconds (what is left is queued again). Its last request
# may take WEBHOOK_TIMEOUT_SECONDS more, and the task must end well before its soft time limit.
WEBHOOK_BATCH_SECONDS = env.float("WEBHOOK_BATCH_SECONDS", default=30.0)
if WEBHOOK_DELIVERY_BATCH_SIZE < 1:
    raise ImproperlyConfigured("WEBHOOK_DELIVERY_BATCH_SIZE must be at least 1.")
if WEBHOOK_BATCH_SECONDS + WEBHOOK_TIMEOUT_SECONDS + 10 > CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"WEBHOOK_BATCH_SECONDS + WEBHOOK_TIMEOUT_SECONDS must stay at least 10 s under the task's soft "
        f"time limit ({CELERY_TASK_SOFT_TIME_LIMIT} s), so a batch always ends before it."
    )
# Delivery threads (batches in flight) one endpoint, and one organization, may hold at once,
# counted in the database across every worker: a slow endpoint delays only itself. 8 keeps an
# endpoint that takes 100 ms per request at about 80 deliveries/s (the benchmark's slow fan-out
# wants 5 times a sequential loop) while it holds a quarter of the Procfile's 32 threads at most.
WEBHOOK_ENDPOINT_CONCURRENCY = env.int("WEBHOOK_ENDPOINT_CONCURRENCY", default=8)
WEBHOOK_ORGANIZATION_CONCURRENCY = env.int("WEBHOOK_ORGANIZATION_CONCURRENCY", default=16)
if WEBHOOK_ENDPOINT_CONCURRENCY < 1 or WEBHOOK_ORGANIZATION_CONCURRENCY < 1:
    raise ImproperlyConfigured("WEBHOOK_ENDPOINT_CONCURRENCY and WEBHOOK_ORGANIZATION_CONCURRENCY must be at least 1.")
# Development may deliver to loopback/private receivers; production refuses them (SSRF).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=DEBUG)

META_APP_ID = env.str("META_APP_ID", default="")
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_CONFIG_ID = env.str("META_CONFIG_ID", default="")
META_GRAPH_VERSION = env.str("META_GRAPH_VERSION", default="v25.0")
META_WEBHOOK_VERIFY_TOKEN = env.str("META_WEBHOOK_VERIFY_TOKEN", default="")
# (connect, read) seconds for every Graph call.
META_GRAPH_TIMEOUT = tuple(env.list("META_GRAPH_TIMEOUT", cast=float, default=[5.0, 15.0]))
# Meta allows 200 business-use-case calls per hour per WABA; stay well under it.
META_GRAPH_CALLS_PER_WABA_PER_HOUR = env.int("META_GRAPH_CALLS_PER_WABA_PER_HOUR", default=100)
WABA_LOOKUP_TTL_SECONDS = env.int("WABA_LOOKUP_TTL_SECONDS", default=300)
PHONE_HEALTH_TTL_SECONDS = env.int("PHONE_HEALTH_TTL_SECONDS", default=60)
PHONE_HEALTH_STALE_SECONDS = env.int("PHONE_HEALTH_STALE_SECONDS", default=1800)
# Days ahead of a known business token (or data access) expiry that operators are warned.
TOKEN_EXPIRY_WARNING_DAYS = env.int("TOKEN_EXPIRY_WARNING_DAYS", default=7)
if not 0 < TOKEN_EXPIRY_WARNING_DAYS <= 365:
    raise ImproperlyConfigured("TOKEN_EXPIRY_WARNING_DAYS must be between 1 and 365.")
# Sandbox mode (fake Graph API and dialog served by this app under /_sandbox/) is an explicit choice:
# on by default only in development without a Meta app. Production (DEBUG off) with neither a Meta
# app nor META_SANDBOX=true refuses to start (core.checks); /_sandbox/ is not even routed when off.
# Sending messages (docs/api.md, "Messages"): Meta's default throughput is 80 messages per second
# per number; a burst above it waits its turn. Retries of transient send failures, in seconds.
MESSAGES_PER_SECOND_PER_PHONE = env.int("MESSAGES_PER_SECOND_PER_PHONE", default=80)
if MESSAGES_PER_SECOND_PER_PHONE < 1:
    raise ImproperlyConfigured("MESSAGES_PER_SECOND_PER_PHONE must be at least 1.")
# An organization's messages are queued for the shared send workers at most this many a second; a
# burst waits its turn as rows, so no organization's burst delays another's sends.
MESSAGES_PER_SECOND_PER_ORGANIZATION = env.int("MESSAGES_PER_SECOND_PER_ORGANIZATION", default=80)
if MESSAGES_PER_SECOND_PER_ORGANIZATION < 1:
    raise ImproperlyConfigured("MESSAGES_PER_SECOND_PER_ORGANIZATION must be at least 1.")
MESSAGE_RETRY_DELAYS = [float(s) for s in env.list("MESSAGE_RETRY_DELAYS", default=["2", "10", "60", "300", "1800"])]
MESSAGE_TEMPLATES_TTL_SECONDS = env.int("MESSAGE_TEMPLATES_TTL_SECONDS", default=60)
# The sandbox posts a send's statuses to the number's webhook this long after the send, then apart.
SANDBOX_STATUS_DELAY_SECONDS = env.float("SANDBOX_STATUS_DELAY_SECONDS", default=0.5)
SANDBOX_STATUS_INTERVAL_SECONDS = env.float("SANDBOX_STATUS_INTERVAL_SECONDS", default=0.3)
META_SANDBOX = env.bool("META_SANDBOX", default=DEBUG and not META_APP_ID)
# The sandbox's Embedded Signup window is served on a second origin of this server, as Meta's is
# on www.facebook.com; empty: PUBLIC_BASE_URL with 127.0.0.1 and localhost swapped.
SANDBOX_DIALOG_ORIGIN = env.str("SANDBOX_DIALOG_ORIGIN", default="")
# Sandbox only: milliseconds the sandbox waits before answering each Graph call, to play Meta's
# real latency (the benchmark's signup_meta_latency uses 300). 0: answer at once.
SANDBOX_GRAPH_LATENCY_MS = env.int("SANDBOX_GRAPH_LATENCY_MS", default=0)
if not 0 <= SANDBOX_GRAPH_LATENCY_MS <= 60_000:
    raise ImproperlyConfigured("SANDBOX_GRAPH_LATENCY_MS must be between 0 and 60000.")
META_GRAPH_BASE_URL = env.str(
    "META_GRAPH_BASE_URL",
    default=f"{PUBLIC_BASE_URL}/_sandbox/graph" if META_SANDBOX else "https://graph.facebook.com",
).rstrip("/")

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Not Django's default "same-origin": that severs the cross-origin popup Meta's login opens from
# the hosted page (window.opener becomes null, so the session event never arrives).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Deployments behind TLS: HSTS and the http -> https redirect, off by default (plain-http development
# and tests). /healthz stays reachable over http: load balancers probe it before TLS.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or a positive number of seconds.")
# How many proxies in front of the web process append to X-Forwarded-For (core.clientaddr): the
# client address is the entry the outermost of them wrote; the ones left of it are the client's own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Metrics --------------------------------------------------------------------------------
# `/metrics` (Prometheus text format, core.metrics) answers only with `Authorization: Bearer
# <METRICS_TOKEN>`; unset, it is a 404. Counters of processes that share a host add up when every
# process there has the same PROMETHEUS_MULTIPROC_DIR (an empty directory at start; docs/deploy.md).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
_multiproc_dir = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if _multiproc_dir and not (Path(_multiproc_dir).is_dir() and os.access(_multiproc_dir, os.W_OK)):
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR={_multiproc_dir} is not a writable directory: create it (empty) before the "
        "processes start, or unset it."
    )

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config.logging_config(LOG_LEVEL)
