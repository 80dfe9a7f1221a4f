"""The Prometheus source against a real Prometheus holding backfilled history and scraping a live exporter."""

from __future__ import annotations

import asyncio
import math

import pytest

from tests.fixtures import _prometheus_history as history
from tests.integration._prometheus_checks import check, sample_alone, source

pytestmark = pytest.mark.integration
NOW = history.NOW


def test_an_instant_query_gives_the_exact_backfilled_rate(prometheus_history):
    queries = {
        'sum(rate(http_requests_total{status="500",version="v1.2.3"}[5m]))':
            history.expected_rate(status="500", version="v1.2.3"),
        'sum(rate(http_requests_total{region="us-2",method="POST"}[10m]))':
            history.expected_rate(region="us-2", method="POST"),
        'sum(rate(http_requests_total[1m]))': history.expected_rate(),
    }
    for query, expected in queries.items():
        sample = sample_alone(prometheus_history.url, check(query))
        assert sample.error is None and not sample.no_data, sample
        assert sample.value == pytest.approx(expected, rel=1e-12), query
        assert sample.at == NOW


def test_an_error_ratio_in_percent_is_exact(prometheus_history):
    query = ('sum(rate(http_requests_total{status=~"5..",version="v1.2.3"}[5m]))'
             ' / sum(rate(http_requests_total{version="v1.2.3"}[5m])) * 100')
    errors = sum(history.expected_rate(status=s, version="v1.2.3") for s in ("500", "502", "503"))
    sample = sample_alone(prometheus_history.url, check(query))
    assert sample.value == pytest.approx(errors / history.expected_rate(version="v1.2.3") * 100, rel=1e-12)


@pytest.mark.parametrize("q,version", [(0.5, "v1.2.2"), (0.9, "v1.2.3"), (0.99, "v1.2.3")])
def test_a_quantile_of_the_backfilled_histogram_is_exact(prometheus_history, q, version):
    query = (f'histogram_quantile({q}, sum by (le) '
             f'(rate(http_request_duration_seconds_bucket{{version="{version}"}}[5m])))')
    sample = sample_alone(prometheus_history.url, check(query))
    assert sample.value == pytest.approx(history.expected_quantile(q, version), rel=1e-9)


def test_a_range_query_returns_every_backfilled_point(prometheus_history):
    async def run():
        src = source(prometheus_history.url)
        try:
            return await src.query_range('golive_inflight{region="eu-2"}', NOW - 600, NOW, 60)
        finally:
            await src.close()

    points = asyncio.run(run())
    expected = [(float(NOW - 600 + 60 * i), history.inflight("eu-2", history.STEPS - 40 + 4 * i)) for i in range(11)]
    assert points == expected


def test_a_range_query_over_several_series_says_to_aggregate(prometheus_history):
    from golive.checks.base import SourceError

    async def run():
        src = source(prometheus_history.url)
        try:
            await src.query_range("golive_inflight", NOW - 600, NOW, 60)
        finally:
            await src.close()

    with pytest.raises(SourceError, match="5 series returned; aggregate"):
        asyncio.run(run())


def test_a_live_exporter_gives_a_value_that_changes(prometheus_history):
    async def run():
        src = source(prometheus_history.url, at=None)  # the real clock: live data, not history
        seen: list[float] = []
        try:
            for _ in range(100):  # bounded: the exporter is scraped every second
                sample = await src.sample(check("max(golive_live_scrapes)"))
                if sample.value is not None:
                    seen.append(sample.value)
                if len(set(seen)) >= 2:
                    break
                await asyncio.sleep(0.2)
        finally:
            await src.close()
        return seen

    seen = asyncio.run(run())
    assert len(set(seen)) >= 2, f"the live gauge never changed: {seen}"
    assert seen == sorted(seen)


def test_an_empty_vector_is_no_data_not_zero(prometheus_history):
    for query in ('http_requests_total{status="999"}', "golive_retired_total", "sum(nothing_here)"):
        sample = sample_alone(prometheus_history.url, check(query, passes=">= 0"))
        assert sample.no_data and sample.value is None and sample.error is None, query


@pytest.mark.parametrize("query",
                         ["golive_nan_gauge", "golive_inf_gauge", "-golive_inf_gauge", "scalar(golive_nan_gauge)"])
def test_nan_and_infinity_are_no_data(prometheus_history, query):
    sample = sample_alone(prometheus_history.url, check(query, passes="< 1e300"))
    assert sample.no_data and sample.value is None, sample
    assert "NaN" in sample.detail or "Inf" in sample.detail


def test_several_series_are_an_error_that_says_to_aggregate(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("golive_replicas_ready"))
    assert sample.error == "3 series returned; aggregate with sum()/max() or set each = true"
    assert sample.value is None


def test_each_true_keeps_every_series_and_reports_the_worst(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("golive_replicas_ready", passes=">= 3", each=True))
    assert sample.error is None and sample.value == 2.0
    assert dict(sample.series) == {
        'golive_replicas_ready{deployment="gateway"}': 2.0,
        'golive_replicas_ready{deployment="ledger"}': 3.0,
        'golive_replicas_ready{deployment="payments-api"}': 4.0,
    }
    assert "gateway" in sample.detail
    upper = sample_alone(prometheus_history.url, check("golive_replicas_ready", passes="< 4", each=True))
    assert upper.value == 4.0


def test_each_true_with_a_nan_series_is_no_data(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("golive_queue_depth", passes="< 10", each=True))
    assert sample.no_data and sample.value is None
    assert 'queue="broken"' in sample.detail


def test_a_label_heavy_series_is_shown_with_its_labels(prometheus_history):
    pod = history.pod_labels(7)["pod"]
    sample = sample_alone(prometheus_history.url, check(f'kube_pod_info{{pod="{pod}"}}'))
    assert sample.value == 1.0
    assert sample.detail.startswith('kube_pod_info{created_by_kind="ReplicaSet",') and len(sample.detail) <= 300
    canary = sample_alone(prometheus_history.url, check('kube_pod_info{version="v1.2.3"}', passes="== 1", each=True))
    pods = [history.pod_labels(i)["pod"] for i in range(1, history.PODS, 2)]
    assert len(canary.series) == len(pods) and all(value == 1.0 for _, value in canary.series)
    assert all(any(f'pod="{pod}"' in label for label, _ in canary.series) for pod in pods)


def test_a_syntax_error_is_an_error_with_prometheus_reason(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("sum(rate(http_requests_total[5m])"))
    assert sample.error is not None and sample.error.startswith("Prometheus bad_data:")
    assert "\n" not in sample.error


def test_a_range_vector_check_is_an_error_not_a_value(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("golive_inflight[1m]"))
    assert sample.error == "query returns a matrix; a check needs an instant vector or a scalar"


def test_a_scalar_query_gives_its_value(prometheus_history):
    sample = sample_alone(prometheus_history.url, check("scalar(sum(golive_replicas_ready)) * 2"))
    assert sample.value == 18.0
    clock = sample_alone(prometheus_history.url, check("time()"))
    assert clock.value == float(NOW) and not math.isnan(clock.value)
