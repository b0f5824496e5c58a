"""The processes of a bench run: gunicorn as in production, Celery workers per queue, receivers,
and the sandbox's Graph API served apart (Meta's side) for signup_meta_latency."""

import os
import time
from pathlib import Path

from bench import config
from bench.config import PYTHON, ROOT, Sizes
from bench.procs import HarnessError, Processes


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def start_gunicorn(procs: Processes, env: config.BenchEnv, name: str = "gunicorn"):
    """A web node on `env.port` (two_nodes starts a second one on a port of its own)."""
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    child = procs.start(
        name,
        [
            gunicorn,
            "onboarding_project.wsgi:application",
            "--bind",
            f"127.0.0.1:{env.port}",
            "--workers",
            str(env.gunicorn_workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        env=env.process_env(BENCH_BASELINE_VIEW="1"),
        cwd=ROOT,
        role="gunicorn",
    )
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        procs.check_alive()
        try:
            if requests.get(f"{env.base_url}/v1/_bench/constant", timeout=2).status_code == 200:
                return child
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise HarnessError("gunicorn did not answer within 60 s")


def start_worker(procs: Processes, env: config.BenchEnv, name: str, queue: str, pool_args: list[str], **settings: str):
    child = procs.start(
        f"celery-{name}",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "onboarding_project",
            "worker",
            "-Q",
            queue,
            "-n",
            f"bench-{name}-{os.getpid()}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *pool_args,
        ],
        env=env.process_env(**settings),
        cwd=ROOT,
        role="celery",
    )
    procs.wait_for_log(child, " ready.", timeout=60)
    return child


def start_default_worker(procs: Processes, env: config.BenchEnv, **settings: str):
    return start_worker(
        procs, env, "default", "bench", ["--pool=threads", f"--concurrency={env.default_concurrency}"], **settings
    )


def stop_named(procs: Processes, *prefixes: str) -> None:
    """Stop the bench's running processes whose names start with one of these."""
    for child in [c for c in procs.children if c.name.startswith(prefixes)]:
        procs.stop(child)
        procs.children.remove(child)


def signup_meta_latency(procs: Processes, env: config.BenchEnv, receiver: str, sizes: Sizes, default_worker) -> list:
    """signup_completion again, with Meta's latency: the sandbox's Graph API served by a gunicorn
    of its own (Meta's side: threads, so that waiting costs no worker) adding 300 ms to every call
    (SANDBOX_GRAPH_LATENCY_MS), and the completion worker pointed at it."""
    from bench import scenarios

    # The earlier rows' Meta side and messages worker are done: stopped, so that their database
    # connections leave room for this Meta side's 64 threads (the server allows 100).
    stop_named(procs, "gunicorn-meta", "celery-messages")
    meta_url = start_meta_gunicorn(procs, env, "gunicorn-meta-latency", SANDBOX_GRAPH_LATENCY_MS="300")
    procs.stop(default_worker)
    procs.children.remove(default_worker)
    start_default_worker(procs, env, META_GRAPH_BASE_URL=meta_url)
    count = 50 if not sizes.quick else sizes.signups
    log(f"signup_meta_latency: {count} sandbox signups at {sizes.signup_rate:g}/s, Graph answering in 300 ms")
    return scenarios.signup_scenario(
        env.base_url,
        receiver,
        sizes,
        name="signup_meta_latency",
        count=count,
        targets=(2.0, 2.5),
        details_extra={"graph_latency_ms": 300},
    )


def start_meta_gunicorn(
    procs: Processes, env: config.BenchEnv, name: str, *, threads: int = 64, **settings: str
) -> str:
    """Meta's side: the sandbox's Graph API served by a gunicorn of its own (threads, so that
    waiting costs no worker), on the same database; its status webhooks go to the service
    (`PUBLIC_BASE_URL`). Returns its Graph base URL (`META_GRAPH_BASE_URL`). Each thread may keep
    a database connection: the server allows 100 in all."""
    port = config.free_port()
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    meta = procs.start(
        name,
        [
            gunicorn,
            "onboarding_project.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
        ],
        env=env.process_env(**settings),
        cwd=ROOT,
    )
    procs.wait_for_log(meta, "Booting worker", timeout=60)
    return f"http://127.0.0.1:{port}/_sandbox/graph"


def start_webhook_worker(procs: Processes, env: config.BenchEnv, **settings: str):
    return start_worker(
        procs,
        env,
        "webhooks",
        "bench-webhooks",
        ["--pool=threads", f"--concurrency={env.webhook_concurrency}"],
        **settings,
    )


def start_receiver(procs: Processes, name: str, delay: float) -> str:
    port = config.free_port()
    child = procs.start(
        f"receiver-{name}",
        [PYTHON, "-m", "bench.receiver", "--port", str(port), "--delay", str(delay)],
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        cwd=ROOT,
    )
    procs.wait_for_log(child, "listening", timeout=20)
    return f"http://127.0.0.1:{port}"
