"""Settings of the processes the benchmark starts: production settings plus bench-only plumbing.

Everything comes from `onboarding_project.settings` (so the environment the orchestrator sets,
DEBUG=false and all, is read the same way); only what keeps the bench apart from development
data, and the bench-only baseline view, is changed here:

- `ROOT_URLCONF = "bench.urls"`: the production URLs, plus the constant-JSON baseline view when
  `BENCH_BASELINE_VIEW=1`. The production urlconf never contains it.
- Celery queues named `bench` / `bench-webhooks` / `bench-inbound`, so a development worker on the
  same Redis never takes a bench task (and the bench workers never take theirs). Webhook deliveries
  and Meta's inbound payloads go to queues of their own, as in production (`WEBHOOK_QUEUE` and
  `INBOUND_QUEUE`, the Procfile's `webhooks` and `inbound` processes).
- collectstatic goes to `bench/.staticfiles`, not the project's `staticfiles/`.
"""

import os

from onboarding_project.settings import *  # noqa: F403
from onboarding_project.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
BENCH_BASELINE_VIEW = os.environ.get("BENCH_BASELINE_VIEW") == "1"

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "bench")
BENCH_WEBHOOK_QUEUE = os.environ.get("BENCH_WEBHOOK_QUEUE", "bench-webhooks")
BENCH_INBOUND_QUEUE = os.environ.get("BENCH_INBOUND_QUEUE", "bench-inbound")
# The production routes (deliveries, inbound payloads, ...), each pointed at a bench queue of its own.
_BENCH_QUEUES = {WEBHOOK_QUEUE: BENCH_WEBHOOK_QUEUE, INBOUND_QUEUE: BENCH_INBOUND_QUEUE}  # noqa: F405
CELERY_TASK_ROUTES = {
    task: {"queue": _BENCH_QUEUES.get(route["queue"], f"bench-{route['queue']}")}
    for task, route in CELERY_TASK_ROUTES.items()  # noqa: F405
}

STATIC_ROOT = BASE_DIR / "bench" / ".staticfiles"

if CELERY_BROKER_URL == "filesystem://":  # noqa: F405 - the embedded broker: bench folders of its own
    _BENCH_BROKER = BASE_DIR / "bench" / ".broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BENCH_BROKER / "queue"),
        "data_folder_out": str(_BENCH_BROKER / "queue"),
        "processed_folder": str(_BENCH_BROKER / "processed"),
        "control_folder": str(_BENCH_BROKER / "control"),
        "store_processed": False,
    }
