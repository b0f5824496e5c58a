"""`make bench` / `make bench-quick`: the orchestrator.

    python -m bench.run [--quick] [--only api,inbound,webhooks,messages,signup,nodes]

1. A database of its own (`<DATABASE_URL name>_bench`), migrated and emptied; bench data seeded in bulk.
2. gunicorn as in production (DEBUG=false, required secrets, sandbox mode, rate limit off), with the
   bench urlconf whose constant-JSON view is the baseline.
3. wrk (a separate process) for the API scenarios; real Celery workers for webhooks and signups.
4. `bench/results.json`, `bench/results.md` and a table on stdout.

Exit status: 0 when the run finished (and, in full mode, every target was reached); 1 when a
full-mode target was missed; 2 when the harness itself broke. Quick mode reports targets only.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import config
from bench.config import BENCH_DIR, ROOT, Sizes
from bench.procs import HarnessError, Processes
from bench.stack import (
    signup_meta_latency,
    start_default_worker,
    start_gunicorn,
    start_meta_gunicorn,
    start_receiver,
    start_webhook_worker,
    start_worker,
)

RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "results.md"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def purge_queues(queues: list[str]) -> None:
    from onboarding_project.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in queues:
            try:
                channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue that does not exist yet is empty
                log(f"queue {queue} not purged (it may not exist yet)")


def environment(env: config.BenchEnv, sizes: Sizes, seed_seconds: float) -> dict:
    import celery
    import django
    import gunicorn
    from django.db import connection

    from bench.db import autovacuum_on
    from bench.load import wrk_version

    cpu = "unknown"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0]
    broker_version = None
    if env.broker_url.startswith("redis"):
        import redis

        broker_version = "Redis " + redis.Redis.from_url(env.broker_url).info("server")["redis_version"]
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if sizes.quick else "full",
        "git_commit": commit,
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "celery": celery.__version__,
        "database": db_version.split(" on ")[0] if db_version else None,
        "database_name": connection.settings_dict["NAME"],
        "database_autovacuum": autovacuum_on(),
        "broker": broker_version or env.broker_url.split(":")[0],
        "cache": env.cache_url.split("://")[0] + " (shared)" if env.cache_url else "in-process (locmem)",
        "wrk": wrk_version(),
        "gunicorn_workers": env.gunicorn_workers,
        "gunicorn_worker_class": "sync",
        "celery_default_worker": f"threads, concurrency {env.default_concurrency}, queue bench",
        "celery_webhook_worker": f"threads, concurrency {env.webhook_concurrency}, queue bench-webhooks",
        "meta_graph": "the sandbox's Graph API on a gunicorn of its own (gthread, 16 threads; "
        "signup_meta_latency: 64 threads, 300 ms per call)",
        "wrk_connections": 16,
        "wrk_threads": 2,
        "wrk_seconds": sizes.wrk_seconds,
        "api_rate_limit": "disabled (API_RATE_LIMIT=0)",
        "log_level": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
        "sizes": {
            "big_org_links": sizes.big_links,
            "small_org_links": sizes.small_links,
            "fast_deliveries": sizes.fast_deliveries,
            "slow_deliveries": sizes.slow_deliveries,
            "signups": sizes.signups,
            "signup_rate_per_s": sizes.signup_rate,
            "two_nodes_deliveries_per_phase": sizes.node_deliveries,
            "sends": sizes.sends,
        },
        "seed_seconds": round(seed_seconds, 1),
    }


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def table(rows: list[dict]) -> str:
    lines = [
        "| scenario | metric | value | baseline | ratio | target | passed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        extra = f" (p99 {r['details']['p99_ms']} ms)" if "p99_ms" in r.get("details", {}) else ""
        lines.append(
            f"| `{r['name']}` | {r['metric']}{extra} | {fmt(r['value'], r['unit'])} | {fmt(r['baseline'], r['unit'])} "
            f"| {fmt(r['ratio'])} | {r['target']} | {'yes' if r['passed'] else '**no**'} |"
        )
    return "\n".join(lines)


def write_results(rows: list[dict], env_info: dict, error: str | None) -> None:
    document = {"scenarios": rows, "environment": env_info}
    if error:
        document["error"] = error
    RESULTS_JSON.write_text(json.dumps(document, indent=2, default=str) + "\n")
    env_lines = "\n".join(f"- {k}: {v}" for k, v in env_info.items() if k != "sizes")
    sizes = ", ".join(f"{k} {v}" for k, v in env_info.get("sizes", {}).items())
    RESULTS_MD.write_text(f"{table(rows)}\n\nEnvironment:\n{env_lines}\n- sizes: {sizes}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes for CI; targets reported, not enforced")
    parser.add_argument(
        "--only", default="api,inbound,webhooks,messages,signup,nodes", help="comma-separated scenario groups"
    )
    args = parser.parse_args(argv)
    sizes = config.QUICK if args.quick else config.FULL
    groups = set(args.only.split(","))

    env = config.load_env()
    if not env.is_postgres or not env.broker_url.startswith("redis"):
        log(
            "WARNING: the targets are meant for PostgreSQL and Redis (set DATABASE_URL and CELERY_BROKER_URL); "
            f"running on {env.database_url.split(':')[0]} and {env.broker_url.split(':')[0]} anyway"
        )
    # This process seeds and publishes through the ORM: same settings as the servers.
    os.environ.update(env.process_env())
    sys.path.insert(0, str(ROOT))

    procs = Processes(log_dir=BENCH_DIR / ".logs")

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    rows: list[dict] = []
    env_info: dict = {"mode": "quick" if sizes.quick else "full"}
    error = None
    started = time.monotonic()
    try:
        from bench import db

        log(f"database {env.database_url.rsplit('/', 1)[-1]} (migrate, flush, collectstatic)")
        db.prepare(env)
        import logging

        import django

        django.setup()
        logging.getLogger().setLevel(logging.WARNING)  # the servers log; this process reports
        from bench import scenarios
        from bench.seed import seed_all

        log(f"seeding {sizes.big_links:,} + {sizes.small_links:,} links, {sizes.history_events:,} delivered events")
        orgs, seed_seconds = seed_all(sizes.big_links, sizes.small_links, sizes.history_events)
        log(f"seeded in {seed_seconds:.1f} s")
        env_info = environment(env, sizes, seed_seconds)
        purge_queues(["bench", "bench-webhooks", "bench-inbound", "bench-messages"])

        start_gunicorn(procs, env)
        procs.start_sampler()
        log(f"gunicorn up on {env.base_url} ({env.gunicorn_workers} workers)")

        if "api" in groups:
            log("API scenarios (wrk)")
            from bench import api

            rows += api.api_scenarios(env.base_url, orgs, sizes)
            print(table(rows), flush=True)
        if "inbound" in groups:
            from bench import inbound

            log("inbound_ingest (wrk)")
            rows += inbound.ingest_scenario(env.base_url, procs, seconds=sizes.wrk_seconds)
            purge_queues(["bench-inbound"])  # the stored payloads' tasks: nothing to do (unknown phones)
            print(table(rows[-3:]), flush=True)

        if groups & {"webhooks", "signup", "inbound", "messages"}:
            # The completion worker's Graph calls go to Meta's side, a gunicorn of its own (as in
            # production, where Graph is Meta's): served by the bench's own web processes, each
            # sandbox call to set a phone's webhook holds a sync worker while Meta's verification
            # request waits for another, and signups arriving together left none free (the
            # verification timed out after 5 s; completions took 16 s).
            graph = start_meta_gunicorn(procs, env, "gunicorn-meta", threads=16)
            default_worker = start_default_worker(procs, env, META_GRAPH_BASE_URL=graph)
        if "inbound" in groups:
            # As the Procfile's `inbound` process: prefork, INBOUND_CONCURRENCY (2).
            concurrency = os.environ.get("BENCH_INBOUND_CONCURRENCY") or os.environ.get("INBOUND_CONCURRENCY") or "2"
            start_worker(procs, env, "inbound", "bench-inbound", ["--pool=prefork", f"--concurrency={concurrency}"])
        if groups & {"signup", "inbound"}:
            # Production's per-endpoint and per-organization limits (8 and 16).
            webhooks_worker = start_webhook_worker(procs, env)
            log("Celery workers ready")
        if "inbound" in groups:
            from bench import inbound

            receiver = start_receiver(procs, "inbound", 0.0)
            log(
                f"inbound_to_customer, webhook_isolation: {sizes.inbound_rate:g} messages/s"
                f" for {sizes.inbound_seconds:g} s"
            )
            rows += inbound.stream_scenarios(
                env.base_url,
                receiver,
                procs,
                customers=10,
                phones=50,
                rate=sizes.inbound_rate,
                seconds=sizes.inbound_seconds,
            )
            print(table(rows[-6:]), flush=True)
            # What the failing endpoints left queued (one task per event) is not the next rows' work.
            purge_queues(["bench-webhooks", "bench-inbound"])
        if "webhooks" in groups:
            if groups & {"signup", "inbound"}:
                procs.stop(webhooks_worker)
                procs.children.remove(webhooks_worker)
            # One endpoint may use the whole delivery pool: webhook_fanout_slow measures against
            # threads / 0.1 s.
            webhooks_worker = start_webhook_worker(
                procs,
                env,
                WEBHOOK_ENDPOINT_CONCURRENCY=str(env.webhook_concurrency),
                WEBHOOK_ORGANIZATION_CONCURRENCY=str(env.webhook_concurrency),
            )
            from organizations.models import Organization

            fanout_org = Organization.objects.create(name="Bench fan-out")
            fast = start_receiver(procs, "fast", 0.0)
            log(f"webhook_fanout_fast: {sizes.fast_deliveries} deliveries")
            rows.append(
                scenarios.fanout_scenario(
                    "webhook_fanout_fast",
                    organization=fanout_org,
                    receiver_url=fast,
                    count=sizes.fast_deliveries,
                    baseline_count=sizes.fast_deliveries,
                    target="ratio >= 0.5",
                    delay_ms=0,
                    warmup=max(20, sizes.fast_deliveries // 20),
                )
            )
            slow = start_receiver(procs, "slow", 0.1)
            log(f"webhook_fanout_slow: {sizes.slow_deliveries} deliveries at 100 ms")
            rows.append(
                scenarios.fanout_slow_scenario(
                    organization=fanout_org,
                    receiver_url=slow,
                    count=sizes.slow_deliveries,
                    threads=env.webhook_concurrency,
                    delay=0.1,
                )
            )
            print(table(rows[-2:]), flush=True)
        if "messages" in groups:
            from bench.messages import send_messages_rows

            rows += send_messages_rows(procs, env, sizes, graph)
            print(table(rows[-2:]), flush=True)
        if "signup" in groups:
            receiver = start_receiver(procs, "signups", 0.0)
            log(f"signup_completion: {sizes.signups} sandbox signups at {sizes.signup_rate:g}/s")
            rows += scenarios.signup_scenario(env.base_url, receiver, sizes)
            rows += signup_meta_latency(procs, env, receiver, sizes, default_worker)
        if "nodes" in groups:
            from bench.nodes import two_nodes_rows

            rows += two_nodes_rows(procs, env, sizes, orgs["small"])
            print(table(rows[-2:]), flush=True)
        procs.check_alive()
        procs.sample_once()
        rows += scenarios.memory_rows(procs.peaks)
    except HarnessError as exc:
        error = str(exc)
    except KeyboardInterrupt as exc:
        error = f"interrupted ({exc})"
    except Exception:  # noqa: BLE001 - any crash is a harness failure, reported with its traceback
        error = traceback.format_exc()
    finally:
        procs.stop_all()
    env_info["elapsed_s"] = round(time.monotonic() - started, 1)
    write_results(rows, env_info, error)
    print()
    print(table(rows))
    print(f"\nresults: {RESULTS_JSON.relative_to(ROOT)}, {RESULTS_MD.relative_to(ROOT)}; logs in bench/.logs/")
    if error:
        print(f"\nBENCH HARNESS ERROR: {error}", file=sys.stderr)
        return 2
    missed = [f"{r['name']} ({r['metric']})" for r in rows if not r["passed"]]
    if missed:
        print(f"\nTargets missed: {', '.join(missed)}" + (" (quick mode: reported only)" if sizes.quick else ""))
    return 1 if missed and not sizes.quick else 0


if __name__ == "__main__":
    sys.exit(main())
