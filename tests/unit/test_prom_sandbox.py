"""The demo's Prometheus-API sandbox: its metrics by shape, batched queries, and no answer for the unknown."""

from __future__ import annotations

import pytest

from golive.sandbox.prom_api import UnknownQuery, recognise
from golive.sandbox.traffic import TrafficModel


def model(**kw) -> TrafficModel:
    clock = [1000.0]
    m = TrafficModel("checkout", "v1", "v2", clock=lambda: clock[0], started=1000.0, **kw)
    return m


def test_an_unknown_query_is_refused_so_nothing_unknown_looks_healthy():
    with pytest.raises(UnknownQuery):
        recognise(model(), "up")


def test_the_new_version_has_no_data_before_it_takes_traffic():
    m = model()
    m.record()
    q = ('sum(rate(http_requests_total{service="checkout",version="v2",code=~"5.."}[1m])) / '
         'sum(rate(http_requests_total{service="checkout",version="v2"}[1m])) * 100')
    assert recognise(m, q)(1000.0) is None


def test_the_same_moment_gives_the_same_value_for_instant_and_range_queries():
    m = model(weight_source=lambda: 0.5)
    m.record()
    q = ('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[1m]))) * '
         '1000')
    fn = recognise(m, q)
    assert fn(1010.0) == fn(1010.0) and 120 < fn(1010.0) < 250


def test_another_service_is_no_data():
    assert recognise(model(), 'sum(rate(http_requests_total{service="cart"}[1m]))')(1000.0) is None


def test_the_bad_canary_breaks_once_it_reaches_25_percent():
    stage = [5]
    clock = [1000.0]
    m = TrafficModel("checkout", "v1", "v2", scenario="bad-canary", clock=lambda: clock[0], started=1000.0,
                     weight_source=lambda: 0.2, stage_source=lambda: stage[0])
    m.record()
    assert m.error_ratio("v2", 1000.0) < 0.5
    stage[0] = 25
    m.record()
    clock[0] += 40
    m.record()
    assert m.error_ratio("v2", clock[0]) > 2


def test_the_sandbox_answers_the_seed_examples_exporter_metrics_and_nothing_else():
    soak = model(scenario="soak")
    t = soak.started + 10
    lag_ms = recognise(soak, 'max(pg_replication_lag_seconds{namespace="shop"}) * 1000')(t)
    assert 5 <= lag_ms <= 11
    assert 80 < recognise(soak, 'sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m]))'
                                 ' + sum(rate(redis_keyspace_misses_total[5m]))) * 100')(t) < 100
    assert recognise(soak, "sum(kafka_consumergroup_lag)")(t) < 1000
    with pytest.raises(UnknownQuery):
        recognise(soak, "sum(some_other_metric)")   # refused, never answered
