"""Faults never become values: a stopped server, HTTP 500, silence, broken JSON, refused credentials.

Every fault is an ERROR with one line, nothing raises, and no planted secret appears
in any text a Sample carries.
"""

from __future__ import annotations

import asyncio
import base64

import pytest

from golive.checks.base import Sample, SourceError
from tests.fixtures._fault_servers import AuthGate, CannedServer, EchoServer, SilentServer
from tests.integration._prometheus_checks import check, sample_alone, source

pytestmark = pytest.mark.integration

TOKEN = "tok-5ecret-b3arer-7f1e9"
PASSWORD = "pw-hunter2-5ecret-41d0"
QUERY = 'sum(rate(http_requests_total{status="500"}[5m]))'


def _assert_error(sample: Sample) -> None:
    assert isinstance(sample, Sample)
    assert sample.error and sample.value is None and sample.ok is None
    assert "\n" not in sample.error and len(sample.error) <= 300


def _text(sample: Sample) -> str:
    return " ".join([sample.error or "", sample.detail, repr(sample.series), repr(sample)])


def test_a_stopped_server_is_an_error_and_a_restarted_one_gives_values_again(spare_prometheus):
    c = check("vector(42)")

    async def run():
        src = source(spare_prometheus.url)
        try:
            before = await src.sample(c)
            spare_prometheus.stop()
            during = await src.sample(c)
            spare_prometheus.start()  # the same port, the same pooled client
            after = await src.sample(c)
            return before, during, after
        finally:
            await src.close()

    before, during, after = asyncio.run(run())
    assert before.value == 42.0
    _assert_error(during)
    assert during.error == f"cannot connect to {spare_prometheus.url}: connection refused"
    assert after.value == 42.0 and after.error is None


def test_http_500_is_an_error_with_one_line():
    with CannedServer(500, b"<html>\n<body>boom</body>\n</html>", "text/html") as server:
        sample = sample_alone(server.url, check(QUERY))
    _assert_error(sample)
    assert sample.error == f"HTTP 500 Internal Server Error from {server.url}"


def test_a_prometheus_error_answer_shows_its_type_and_reason():
    body = b'{"status":"error","errorType":"execution","error":"query processing would load too many samples"}'
    with CannedServer(422, body) as server:
        sample = sample_alone(server.url, check(QUERY))
    assert sample.error == "Prometheus execution: query processing would load too many samples"


def test_a_server_that_never_answers_times_out_with_the_checks_own_timeout():
    with SilentServer() as server:
        sample = sample_alone(server.url, check(QUERY, timeout=0.3))
    _assert_error(sample)
    assert sample.error == f"no answer from {server.url} within 300ms"


@pytest.mark.parametrize("body", [
    b"{not json",
    b"",
    b'"just a string"',
    b'{"status":"success"}',
    b'{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}',
    b'{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}',
    b'{"status":"success","data":{"resultType":"pie","result":[]}}',
])
def test_a_malformed_answer_is_an_error_not_a_value(body):
    with CannedServer(200, body) as server:
        sample = sample_alone(server.url, check(QUERY))
    _assert_error(sample)
    assert sample.error.startswith(f"malformed answer from {server.url}")


def test_malformed_answers_to_a_batch_fail_every_check_of_it():
    with CannedServer(200, b"{not json") as server:
        async def run():
            src = source(server.url)
            try:
                return await asyncio.gather(*(src.sample(check(f"vector({i})", check_id=f"c{i}")) for i in range(10)))
            finally:
                await src.close()

        samples = asyncio.run(run())
    for sample in samples:
        _assert_error(sample)


def test_the_right_bearer_token_passes_the_gate_and_a_wrong_one_is_refused(prometheus_history, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("GOLIVE_WRONG_TOKEN", TOKEN + "-old")
    with AuthGate(prometheus_history.url, token=TOKEN) as gate:
        good = sample_alone(gate.url, check(QUERY), bearer_token_env="GOLIVE_TEST_TOKEN")
        bad = sample_alone(gate.url, check(QUERY), bearer_token_env="GOLIVE_WRONG_TOKEN")
    assert good.error is None and good.value is not None
    _assert_error(bad)
    assert bad.error == f"HTTP 401 Unauthorized from {gate.url} (credentials refused)"
    assert TOKEN not in _text(bad)


def test_basic_auth_from_a_file_passes_the_gate_and_a_wrong_password_is_refused(prometheus_history, tmp_path,
                                                                                monkeypatch):
    good_file = tmp_path / "password"
    good_file.write_text(PASSWORD + "\n")
    monkeypatch.setenv("GOLIVE_TEST_PASSWORD", PASSWORD + "x")
    with AuthGate(prometheus_history.url, user="golive", password=PASSWORD) as gate:
        good = sample_alone(gate.url, check(QUERY), username="golive", password_file=str(good_file))
        bad = sample_alone(gate.url, check(QUERY), username="golive", password_env="GOLIVE_TEST_PASSWORD")
    assert good.value is not None
    _assert_error(bad)
    assert "credentials refused" in bad.error


def test_no_secret_appears_in_any_sample_text(prometheus_history, spare_prometheus, tmp_path, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("GOLIVE_TEST_PASSWORD", PASSWORD)
    basic = base64.b64encode(f"golive:{PASSWORD}".encode()).decode()
    secrets = (TOKEN, PASSWORD, basic)
    auths = [{"bearer_token_env": "GOLIVE_TEST_TOKEN"},
             {"username": "golive", "password_env": "GOLIVE_TEST_PASSWORD"},
             {"headers_env": {"X-Scope-OrgID": "GOLIVE_TEST_TOKEN"}}]
    samples: list[Sample] = []
    with AuthGate(prometheus_history.url, token="another-token") as gate, SilentServer() as silent, \
            CannedServer(500, f"oops {TOKEN} {PASSWORD}".encode(), "text/plain") as failing, \
            EchoServer() as echo:
        spare_prometheus.stop()
        urls = [gate.url, silent.url, failing.url, echo.url, spare_prometheus.url,
                f"http://golive:{PASSWORD}@{gate.url.removeprefix('http://')}"]
        for url in urls:
            for extra in auths:
                if "@" in url and "headers_env" not in extra:  # a password in the URL excludes other auth
                    continue
                samples.append(sample_alone(url, check(QUERY, timeout=0.3), **extra))
                samples.append(sample_alone(url, check("syntax error (", timeout=0.3), **extra))
    assert len(samples) > 30
    for sample in samples:
        _assert_error(sample)
        for secret in secrets:
            assert secret not in _text(sample), sample


def test_a_url_with_a_password_is_shown_without_it(spare_prometheus):
    url = spare_prometheus.url.replace("http://", f"http://golive:{PASSWORD}@")
    spare_prometheus.stop()
    sample = sample_alone(url, check(QUERY))
    _assert_error(sample)
    assert PASSWORD not in sample.error and "golive" not in sample.error
    assert sample.error.startswith(f"cannot connect to {spare_prometheus.url}")


def test_a_missing_credential_is_a_setup_error_naming_the_field_not_the_value(monkeypatch, tmp_path):
    monkeypatch.delenv("GOLIVE_TOKEN", raising=False)
    with pytest.raises(SourceError) as unset:
        source("http://127.0.0.1:9", bearer_token_env="GOLIVE_TOKEN")
    assert str(unset.value) == "targets.prometheus.main.bearer_token_env: GOLIVE_TOKEN is not set"
    with pytest.raises(SourceError) as unreadable:
        source("http://127.0.0.1:9", username="u", password_file=str(tmp_path / "absent"))
    assert str(unreadable.value) == (f"targets.prometheus.main.password_file: cannot read {tmp_path / 'absent'}: No "
                                     "such file or directory")
    monkeypatch.delenv("GOLIVE_TENANT", raising=False)
    with pytest.raises(SourceError,
                       match=r"^targets\.prometheus\.main\.headers_env\.X-Scope-OrgID: GOLIVE_TENANT is not set$"):
        source("http://127.0.0.1:9", headers_env={"X-Scope-OrgID": "GOLIVE_TENANT"})
    with pytest.raises(SourceError, match=r"^targets\.prometheus\.main\.ca_file: cannot read"):
        source("https://127.0.0.1:9", ca_file=str(tmp_path / "absent.pem"))
