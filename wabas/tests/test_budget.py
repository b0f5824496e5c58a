"""The per-WABA Graph budget (a counter in the cache) and Meta's waits."""

from meta.graph import GraphPermanentError, GraphTransientError
from wabas import graph_budget


def test_the_budget_allows_the_configured_calls_per_hour(settings):
    settings.META_GRAPH_CALLS_PER_WABA_PER_HOUR = 3
    assert [graph_budget.take("111") for _ in range(5)] == [True, True, True, False, False]
    assert graph_budget.remaining("111") == 0
    assert graph_budget.take("222")  # budgets are per WABA


def test_a_reserve_leaves_calls_for_api_reads(settings):
    settings.META_GRAPH_CALLS_PER_WABA_PER_HOUR = 5
    assert [graph_budget.take("333", reserve=3) for _ in range(3)] == [True, True, False]
    assert graph_budget.take("333") and graph_budget.take("333") and graph_budget.take("333")
    assert not graph_budget.take("333")


def test_the_default_budget_is_well_under_metas_200_per_hour():
    assert graph_budget.calls_per_hour() <= 100


def test_retry_after_closes_the_budget_for_that_long():
    graph_budget.note_failure("444", GraphTransientError("throttled", code=80008, retry_after=7))
    assert graph_budget.backing_off("444")
    assert not graph_budget.take("444")


def test_permanent_errors_do_not_close_the_budget():
    graph_budget.note_failure("555", GraphPermanentError("bad", code=100))
    assert graph_budget.take("555")
