"""Rows compared with one another are measured interleaved (1 2 3 3 2 1), so that a machine whose
speed drifts between minutes weighs on every figure of a ratio alike."""

from bench.load import WrkResult, interleaved


def result(url: str, requests: int, seconds: float, p99_ms: float) -> WrkResult:
    return WrkResult(
        url=url,
        connections=16,
        seconds=seconds,
        requests=requests,
        rps=requests / seconds,
        p50_ms=p99_ms / 2,
        p90_ms=p99_ms / 1.5,
        p99_ms=p99_ms,
        mean_ms=p99_ms / 2,
        errors={},
    )


def test_runs_go_out_and_back_in_halves_and_each_is_its_two_halves_merged():
    calls: list[tuple[str, int]] = []

    def run(name: str, rps: int, p99_ms: float):
        def measure(seconds: int) -> WrkResult:
            calls.append((name, seconds))
            # The second half of each run is slower: the machine drifted.
            slower = sum(1 for called, _ in calls if called == name) == 2
            return result(name, (rps // 2 if slower else rps) * seconds, seconds, p99_ms * (2 if slower else 1))

        return measure

    runs = [run("endpoint", 100, 10), run("peer", 40, 20), run("constant", 1000, 1)]

    endpoint, peer, constant = interleaved(runs, 15)

    assert calls == [("endpoint", 7), ("peer", 7), ("constant", 7), ("constant", 7), ("peer", 7), ("endpoint", 7)]
    assert (endpoint.url, peer.url, constant.url) == ("endpoint", "peer", "constant")
    assert (endpoint.requests, endpoint.seconds, endpoint.rps) == (1050, 14, 75)
    assert constant.rps == 750
    assert endpoint.p99_ms == 20  # the worse half's


def test_a_short_run_still_gets_two_seconds_a_half():
    seen: list[int] = []

    def measure(seconds: int) -> WrkResult:
        seen.append(seconds)
        return result("one", 10, seconds, 1)

    interleaved([measure], 3)

    assert seen == [2, 2]
