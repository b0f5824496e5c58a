"""wrk, driven from its own process: throughput and latency percentiles of one URL."""

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.config import BENCH_DIR
from bench.procs import HarnessError

WRK = os.environ.get("BENCH_WRK", "wrk")
WRK_DIR = BENCH_DIR / "wrk"


@dataclass(frozen=True)
class WrkResult:
    url: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    errors: dict

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "connections": self.connections,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "mean_ms": round(self.mean_ms, 2),
            "errors": self.errors,
        }


def wrk_version() -> str:
    try:
        out = subprocess.run([WRK, "--version"], capture_output=True, text=True, timeout=10)  # noqa: S603 - the configured wrk
    except FileNotFoundError:
        raise HarnessError("wrk is not installed (Debian: apt-get install wrk)") from None
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
    key: str = "",
    body: dict | None = None,
    requests_file: Path | None = None,
    warmup: bool = False,
) -> WrkResult:
    """`body`: POST it (JSON) on every request; `requests_file`: POST the prepared, signed bodies
    in turn (bench/wrk/signed.lua); neither: GET. `warmup`: a run that only warms the servers, which
    may end before its first answer on a loaded machine (nothing is measured from it)."""
    threads = max(1, min(threads, connections))
    env = dict(os.environ, BENCH_WRK_DIR=str(WRK_DIR), BENCH_API_KEY=key)
    script = WRK_DIR / ("post.lua" if body is not None else "signed.lua" if requests_file else "get.lua")
    if requests_file is not None:
        env["BENCH_REQUESTS_FILE"] = str(requests_file)
    body_file = None
    if body is not None:
        body_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        json.dump(body, body_file)
        body_file.close()
        env["BENCH_BODY_FILE"] = body_file.name
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603 - our own command line
    finally:
        if body_file is not None:
            Path(body_file.name).unlink(missing_ok=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise HarnessError(f"wrk failed ({out.returncode}): {out.stdout[-1500:]} {out.stderr[-1500:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    duration = data["duration_us"] / 1e6
    lat = data["latency_us"]
    errors = {k: v for k, v in data["errors"].items() if v}
    if data["requests"] == 0 and not warmup:
        raise HarnessError(f"wrk made no request to {url}: {out.stdout[-1500:]}")
    if errors.get("status") or errors.get("connect"):
        raise HarnessError(f"wrk got errors from {url}: {errors} (a bench run must answer 2xx only)")
    return WrkResult(
        url=url,
        connections=connections,
        seconds=duration,
        requests=data["requests"],
        rps=data["requests"] / duration,
        p50_ms=lat["p50"] / 1000,
        p90_ms=lat["p90"] / 1000,
        p99_ms=lat["p99"] / 1000,
        mean_ms=lat["mean"] / 1000,
        errors=errors,
    )


def interleaved(runs: list[Callable[[int], WrkResult]], seconds: int) -> list[WrkResult]:
    """Runs that are compared with one another, each for `seconds` in two halves, in the order
    1 2 ... n n ... 2 1: a machine whose speed drifts during the runs weighs on all of them alike
    (this machine's constant-JSON throughput moved by a third within minutes). Each run is called
    with its half's seconds; the results are each run's two halves merged, in the order given."""
    half = max(2, seconds // 2)  # a 1 s half can end before its first answer on a loaded machine
    first = [run(half) for run in runs]
    second = [run(half) for run in reversed(runs)][::-1]
    return [merged(one, two) for one, two in zip(first, second, strict=True)]


def merged(one: WrkResult, two: WrkResult) -> WrkResult:
    """Two runs as one: requests over the summed time; latency percentiles of the worse run."""
    worse = max(one, two, key=lambda r: r.p99_ms)
    seconds = one.seconds + two.seconds
    return WrkResult(
        url=one.url,
        connections=one.connections,
        seconds=seconds,
        requests=one.requests + two.requests,
        rps=(one.requests + two.requests) / seconds,
        p50_ms=max(one.p50_ms, two.p50_ms),
        p90_ms=max(one.p90_ms, two.p90_ms),
        p99_ms=worse.p99_ms,
        mean_ms=(one.mean_ms * one.requests + two.mean_ms * two.requests) / max(1, one.requests + two.requests),
        errors={k: one.errors.get(k, 0) + two.errors.get(k, 0) for k in {*one.errors, *two.errors}},
    )
