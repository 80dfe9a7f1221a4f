"""The Alertmanager source against a real Alertmanager: alerts posted, matched, named, resolved; faults."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from golive.checks.alertmanager import create
from golive.checks.base import Sample
from golive.console.runbook import AlertmanagerCheck, AlertmanagerTarget
from tests.fixtures._fault_servers import AuthGate, CannedServer, SilentServer

pytestmark = pytest.mark.integration
TOKEN = "am-5ecret-t0ken-9c2"


def am_check(*matchers: str, passes: str | None = None, timeout: float = 10.0,
             check_id: str = "alerts") -> AlertmanagerCheck:
    data = {"id": check_id, "source": "alertmanager", "matchers": list(matchers), "timeout": timeout}
    if passes is not None:
        data["pass"] = passes
    return AlertmanagerCheck.model_validate(data)


def sample_all(url: str, checks: list, log: list | None = None, **target) -> list[Sample]:
    async def run():
        src = create("main", AlertmanagerTarget(url=url, **target),
                     on_log=(lambda level, text: log.append((level, text))) if log is not None else None)
        try:
            return [await src.sample(c) for c in checks]
        finally:
            await src.close()

    return asyncio.run(run())


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def test_posted_alerts_are_counted_named_and_clear_when_resolved(alertmanager):
    name = unique("HighErrorRate")
    c = am_check(f'alertname="{name}"')
    assert sample_all(alertmanager.url, [c])[0].value == 0.0

    labels = {"alertname": name, "severity": "critical", "service": "payments-api"}
    alertmanager.fire(labels)
    firing = sample_all(alertmanager.url, [c])[0]
    assert firing.value == 1.0 and firing.ok is False
    assert firing.detail == f'firing: {name}{{service="payments-api", severity="critical"}}'

    alertmanager.resolve(labels)
    cleared = sample_all(alertmanager.url, [c])[0]
    assert cleared.value == 0.0 and cleared.ok is True and cleared.error is None


def test_regex_matchers_select_only_their_alerts(alertmanager):
    name = unique("Latency")
    for severity in ("critical", "crit-page", "warning"):
        alertmanager.fire({"alertname": name, "severity": severity})
    critical = sample_all(alertmanager.url, [am_check(f'alertname="{name}"', 'severity=~"crit.*"')])[0]
    every = sample_all(alertmanager.url, [am_check(f'alertname="{name}"')])[0]
    assert critical.value == 2.0 and "warning" not in critical.detail
    assert every.value == 3.0


def test_a_pass_threshold_leaves_the_verdict_to_the_engine(alertmanager):
    name = unique("Tolerated")
    alertmanager.fire({"alertname": name})
    sample = sample_all(alertmanager.url, [am_check(f'alertname="{name}"', passes="<= 1")])[0]
    assert sample.value == 1.0 and sample.ok is None


def test_each_newly_firing_alert_is_logged_once(alertmanager):
    name = unique("DiskFull")
    labels = {"alertname": name, "instance": "db-1"}
    alertmanager.fire(labels)
    log: list = []
    checks = [am_check(f'alertname="{name}"', check_id="a"), am_check(f'alertname="{name}"', check_id="b")]
    sample_all(alertmanager.url, checks * 3, log)
    assert log == [("warning", f'alert firing: {name} {{instance="db-1"}}')]


def test_a_silenced_alert_is_not_counted(alertmanager):
    import json
    import time
    import urllib.request

    from tests.fixtures._prometheus_server import iso

    name = unique("Silenced")
    alertmanager.fire({"alertname": name})
    silence = {"matchers": [{"name": "alertname", "value": name, "isRegex": False}], "startsAt": iso(time.time() - 1),
               "endsAt": iso(time.time() + 3600), "createdBy": "golive-test", "comment": "maintenance"}
    request = urllib.request.Request(f"{alertmanager.url}/api/v2/silences", data=json.dumps(silence).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    c = am_check(f'alertname="{name}"')
    for _ in range(50):  # the silence applies when Alertmanager next evaluates the alert; bounded wait
        sample = sample_all(alertmanager.url, [c])[0]
        if sample.value == 0.0:
            break
        time.sleep(0.1)
    assert sample.value == 0.0


def test_a_bad_matcher_is_an_error_with_alertmanager_reason(alertmanager):
    sample = sample_all(alertmanager.url, [am_check("alertname=~(")])[0]
    assert sample.error and sample.error.startswith("Alertmanager refused the matchers")
    assert sample.value is None and "\n" not in sample.error


def test_a_stopped_alertmanager_is_an_error_then_values_again(alertmanager):
    c = am_check('alertname="Nothing"')
    alertmanager.process.stop()
    try:
        down = sample_all(alertmanager.url, [c])[0]
    finally:
        alertmanager.process.start()
    assert down.error == f"cannot connect to {alertmanager.url}: connection refused"
    assert sample_all(alertmanager.url, [c])[0].value == 0.0


@pytest.mark.parametrize("status,body",
                         [(500, b"boom"), (200, b"{not json"), (200, b'{"alerts": []}'), (200, b'[1, 2]')])
def test_http_errors_and_malformed_answers_are_errors(status, body):
    with CannedServer(status, body) as server:
        sample = sample_all(server.url, [am_check()])[0]
    assert sample.error and sample.value is None and sample.ok is None
    assert "\n" not in sample.error


def test_silence_times_out_with_the_checks_own_timeout():
    with SilentServer() as server:
        sample = sample_all(server.url, [am_check(timeout=0.3)])[0]
    assert sample.error == f"no answer from {server.url} within 300ms"


def test_wrong_credentials_are_refused_without_showing_them(alertmanager, monkeypatch):
    monkeypatch.setenv("GOLIVE_AM_TOKEN", TOKEN)
    with AuthGate(alertmanager.url, token="the-right-one") as gate:
        bad = sample_all(gate.url, [am_check()], bearer_token_env="GOLIVE_AM_TOKEN")[0]
        bad_url = sample_all(gate.url.replace("http://", f"http://ops:{TOKEN}@"), [am_check("x=(")])[0]
    assert bad.error == f"HTTP 401 Unauthorized from {gate.url} (credentials refused)"
    with AuthGate(alertmanager.url, token=TOKEN) as gate:
        good = sample_all(gate.url, [am_check('alertname="Nothing"')], bearer_token_env="GOLIVE_AM_TOKEN")[0]
    assert good.value == 0.0
    for sample in (bad, bad_url):
        assert sample.error and TOKEN not in repr(sample)
