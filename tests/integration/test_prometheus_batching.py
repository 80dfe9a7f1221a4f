"""Batched and shared queries give exactly the per-check results of queries run alone, on a real Prometheus."""

from __future__ import annotations

import asyncio

import pytest

from tests.fixtures import _prometheus_history as history
from tests.integration._prometheus_checks import check, sample_alone, source

pytestmark = pytest.mark.integration

POD = history.pod_labels(3)["pod"]
# (query, pass, each): scalars, vectors, empty, NaN, Inf, multi-series, label-heavy,
# errors of syntax, of execution and of type, comments, and one query seen with both each settings
VARIED = [
    ('sum(rate(http_requests_total{status="500",version="v1.2.3"}[5m]))', "< 1", False),
    ('sum(rate(http_requests_total{status=~"5..",region="eu-1"}[2m])) / '
     'sum(rate(http_requests_total{region="eu-1"}[2m])) * 100', "< 0.5", False),
    ('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="v1.2.3"}[5m])))',
     "< 0.5", False),
    ("time()", "> 0", False),
    ("scalar(sum(golive_replicas_ready))", ">= 9", False),
    ("42", "== 42", False),
    ("scalar(golive_nan_gauge)", "< 1", False),
    ("golive_nan_gauge", "< 1", False),
    ("golive_inf_gauge", "< 1", False),
    ('http_requests_total{status="999"}', "< 1", False),
    ("golive_retired_total", "< 1", False),
    ("golive_replicas_ready", ">= 3", False),
    ("golive_replicas_ready", ">= 3", True),
    ("golive_queue_depth", "< 5", True),
    ('golive_queue_depth{queue!="broken"}', "< 5", True),
    ('kube_pod_info{version="v1.2.2"}', "== 1", True),
    (f'kube_pod_info{{pod="{POD}"}}', "== 1", False),
    ("sum by (region) (rate(http_requests_total[5m]))", "> 10", True),
    ('golive_queue_depth{queue="orders"}  # a trailing comment', "< 10", False),
    ("sum(rate(http_requests_total[5m])", "< 1", False),
    ("http_requests_total / on() group_left golive_replicas_ready", "< 1", True),
    ("golive_inflight[1m]", "< 1", False),
    ('"a string"', "< 1", False),
    ('max(kube_pod_container_restarts_total{namespace="payments"})', "< 3", False),
    ("count(kube_pod_info) by (region)", "> 0", True),
    ("vector(0)", "== 0", False),
    ("-1 * sum(golive_inflight)", "< 0", False),
]


def _checks() -> list:
    return [check(q, passes=p, each=e, check_id=f"c{i}") for i, (q, p, e) in enumerate(VARIED)]


def test_batched_queries_give_exactly_the_results_of_queries_run_alone(prometheus_history):
    checks = _checks()
    alone = [sample_alone(prometheus_history.url, c) for c in checks]

    async def together():
        src = source(prometheus_history.url)
        try:
            rounds = []
            for _ in range(3):  # the first round learns which queries are scalars; later ones batch them too
                before = src.requests_sent
                samples = await asyncio.gather(*(src.sample(c) for c in checks))
                rounds.append((list(samples), src.requests_sent - before))
            return rounds
        finally:
            await src.close()

    rounds = asyncio.run(together())
    for samples, _requests in rounds:
        for c, one, batched in zip(checks, alone, samples, strict=True):
            assert batched == one, c.query
    # the queries that can share a request did: far fewer requests than checks
    lone = sum(1 for s in alone if s.error
               and ("bad_data" in s.error or "execution" in s.error or "returns a" in s.error))
    assert rounds[-1][1] <= lone + 8 < len(checks)
    # and the comparison was not vacuous: values, no data, errors and per-series results all occur
    assert any(s.value is not None for s in alone) and any(s.no_data for s in alone)
    assert any(s.error for s in alone) and any(len(s.series) > 1 for s in alone)


def test_identical_queries_waiting_together_share_one_request(prometheus_history):
    query = 'sum(rate(http_requests_total{region="ap-1"}[5m]))'
    checks = [check(query, check_id=f"same{i}") for i in range(20)]

    async def run():
        src = source(prometheus_history.url)
        try:
            samples = await asyncio.gather(*(src.sample(c) for c in checks))
            return samples, src.requests_sent
        finally:
            await src.close()

    samples, requests = asyncio.run(run())
    assert requests == 1
    assert [s.check_id for s in samples] == [c.id for c in checks]
    assert {s.value for s in samples} == {history.expected_rate(region="ap-1")}


def test_a_failing_query_in_a_batch_lands_on_its_own_check_only(prometheus_history):
    good = [check(f'sum(rate(http_requests_total{{status="{s}"}}[5m]))', check_id=f"ok{s}")
            for s in history.STATUS_RATE]
    bad = check("sum(rate(http_requests_total[5m])", check_id="broken")

    async def run():
        src = source(prometheus_history.url)
        try:
            return await asyncio.gather(*(src.sample(c) for c in [*good[:5], bad, *good[5:]]))
        finally:
            await src.close()

    samples = asyncio.run(run())
    by_id = {s.check_id: s for s in samples}
    assert by_id["broken"].error.startswith("Prometheus bad_data:")
    for status in history.STATUS_RATE:
        assert by_id[f"ok{status}"].value == pytest.approx(history.expected_rate(status=status), rel=1e-12)


def test_many_distinct_queries_in_one_cycle_each_get_their_exact_value(prometheus_history):
    combos = [(s, r) for s in history.STATUS_RATE for r in history.REGION_FACTOR]
    checks = [check(f'sum(rate(http_requests_total{{status="{s}",region="{r}"}}[5m]))', check_id=f"{s}-{r}")
              for s, r in combos]

    async def run():
        src = source(prometheus_history.url)
        try:
            samples = await asyncio.gather(*(src.sample(c) for c in checks))
            return samples, src.requests_sent
        finally:
            await src.close()

    samples, requests = asyncio.run(run())
    assert requests < len(checks) // 4
    for (status, region), sample in zip(combos, samples, strict=True):
        assert sample.value == pytest.approx(history.expected_rate(status=status, region=region), rel=1e-12)
