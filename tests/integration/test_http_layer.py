"""One HTTP layer under the HTTP, Prometheus and Alertmanager sources: the same TLS failure, the same missing
credential and the same refused connection are worded identically by all three, and never carry a secret."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from golive.checks import alertmanager, http, prometheus
from golive.checks.base import Sample, SourceError
from golive.console.runbook import (
    AlertmanagerCheck,
    AlertmanagerTarget,
    HttpCheck,
    HttpTarget,
    PrometheusCheck,
    PrometheusTarget,
)
from tests.fixtures._binaries import free_port

pytestmark = pytest.mark.integration

TOKEN = "tok-layer-5ecret-c0ffee"
PASSWORD = "pw-layer-5ecret-b0a7"
KINDS = ("http", "prometheus", "alertmanager")


def _open(kind: str, url: str, **auth: Any) -> Any:
    if kind == "http":
        return http.create("main", HttpTarget(base_url=url, **auth))
    if kind == "prometheus":
        return prometheus.create("main", PrometheusTarget(url=url, **auth))
    return alertmanager.create("main", AlertmanagerTarget(url=url, **auth))


def _check(kind: str) -> Any:
    if kind == "http":
        return HttpCheck(id="c", source="http", url="/", timeout=5.0)
    if kind == "prometheus":
        return PrometheusCheck.model_validate({"id": "c", "source": "prometheus", "query": "up", "pass": "> 0",
                                               "timeout": 5.0})
    return AlertmanagerCheck(id="c", source="alertmanager", timeout=5.0)


def sample_each(url: str, **auth: Any) -> dict[str, Sample]:
    """One sample from each of the three sources at ``url`` (the HTTP check asks for ``/``)."""
    async def run() -> dict[str, Sample]:
        samples = {}
        for kind in KINDS:
            source = _open(kind, url, **auth)
            try:
                samples[kind] = await source.sample(_check(kind))
            finally:
                await source.close()
        return samples

    return asyncio.run(run())


def setup_errors(url: str, **auth: Any) -> dict[str, str]:
    """The SourceError each source raises at start, with its own ``targets.<kind>.main`` prefix made common."""
    errors = {}
    for kind in KINDS:
        with pytest.raises(SourceError) as raised:
            _open(kind, url, **auth)
        errors[kind] = str(raised.value).replace(f"targets.{kind}.main", "targets.KIND.main")
    return errors


def test_an_expired_certificate_is_worded_identically_by_every_http_source(https_servers):
    samples = sample_each(https_servers.expired, ca_file=https_servers.ca_file)
    errors = {kind: s.error for kind, s in samples.items()}
    expected = f"TLS certificate of {https_servers.expired} rejected: certificate has expired"
    assert errors == {"http": expected.replace(https_servers.expired, https_servers.expired + "/"),
                      "prometheus": expected, "alertmanager": expected}
    assert all(s.ok is None and s.value is None for s in samples.values())


def test_a_certificate_from_an_unknown_authority_is_worded_identically_by_every_http_source(https_servers):
    samples = sample_each(https_servers.valid)  # the system store does not know the fixture's CA
    errors = {kind: s.error.replace(https_servers.valid + "/", https_servers.valid) for kind, s in samples.items()}
    assert len(set(errors.values())) == 1, errors
    assert errors["prometheus"].startswith(f"TLS certificate of {https_servers.valid} rejected: ")


def test_insecure_skip_verify_reaches_the_server_in_every_http_source(https_servers):
    samples = sample_each(https_servers.expired, insecure_skip_verify=True)
    # past TLS, each source judges the fixture's answer by its own API: none is a TLS failure
    assert all("TLS" not in (s.error or "") for s in samples.values()), samples
    assert samples["http"].extra["status"] == 404


def test_a_missing_password_file_is_worded_identically_by_every_http_source(tmp_path):
    absent = tmp_path / "absent"
    errors = setup_errors("https://127.0.0.1:9", username="golive", password_file=str(absent))
    assert set(errors.values()) == {f"targets.KIND.main.password_file: cannot read {absent}: No such file or directory"}


def test_an_unset_or_empty_token_variable_is_worded_identically_by_every_http_source(monkeypatch):
    monkeypatch.delenv("GOLIVE_LAYER_ABSENT", raising=False)
    monkeypatch.setenv("GOLIVE_LAYER_EMPTY", "")
    unset = setup_errors("https://127.0.0.1:9", bearer_token_env="GOLIVE_LAYER_ABSENT")
    empty = setup_errors("https://127.0.0.1:9", bearer_token_env="GOLIVE_LAYER_EMPTY")
    assert set(unset.values()) == {"targets.KIND.main.bearer_token_env: GOLIVE_LAYER_ABSENT is not set"}
    assert set(empty.values()) == {"targets.KIND.main.bearer_token_env: GOLIVE_LAYER_EMPTY is empty"}


def test_a_username_without_a_password_is_refused_by_every_http_source_never_sent_empty():
    errors = setup_errors("https://127.0.0.1:9", username="golive")
    assert set(errors.values()) == {"targets.KIND.main.username: a username is set but no password_env or "
                                    "password_file"}


def test_a_token_and_a_password_at_once_are_refused_by_every_http_source(monkeypatch):
    monkeypatch.setenv("GOLIVE_LAYER_TOKEN", TOKEN)
    monkeypatch.setenv("GOLIVE_LAYER_PASSWORD", PASSWORD)
    errors = setup_errors("https://127.0.0.1:9", bearer_token_env="GOLIVE_LAYER_TOKEN", username="golive",
                          password_env="GOLIVE_LAYER_PASSWORD")
    assert set(errors.values()) == {"targets.KIND.main: bearer_token_* and username/password are exclusive: set one"}
    assert not any(TOKEN in e or PASSWORD in e for e in errors.values())


def test_a_refused_connection_is_worded_identically_and_shows_no_secret(monkeypatch):
    monkeypatch.setenv("GOLIVE_LAYER_TOKEN", TOKEN)
    port = free_port()
    samples = sample_each(f"http://127.0.0.1:{port}", bearer_token_env="GOLIVE_LAYER_TOKEN")
    errors = {kind: s.error.replace(f":{port}/", f":{port}") for kind, s in samples.items()}
    assert set(errors.values()) == {f"cannot connect to http://127.0.0.1:{port}: connection refused"}
    assert not any(TOKEN in repr(s) for s in samples.values())


def test_no_source_shows_the_password_of_its_url_when_tls_fails(https_servers):
    url = https_servers.expired.replace("https://", f"https://golive:{PASSWORD}@")
    samples = {kind: s for kind, s in sample_each(url, ca_file=https_servers.ca_file).items()}
    for kind, sample in samples.items():
        assert sample.error is not None and sample.error.startswith("TLS certificate of https://127.0.0.1:"), kind
        assert PASSWORD not in repr(sample) and "golive:" not in repr(sample), kind


def test_a_missing_ca_file_is_worded_identically_by_every_http_source(tmp_path):
    absent = tmp_path / "ca.pem"
    errors = setup_errors("https://127.0.0.1:9", ca_file=str(absent))
    assert set(errors.values()) == {f"targets.KIND.main.ca_file: cannot read {absent}: No such file or directory"}
