"""The HTTP source against real HTTPS servers: every unhealthy answer is a FAIL or an ERROR, never a PASS."""

from __future__ import annotations

import asyncio

import pytest

from golive.checks.base import SourceError
from golive.checks.http import create
from golive.console.runbook import HttpCheck, HttpTarget
from tests.fixtures._binaries import free_port

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def http_check(url: str, **fields) -> HttpCheck:
    return HttpCheck.model_validate({"id": "api-health", "source": "http", "url": url, **fields})


async def sample_once(target: HttpTarget | None, check: HttpCheck, name: str = "api"):
    source = create(name, target)
    try:
        return await source.sample(check)
    finally:
        await source.close()


def trusting(base_url: str | None, servers, **fields) -> HttpTarget:
    """A target that trusts the fixture's CA, so only the condition under test can fail."""
    return HttpTarget(base_url=base_url, ca_file=servers.ca_file, **fields)


async def test_a_healthy_endpoint_meeting_every_condition_passes_with_its_latency_as_value(https_servers):
    check = http_check(
        "/healthz", json_equals={"status": "ok", "checks.db": "up", "replicas": 3},
        headers_required=["Strict-Transport-Security", "X-Content-Type-Options", "Content-Security-Policy"],
        body_contains='"version"', tls_min="1.2", max_latency="5s",
    )
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is True and sample.error is None
    assert sample.value is not None and sample.value > 0
    assert sample.detail.startswith("200 in ")
    assert sample.extra["status"] == 200


async def test_a_json_field_with_another_value_fails_naming_the_field_and_both_values(https_servers):
    check = http_check("/healthz", json_equals={"status": "ok", "checks.db": "down"})
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is False and sample.error is None
    assert sample.detail == "field checks.db is 'up', expected 'down'"


async def test_a_json_field_that_is_absent_fails_as_missing(https_servers):
    check = http_check("/healthz", json_equals={"checks.queue": "up"})
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is False
    assert sample.detail == "field checks.queue missing"


async def test_a_missing_security_header_fails_naming_the_header(https_servers):
    check = http_check("/no-hsts", headers_required=["X-Content-Type-Options", "Strict-Transport-Security"])
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is False
    assert sample.detail == "missing header Strict-Transport-Security"


async def test_a_response_slower_than_max_latency_fails_with_the_measured_latency(https_servers):
    check = http_check("/slow?seconds=0.4", max_latency="100ms", timeout="10s")
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is False and sample.error is None
    assert sample.detail.startswith("latency ") and sample.detail.endswith(" ms > 100 ms")
    assert sample.value > 100  # the server slept 400 ms before answering


async def test_a_response_beyond_the_check_timeout_is_an_error_not_a_fail(https_servers):
    check = http_check("/slow?seconds=2", timeout="300ms")
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is None and sample.value is None
    assert sample.error == f"no answer from {https_servers.valid}/slow?seconds=2 within 300ms"


async def test_a_server_error_status_fails_with_the_status_and_the_expected_one(https_servers):
    sample = await sample_once(trusting(https_servers.valid, https_servers), http_check("/error"))
    assert sample.ok is False
    assert sample.detail == "status 500, expected 200"


async def test_an_expected_non_200_status_passes(https_servers):
    sample = await sample_once(trusting(https_servers.valid, https_servers), http_check("/error", status=500))
    assert sample.ok is True


async def test_a_server_that_accepts_and_never_answers_is_an_error_after_the_timeout(https_servers):
    check = http_check(f"{https_servers.silent}/healthz", timeout="300ms")
    sample = await sample_once(trusting(None, https_servers), check)
    assert sample.ok is None
    assert "300ms" in sample.error and https_servers.silent in sample.error


async def test_malformed_json_is_an_error_when_json_fields_are_checked(https_servers):
    check = http_check("/malformed", json_equals={"status": "ok"})
    sample = await sample_once(trusting(https_servers.valid, https_servers), check)
    assert sample.ok is None
    assert sample.error.startswith("response is not JSON: ")


async def test_an_expired_certificate_is_an_error_saying_it_has_expired_when_verifying(https_servers):
    check = http_check(f"{https_servers.expired}/healthz")
    sample = await sample_once(trusting(None, https_servers), check)
    assert sample.ok is None
    assert sample.error.endswith("rejected: certificate has expired")


async def test_a_certificate_expiring_in_three_days_fails_cert_days_with_the_days_as_value(https_servers):
    check = http_check(f"{https_servers.expiring}/healthz", cert_days="> 14")
    sample = await sample_once(trusting(None, https_servers), check)
    assert sample.ok is False
    assert 2.9 < sample.value < 3.1
    assert sample.detail == "certificate expires in 3.0 days (needs > 14)"


async def test_an_expired_certificate_read_without_verification_fails_with_negative_days(https_servers):
    target = HttpTarget(base_url=https_servers.expired, insecure_skip_verify=True)
    sample = await sample_once(target, http_check("/healthz", cert_days="> 14"))
    assert sample.ok is False
    assert -2.1 < sample.value < -1.9
    assert sample.detail == "certificate expired 2.0 days ago (needs > 14)"


async def test_a_year_long_certificate_passes_cert_days(https_servers):
    sample = await sample_once(trusting(https_servers.valid, https_servers), http_check("/healthz", cert_days="> 14"))
    assert sample.ok is True
    assert 364 < sample.value < 366


async def test_a_tls12_only_server_fails_tls_min_13_and_passes_tls_min_12(https_servers):
    target = trusting(https_servers.tls12, https_servers)
    too_old = await sample_once(target, http_check("/healthz", tls_min="1.3"))
    enough = await sample_once(target, http_check("/healthz", tls_min="1.2"))
    assert too_old.ok is False and too_old.detail == "TLSv1.2 negotiated, needs TLS 1.3 or later"
    assert enough.ok is True and enough.extra["tls"] == "TLSv1.2"


async def test_plain_http_fails_tls_min_and_errors_on_cert_days(https_servers):
    tls = await sample_once(None, http_check(f"{https_servers.plain}/healthz", tls_min="1.2"))
    cert = await sample_once(None, http_check(f"{https_servers.plain}/healthz", cert_days="> 14"))
    assert tls.ok is False and tls.detail.startswith("not TLS")
    assert cert.ok is None and cert.error.startswith("cert_days needs an https URL")


async def test_the_right_bearer_token_from_the_environment_is_accepted(https_servers, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", https_servers.bearer_token)
    target = trusting(https_servers.valid, https_servers, bearer_token_env="GOLIVE_TEST_TOKEN")
    sample = await sample_once(target, http_check("/private"))
    assert sample.ok is True


async def test_basic_auth_with_the_password_from_a_file_is_accepted(https_servers, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(https_servers.password + "\n")
    target = trusting(https_servers.valid, https_servers, username=https_servers.username, password_file=str(secret))
    sample = await sample_once(target, http_check("/private"))
    assert sample.ok is True


async def test_a_wrong_bearer_token_fails_as_credentials_refused(https_servers, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", "not-the-token")
    target = trusting(https_servers.valid, https_servers, bearer_token_env="GOLIVE_TEST_TOKEN")
    sample = await sample_once(target, http_check("/private"))
    assert sample.ok is False
    assert sample.detail == "status 401 (credentials refused), expected 200"


async def test_headers_from_the_environment_reach_the_server(https_servers, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TENANT", "tenant-7")
    target = trusting(https_servers.valid, https_servers, headers_env={"X-Scope-OrgID": "GOLIVE_TEST_TENANT"})
    sample = await sample_once(target, http_check("/echo", json_equals={"headers.x-scope-orgid": "tenant-7"}))
    assert sample.ok is True, sample.detail


async def test_target_credentials_are_not_sent_to_another_origin(https_servers, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", https_servers.bearer_token)
    target = trusting(https_servers.valid, https_servers, bearer_token_env="GOLIVE_TEST_TOKEN")
    own = await sample_once(target, http_check("/echo", json_equals={"credentials_sent": True}))
    other = await sample_once(target,
                              http_check(f"{https_servers.plain}/echo", json_equals={"credentials_sent": False}))
    assert own.ok is True and other.ok is True


async def test_an_unset_credential_variable_is_a_source_error_naming_the_variable(monkeypatch):
    monkeypatch.delenv("GOLIVE_TEST_ABSENT", raising=False)
    with pytest.raises(SourceError,
                       match=r"^targets\.http\.api\.bearer_token_env: GOLIVE_TEST_ABSENT is not set$"):
        create("api", HttpTarget(base_url="https://127.0.0.1", bearer_token_env="GOLIVE_TEST_ABSENT"))


async def test_a_refused_connection_is_an_error_showing_the_url_without_its_password():
    port = free_port()
    sample = await sample_once(None, http_check(f"http://deployer:hunter2-pw@127.0.0.1:{port}/healthz"))
    assert sample.error == f"cannot connect to http://127.0.0.1:{port}/healthz: connection refused"


async def test_a_relative_url_without_a_base_url_is_an_error_not_a_crash():
    sample = await sample_once(None, http_check("/healthz"))
    assert sample.error == "url /healthz is relative and the target has no base_url"


@pytest.mark.parametrize("path, fields", [
    ("/error", {}),
    ("/no-hsts", {"headers_required": ["Strict-Transport-Security"]}),
    ("/malformed", {"json_equals": {"status": "ok"}}),
    ("/private", {}),
    ("/slow?seconds=0.3", {"max_latency": "50ms"}),
    ("/slow?seconds=2", {"timeout": "200ms"}),
    ("/healthz", {"body_contains": "maintenance"}),
    ("/missing", {}),
])
async def test_no_unhealthy_answer_is_ever_a_pass(https_servers, path, fields):
    sample = await sample_once(trusting(https_servers.valid, https_servers), http_check(path, **fields))
    assert sample.ok is not True
    assert (sample.error is not None) or (sample.ok is False and sample.detail)


async def test_one_source_samples_many_checks_concurrently_through_its_pool(https_servers):
    source = create("api", trusting(https_servers.valid, https_servers, concurrency=2))
    try:
        samples = await asyncio.gather(*(source.sample(http_check("/healthz")) for _ in range(6)))
    finally:
        await source.close()
    assert all(s.ok is True for s in samples)
