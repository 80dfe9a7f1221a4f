"""The payments world's Prometheus answers every query of examples/payments-canary.toml, within target when good."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.console.runbook import load_runbook
from golive.sandbox.demo_payments import NEW_VERSION, OLD_VERSION, SERVICE, PaymentsTraffic, argo_rollouts
from golive.sandbox.prom_api import UnknownQuery, recognise

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "payments-canary.toml"


def _model(weight: float) -> PaymentsTraffic:
    return PaymentsTraffic(SERVICE, OLD_VERSION, NEW_VERSION, weight_source=lambda: weight, clock=lambda: 1000.0,
                           started=0.0)


def _prometheus_checks():
    rb = load_runbook(EXAMPLE)
    return [c for _, c in rb.iter_checks() if c.source == "prometheus"]


def test_every_prometheus_query_of_the_payments_canary_is_answered_by_the_payments_world():
    model = _model(0.5)
    model.record()
    for check in _prometheus_checks():
        for query in filter(None, (check.query, getattr(check, "baseline", None))):
            assert recognise(model, query)(1000.0) is not None, check.id


@pytest.mark.parametrize("at", [1000.0 + i * 7.3 for i in range(40)])
def test_on_the_good_path_every_threshold_band_and_baseline_of_the_payments_canary_passes(at):
    model = _model(1.0)
    model.record()
    judged = 0
    for check in _prometheus_checks():
        if check.measure:   # judged over a window of values, not one
            continue
        value = recognise(model, check.query)(at)
        if check.baseline:
            # the stable version takes no traffic at 100 %: compare with it as the canary saw it, at half
            half = _model(0.5)
            half.record()
            ok = check.pass_.test(recognise(half, check.query)(at), recognise(half, check.baseline)(at))
        else:
            ok = check.pass_.test(value)
        assert ok, (check.id, value, str(check.pass_))
        judged += 1
    assert judged >= 15


def test_a_query_of_another_service_is_no_data_and_an_unknown_metric_is_refused():
    model = _model(1.0)
    assert recognise(model, 'sum(rate(http_requests_total{service="ledger",status=~"5.."}[5m])) / 1')(1.0) is None
    with pytest.raises(UnknownQuery):
        recognise(model, 'sum(payments_unknown_metric{service="payments-cache"})')


def test_the_argo_rollouts_stand_in_refuses_what_it_cannot_do_with_one_line(capsys):
    assert argo_rollouts("http://127.0.0.1:9", "img:new", "img:old", ["pause", "payments-api"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
