"""Planted secrets (bearer token, basic-auth and DSN passwords) never reach a sample or a log line, whatever fails."""

from __future__ import annotations

import base64
import logging

import pytest

from golive.checks.base import SourceError
from golive.checks.http import create as create_http
from golive.checks.postgres import create as create_postgres
from golive.console.runbook import HttpCheck, HttpTarget, PostgresCheck, PostgresTarget
from tests.fixtures._binaries import free_port
from tests.fixtures.postgres import READER

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

URL_PASSWORD = "url-Pw-0d4e-golive-secret"
WRONG_TOKEN = "wrong-tok-52aa-golive-secret"
WRONG_DSN_PASSWORD = "wrong-pg-Pw-93c0-golive-secret"


def http_check(url: str, **fields) -> HttpCheck:
    return HttpCheck.model_validate({"id": "api", "source": "http", "url": url, **fields})


def pg_check(**fields) -> PostgresCheck:
    return PostgresCheck.model_validate({"id": "db", "source": "postgres", "pass": "< 5", **fields})


def leaks(texts: list[str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(secret, text) for text in texts for secret in secrets if secret in text]


async def sample_all(source, checks) -> list:
    try:
        return [await source.sample(check) for check in checks]
    finally:
        await source.close()


async def test_no_http_sample_or_log_line_contains_a_planted_secret(https_servers, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    s = https_servers
    monkeypatch.setenv("GOLIVE_TEST_TOKEN", s.bearer_token)
    monkeypatch.setenv("GOLIVE_TEST_WRONG_TOKEN", WRONG_TOKEN)
    monkeypatch.setenv("GOLIVE_TEST_PASSWORD", s.password)
    bearer = HttpTarget(base_url=s.valid, ca_file=s.ca_file, bearer_token_env="GOLIVE_TEST_TOKEN", timeout="2s")
    basic = HttpTarget(base_url=s.expiring, ca_file=s.ca_file, username=s.username, password_env="GOLIVE_TEST_PASSWORD")
    wrong = HttpTarget(base_url=s.valid, ca_file=s.ca_file, bearer_token_env="GOLIVE_TEST_WRONG_TOKEN")
    refused = f"https://deployer:{URL_PASSWORD}@127.0.0.1:{free_port()}/healthz"

    samples = await sample_all(create_http("bearer", bearer), [
        http_check("/error"),
        http_check("/no-hsts", headers_required=["Strict-Transport-Security"]),
        http_check("/malformed", json_equals={"status": "ok"}),
        http_check("/slow?seconds=2", timeout="300ms"),
        http_check(f"{s.silent}/private", timeout="300ms"),
        http_check(f"{s.expired}/private"),
        http_check(f"{s.tls12}/private", tls_min="1.3"),
        http_check(refused),
        http_check(f"https://deployer:{URL_PASSWORD}@127.0.0.1:{s.valid.rsplit(':', 1)[1]}/private"),
        http_check("/private", json_equals={"status": "degraded"}),
    ])
    samples += await sample_all(create_http("basic", basic), [
        http_check("/private", cert_days="> 14"),
        http_check("/private", json_equals={"checks.db": "down"}),
    ])
    samples += await sample_all(create_http("wrong", wrong), [http_check("/private")])

    secrets = [s.bearer_token, s.password, URL_PASSWORD, WRONG_TOKEN,
               base64.b64encode(f"{s.username}:{s.password}".encode()).decode()]
    assert all(sample.ok is not True for sample in samples)
    assert leaks([repr(sample) for sample in samples], secrets) == []
    assert leaks([caplog.text], secrets) == []


async def test_no_postgres_sample_or_log_line_contains_a_planted_secret(
    postgres_pair, disposable_postgres, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    primary = postgres_pair.primary
    port = free_port()
    dsns = {
        "right": primary.dsn(),
        "wrong": primary.dsn(password=WRONG_DSN_PASSWORD),
        "refused": f"postgresql://{READER}:{postgres_pair.password}@127.0.0.1:{port}/postgres",
        "in-query": f"postgresql://127.0.0.1:{port}/postgres?user={READER}&password={postgres_pair.password}",
        "restarting": disposable_postgres.dsn(),
    }
    for name, dsn in dsns.items():
        monkeypatch.setenv(f"GOLIVE_TEST_DSN_{name.upper().replace('-', '_')}", dsn)

    def source(name: str, **target):
        return create_postgres(name,
                               PostgresTarget(dsn_env=f"GOLIVE_TEST_DSN_{name.upper().replace('-', '_')}", **target))

    samples = await sample_all(source("right", statement_timeout="200ms"), [
        pg_check(query="INSERT INTO release_notes (note) VALUES ('leak') RETURNING id"),
        pg_check(query="SELECT 1 FROM pg_sleep(2)"),
        pg_check(query="SELEC 1"),
        pg_check(query="SELECT current_user"),
        pg_check(query="SELECT 1 WHERE false"),
    ])
    samples += await sample_all(source("wrong"), [pg_check(query="SELECT 1")])
    samples += await sample_all(source("refused"), [pg_check(query="SELECT 1")])
    samples += await sample_all(source("in-query"), [pg_check(builtin="replication_lag")])

    restarting = source("restarting")
    try:
        samples.append(await restarting.sample(pg_check(query="SELECT 1")))
        disposable_postgres.stop()
        samples += [await restarting.sample(pg_check(query="SELECT 1")) for _ in range(2)]
    finally:
        await restarting.close()

    secrets = [postgres_pair.password, WRONG_DSN_PASSWORD, *dsns.values()]
    failing = samples[:-3] + samples[-2:]  # all but the one sample taken before the stop
    assert all(sample.error or sample.no_data for sample in failing)
    assert leaks([repr(sample) for sample in samples], secrets) == []
    assert leaks([caplog.text], secrets) == []


async def test_credential_errors_name_the_field_and_never_a_value(tmp_path, monkeypatch):
    dsn_file = tmp_path / "dsn"
    dsn_file.write_text("host=db user=app password=Plain-Secret-91\n")
    monkeypatch.setenv("GOLIVE_TEST_EMPTY", "")
    messages = []
    for make in (
        lambda: create_postgres("db", PostgresTarget(dsn_file=str(dsn_file))),
        lambda: create_http("api", HttpTarget(base_url="https://127.0.0.1", username="app",
                                              password_env="GOLIVE_TEST_EMPTY")),
        lambda: create_http("api", HttpTarget(base_url="https://127.0.0.1",
                                              bearer_token_file=str(tmp_path / "absent"))),
    ):
        with pytest.raises(SourceError) as raised:
            make()
        messages.append(str(raised.value))
    assert messages == [
        f"targets.postgres.db: dsn_file {dsn_file} does not hold a postgresql:// URL",
        "targets.http.api.password_env: GOLIVE_TEST_EMPTY is empty",
        f"targets.http.api.bearer_token_file: cannot read {tmp_path / 'absent'}: No such file or directory",
    ]
