"""The HTTP check's conditions on their own: JSON paths, TLS versions, certificate days, latency."""

from __future__ import annotations

import json

import pytest

from golive.checks.http_conditions import (
    Unmeasurable,
    certificate_days_left,
    certificate_problem,
    json_problem,
    latency_problem,
    status_problem,
    tls_problem,
)
from golive.console.units import Threshold


def body(data) -> bytes:
    return json.dumps(data).encode()


def test_a_dotted_path_walks_objects_and_list_indexes():
    document = body({"checks": {"db": "up"}, "nodes": [{"name": "a"}, {"name": "b"}]})
    assert json_problem(document, {"checks.db": "up", "nodes.1.name": "b"}) is None
    assert json_problem(document, {"nodes.2.name": "c"}) == "field nodes.2.name missing"


def test_json_true_is_not_equal_to_the_number_one():
    assert json_problem(body({"ready": 1}), {"ready": True}) == "field ready is 1, expected true"
    assert json_problem(body({"ready": True}), {"ready": 1}) == "field ready is true, expected 1"


def test_a_body_that_is_not_json_cannot_be_judged():
    with pytest.raises(Unmeasurable, match="^response is not JSON: "):
        json_problem(b"<html>maintenance</html>", {"status": "ok"})


def test_tls_versions_compare_by_order_not_by_text():
    assert tls_problem("TLSv1.3", "1.2") is None
    assert tls_problem("TLSv1.2", "1.3") == "TLSv1.2 negotiated, needs TLS 1.3 or later"
    assert tls_problem(None, "1.2") == "not TLS (plain http), needs TLS 1.2 or later"


def test_certificate_days_are_judged_by_the_threshold_with_expired_ones_said_so():
    needs = Threshold.parse("> 14")
    assert certificate_problem(30.0, needs) is None
    assert certificate_problem(3.24, needs) == "certificate expires in 3.2 days (needs > 14)"
    assert certificate_problem(-1.5, needs) == "certificate expired 1.5 days ago (needs > 14)"


def test_certificate_days_without_tls_cannot_be_measured():
    with pytest.raises(Unmeasurable, match="^cert_days needs an https URL"):
        certificate_days_left(None, 0.0)


def test_latency_over_the_limit_is_reported_in_milliseconds():
    assert latency_problem(0.8124, 0.5) == "latency 812 ms > 500 ms"
    assert latency_problem(0.2, 0.5) is None


def test_refused_credentials_are_named_as_such_unless_the_runbook_expects_them():
    assert status_problem(401, 200) == "status 401 (credentials refused), expected 200"
    assert status_problem(500, 200) == "status 500, expected 200"
    assert status_problem(403, 403) is None
