"""Pure parts of the Prometheus source: answers to Samples, batch composition, form bodies, secret scrubbing."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from golive.checks.http_transport import bare_url, scrub
from golive.checks.prometheus import _form_body
from golive.checks.prometheus.answer import MalformedAnswer, PrometheusError, QueryResult, parse_answer, to_sample
from golive.checks.prometheus.batch import TAG, compose, split
from golive.console.redact import shown_url
from golive.console.runbook import PrometheusCheck, PrometheusTrigger


def make(passes: str = "< 5", each: bool = True) -> PrometheusCheck:
    return PrometheusCheck.model_validate({"id": "c", "source": "prometheus", "query": "q", "pass": passes,
                                           "each": each})


SERIES = (('{a="1"}', 1.0), ('{a="2"}', 7.0), ('{a="3"}', 3.0))


@pytest.mark.parametrize("passes,worst", [("< 5", 7.0), ("<= 9", 7.0), ("> 2", 1.0), (">= 0", 1.0),
                                          ("== 3", 7.0), ("!= 7", 7.0), ("!= 100", 7.0)])
def test_each_true_reports_the_series_that_most_endangers_the_pass_threshold(passes, worst):
    sample = to_sample(make(passes), QueryResult(1.0, "vector", SERIES))
    assert sample.value == worst
    assert sample.series == tuple(sorted(SERIES))


def test_each_true_on_a_trigger_reports_the_series_furthest_into_firing():
    trigger = PrometheusTrigger.model_validate({"id": "t", "source": "prometheus", "query": "q", "fire": "< 2",
                                                "each": True})
    assert to_sample(trigger, QueryResult(1.0, "vector", SERIES)).value == 1.0


def test_a_result_is_never_zero_when_there_is_no_data():
    for result in (QueryResult(1.0, "vector", ()), QueryResult(1.0, "scalar", (("{}", float("nan")),)),
                   QueryResult(1.0, "vector", (("{}", float("-inf")),))):
        sample = to_sample(make(each=False), result)
        assert sample.no_data and sample.value is None and sample.error is None


def test_the_prometheus_error_shape_and_malformed_bodies_are_told_apart():
    with pytest.raises(PrometheusError, match="^bad_data: parse error$"):
        parse_answer(b'{"status":"error","errorType":"bad_data","error":"parse error"}')
    for body in (b"<html>", b"[]", b'{"status":"success","data":[]}'):
        with pytest.raises(MalformedAnswer):
            parse_answer(body)


def test_a_composed_batch_splits_back_into_its_queries_in_order():
    expression = compose([("up", False), ("time()", True), ("nothing # comment", False)])
    assert expression.count(" or ") == 2 and "vector(time()\n)" in expression and "# comment\n)" in expression
    data = {"resultType": "vector", "result": [
        {"metric": {TAG: "1"}, "value": [5, "5"]},
        {"metric": {"__name__": "up", "job": "a", TAG: "0"}, "value": [5, "1"]},
        {"metric": {"__name__": "up", "job": "b", TAG: "0"}, "value": [5, "0"]},
    ]}
    up, clock, nothing = split(data, [False, True, False], 5.0)
    assert up.series == (('up{job="a"}', 1.0), ('up{job="b"}', 0.0))
    assert clock.result_type == "scalar" and clock.series == (("{}", 5.0),)
    assert nothing.result_type == "vector" and nothing.series == ()
    with pytest.raises(MalformedAnswer):
        split({"resultType": "vector", "result": [{"metric": {}, "value": [5, "1"]}]}, [False], 5.0)


def test_form_bodies_encode_exactly_as_urlencode_does():
    fields = {"query": 'sum(rate(x{a="b c",d=~"5.."}[5m])) / 2 # é\n&=?+%', "time": "1700000000.0"}
    assert _form_body(fields).decode("ascii") == urlencode(fields)


def test_urls_are_shown_without_credentials_and_secrets_are_scrubbed():
    assert shown_url("https://user:pw@prom.example:9090/sub?x=1") == "https://prom.example:9090/sub"
    assert bare_url("http://user:pw@127.0.0.1:9090/") == "http://127.0.0.1:9090"
    assert scrub("token abc123 and\nabc123456", ("abc123", "abc123456")) == "token *** and ***"
