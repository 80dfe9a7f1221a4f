"""The PostgreSQL source against a real primary and streaming standby: read-only, bounded, and never a false pass."""

from __future__ import annotations

import asyncio
import time

import pytest

from golive.checks.base import SourceError
from golive.checks.postgres import create
from golive.console.runbook import PostgresCheck, PostgresTarget
from tests.fixtures._binaries import free_port
from tests.fixtures.postgres import READER

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

LAG = {"builtin": "replication_lag"}


def pg_check(**fields) -> PostgresCheck:
    return PostgresCheck.model_validate({"id": "db-check", "source": "postgres", "pass": "< 5", **fields})


async def sample_once(dsn: str, monkeypatch, check: PostgresCheck, **target):
    monkeypatch.setenv("GOLIVE_TEST_DSN", dsn)
    source = create("primary", PostgresTarget(dsn_env="GOLIVE_TEST_DSN", **target))
    try:
        return await source.sample(check)
    finally:
        await source.close()


async def eventually(sample, condition, attempts: int = 400):
    """Sample until ``condition`` holds (the server moves on its own clock); returns the last sample."""
    for _ in range(attempts):
        result = await sample()
        if condition(result):
            return result
        await asyncio.sleep(0.05)
    return result


def wait_until(cluster, sql: str, attempts: int = 200) -> None:
    for _ in range(attempts):
        if cluster.sql(sql) == "t":
            return
        time.sleep(0.05)
    raise AssertionError(f"never true: {sql}")


@pytest.fixture
def paused_standby(postgres_pair):
    """The standby with replay paused after it has received a write it has not replayed; resumed after."""
    primary, standby = postgres_pair.primary, postgres_pair.standby
    primary.sql("INSERT INTO release_notes (note) VALUES ('before the pause')")
    # a replayed commit gives the standby a last-replay timestamp to measure from
    wait_until(standby, "SELECT pg_last_xact_replay_timestamp() IS NOT NULL AND "
                        "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()")
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        wait_until(standby, "SELECT pg_get_wal_replay_pause_state() = 'paused'")
        primary.sql("INSERT INTO release_notes (note) VALUES ('during the pause')")
        wait_until(standby, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
        yield postgres_pair
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")


async def test_a_scalar_query_is_a_number(postgres_pair, monkeypatch):
    check = pg_check(query=f"SELECT count(*) + 41 FROM pg_roles WHERE rolname = '{READER}'")
    sample = await sample_once(postgres_pair.primary.dsn(), monkeypatch, check)
    assert sample.value == 42.0 and sample.error is None


async def test_an_interval_is_a_number_of_seconds(postgres_pair, monkeypatch):
    check = pg_check(query="SELECT interval '2 minutes 3.5 seconds'")
    sample = await sample_once(postgres_pair.primary.dsn(), monkeypatch, check)
    assert sample.value == 123.5


async def test_no_rows_and_null_are_no_data_not_a_pass(postgres_pair, monkeypatch):
    no_rows = await sample_once(postgres_pair.primary.dsn(), monkeypatch, pg_check(query="SELECT 1 WHERE false"))
    null = await sample_once(postgres_pair.primary.dsn(), monkeypatch, pg_check(query="SELECT NULL::int"))
    assert no_rows.no_data and no_rows.value is None and no_rows.detail == "query returned no rows"
    assert null.no_data and null.value is None and null.detail == "query returned NULL"


async def test_text_is_an_error_quoting_the_text(postgres_pair, monkeypatch):
    sample = await sample_once(postgres_pair.primary.dsn(), monkeypatch, pg_check(query="SELECT 'abc'"))
    assert sample.error == "query returned text 'abc', expected a number"


async def test_a_check_that_tries_to_write_is_an_error_and_writes_nothing(postgres_pair, monkeypatch):
    primary = postgres_pair.primary
    before = primary.sql("SELECT count(*) FROM release_notes WHERE note = 'from a check'")
    check = pg_check(query="INSERT INTO release_notes (note) VALUES ('from a check') RETURNING id")
    sample = await sample_once(primary.dsn(), monkeypatch, check)
    assert sample.error == ("read-only transaction: the check tried to write (cannot execute INSERT in a read-only "
                            "transaction)")
    assert primary.sql("SELECT count(*) FROM release_notes WHERE note = 'from a check'") == before == "0"


async def test_a_query_cannot_escape_the_read_only_transaction_by_committing_it(postgres_pair, monkeypatch):
    check = pg_check(query="COMMIT; INSERT INTO release_notes (note) VALUES ('escaped') RETURNING id")
    sample = await sample_once(postgres_pair.primary.dsn(), monkeypatch, check)
    assert sample.error is not None and sample.value is None
    assert postgres_pair.primary.sql("SELECT count(*) FROM release_notes WHERE note = 'escaped'") == "0"


async def test_a_query_longer_than_the_statement_timeout_is_an_error(postgres_pair, monkeypatch):
    check = pg_check(query="SELECT 1 FROM pg_sleep(3)")
    sample = await sample_once(postgres_pair.primary.dsn(), monkeypatch, check, statement_timeout="200ms")
    assert sample.error == "statement timeout (200ms): canceling statement due to statement timeout"


async def test_a_wrong_password_is_an_error_that_does_not_contain_the_password(postgres_pair, monkeypatch):
    wrong = "Wr0ng-pg-password-6c1a"
    sample = await sample_once(postgres_pair.primary.dsn(password=wrong), monkeypatch, pg_check(query="SELECT 1"))
    assert sample.error.startswith("authentication failed at 127.0.0.1:")
    assert f'password authentication failed for user "{READER}"' in sample.error
    assert wrong not in repr(sample)


async def test_a_server_that_is_not_running_is_an_error_naming_host_and_port(monkeypatch):
    port = free_port()
    dsn = f"postgresql://{READER}:unused-Secret-77@127.0.0.1:{port}/postgres"
    sample = await sample_once(dsn, monkeypatch, pg_check(query="SELECT 1"))
    assert sample.error == f"cannot connect: connection refused (127.0.0.1:{port}/postgres)"


async def test_an_unset_dsn_variable_is_a_source_error_naming_the_variable(monkeypatch):
    monkeypatch.delenv("GOLIVE_TEST_NO_DSN", raising=False)
    with pytest.raises(SourceError,
                       match=r"^targets.postgres.primary: dsn_env names GOLIVE_TEST_NO_DSN, which is not set$"):
        create("primary", PostgresTarget(dsn_env="GOLIVE_TEST_NO_DSN"))


async def test_a_dsn_file_that_holds_no_url_is_a_source_error_that_does_not_echo_it(tmp_path):
    dsn_file = tmp_path / "dsn"
    dsn_file.write_text("host=db password=Plain-Secret-91\n")
    with pytest.raises(SourceError) as raised:
        create("primary", PostgresTarget(dsn_file=str(dsn_file)))
    assert str(raised.value) == f"targets.postgres.primary: dsn_file {dsn_file} does not hold a postgresql:// URL"


async def test_a_server_stopped_mid_run_is_an_error_then_a_value_again_after_restart(disposable_postgres, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_DSN", disposable_postgres.dsn())
    source = create("primary", PostgresTarget(dsn_env="GOLIVE_TEST_DSN", concurrency=2))
    check = pg_check(query="SELECT 7")
    try:
        before = await source.sample(check)
        disposable_postgres.stop()
        down = [await source.sample(check) for _ in range(2)]
        disposable_postgres.start()
        after = await source.sample(check)
    finally:
        await source.close()
    assert before.value == 7.0
    assert all(s.error and s.value is None and "\n" not in s.error for s in down)
    assert down[-1].error == f"cannot connect: connection refused ({source.shown})"
    assert after.value == 7.0 and after.error is None


async def test_the_pool_never_opens_more_connections_than_the_target_allows(postgres_pair, monkeypatch):
    monkeypatch.setenv("GOLIVE_TEST_DSN", postgres_pair.primary.dsn())
    source = create("primary", PostgresTarget(dsn_env="GOLIVE_TEST_DSN", concurrency=2))
    # only active backends: one still exiting from an earlier test's closed pool shows as idle
    check = pg_check(query="SELECT count(*) FROM pg_sleep(0.05), pg_stat_activity "
                           "WHERE application_name = 'golive' AND state = 'active'")
    try:
        samples = await asyncio.gather(*(source.sample(check) for _ in range(6)))
    finally:
        await source.close()
    assert all(s.error is None for s in samples)
    assert 1 <= min(s.value for s in samples) and max(s.value for s in samples) <= 2


async def test_replication_lag_on_a_primary_without_standbys_is_no_data(disposable_postgres, monkeypatch):
    sample = await sample_once(disposable_postgres.dsn(), monkeypatch, pg_check(**LAG))
    assert sample.no_data and sample.detail == "primary has no standby connected"


async def test_replication_lag_of_a_caught_up_standby_is_zero_on_both_sides(postgres_pair, monkeypatch):
    postgres_pair.primary.sql("INSERT INTO release_notes (note) VALUES ('sync')")
    wait_until(postgres_pair.standby, "SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()")
    standby = await sample_once(postgres_pair.standby.dsn(), monkeypatch, pg_check(**LAG))
    assert standby.value == 0.0 and standby.detail == "standby caught up with what it received"


async def test_replication_lag_read_on_the_standby_grows_while_replay_is_paused_then_falls_to_zero(
    paused_standby, monkeypatch
):
    monkeypatch.setenv("GOLIVE_TEST_DSN", paused_standby.standby.dsn())
    source = create("standby", PostgresTarget(dsn_env="GOLIVE_TEST_DSN"))
    check = pg_check(**LAG)
    try:
        first = await source.sample(check)
        later = await eventually(lambda: source.sample(check), lambda s: s.value is not None and s.value > first.value)
        paused_standby.standby.sql("SELECT pg_wal_replay_resume()")
        resumed = await eventually(lambda: source.sample(check), lambda s: s.value == 0.0)
    finally:
        await source.close()
    assert first.value > 0 and first.detail.startswith("standby replay ")
    assert later.value > first.value
    assert resumed.value == 0.0


async def test_replication_lag_read_on_the_primary_grows_while_replay_is_paused_then_falls(
    paused_standby, monkeypatch
):
    monkeypatch.setenv("GOLIVE_TEST_DSN", paused_standby.primary.dsn())
    source = create("primary", PostgresTarget(dsn_env="GOLIVE_TEST_DSN"))
    check = pg_check(**LAG)
    try:
        first = await eventually(lambda: source.sample(check), lambda s: s.value is not None and s.value > 0.1)
        later = await eventually(lambda: source.sample(check), lambda s: s.value is not None and s.value > first.value)
        paused_standby.standby.sql("SELECT pg_wal_replay_resume()")
        resumed = await eventually(lambda: source.sample(check),
                                   lambda s: s.value is not None and s.value < first.value)
    finally:
        await source.close()
    assert first.detail.startswith("1 standby, worst lag ")
    assert later.value > first.value > 0.1
    assert resumed.value < first.value


async def test_replication_lag_without_pg_monitor_is_an_error_not_a_zero(postgres_pair, monkeypatch):
    primary = postgres_pair.primary
    primary.sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'golive_plain') THEN "
                "CREATE ROLE golive_plain LOGIN PASSWORD 'plain-Role-Secret-3'; END IF; END $$")
    dsn = primary.dsn(user="golive_plain", password="plain-Role-Secret-3")
    sample = await sample_once(dsn, monkeypatch, pg_check(**LAG))
    assert sample.error == "cannot read pg_stat_replication: grant the role pg_monitor"
