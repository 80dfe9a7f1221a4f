"""Every seed example lints clean and runs headless in the demo world to its expected outcome."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["validation-24h.toml", "smoke-report.toml", "payments-canary.toml", "blue-green.toml"]


def golive(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive.console.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=240, stdin=subprocess.DEVNULL)


def demo(tmp_path: Path, scenario: str, speed: str) -> tuple[subprocess.CompletedProcess, dict]:
    folder = tmp_path / "session"
    res = golive("demo", "--headless", "--scenario", scenario, "--speed", speed, "--session-dir", str(folder),
                 cwd=tmp_path)
    record = tomllib.loads((folder / "record.toml").read_text()) if (folder / "record.toml").exists() else {}
    return res, record


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_seed_example_lints_clean(name):
    res = golive("lint", f"examples/{name}")
    assert res.returncode == 0, res.stderr
    assert ": ok — " in res.stdout


def test_the_blue_green_good_path_switches_to_green_and_ends_go(tmp_path):
    res, record = demo(tmp_path, "blue-green", "20")
    assert res.returncode == 0, res.stderr[-2000:] + res.stdout[-2000:]
    assert record["record"]["outcome"] == "GO"
    status = {p["id"]: (p["status"], p.get("reason", "")) for p in record["phase"]}
    assert status["switch"][0] == "passed"
    assert status["rolling"] == ("skipped", "when strategy == rolling (strategy is blue-green)")
    switch = next(a for a in record["action"] if a["action"] == "phase:switch")
    assert switch["exit_code"] == 0 and '"color":"green"' in " ".join(switch["argv"])


def test_the_blue_green_bad_path_switches_back_and_is_rolled_back_only_once_verified(tmp_path):
    res, record = demo(tmp_path, "blue-green-bad", "20")
    assert res.returncode == 1, res.stderr[-2000:] + res.stdout[-2000:]
    assert record["record"]["outcome"] == "ROLLED BACK"
    assert "green-errors fired" in record["record"]["reason"] and "verified" in record["record"]["reason"]
    steps = [a for a in record["action"] if a["action"].startswith("rollback:")]
    assert [a["action"] for a in steps] == ["rollback:switch-back:1"] and steps[0]["exit_code"] == 0
    assert '"color":"blue"' in " ".join(steps[0]["argv"])
    # the plan's step is written with confirm = true: the headless run confirms it after the decision
    assert [d["kind"] for d in record["decision"][-2:]] == ["rollback", "confirm_step"]
    assert record["decision"][-1]["by"] == "golive (headless)"
    fired = {t["id"]: t for t in record["trigger"]}["green-errors"]
    assert "fired_at" in fired and fired["plan"] == "switch-back" and fired["during"] == ["switch", "validation"]
    (plan,) = record["rollback"]
    assert plan["plan"] == "switch-back" and {c["verdict"] for c in plan["verify"]} == {"PASS"}
    md = (tmp_path / "session" / "record.md").read_text()
    assert "## Rollback: Switch the Service back to blue" in md and "Verified by" in md


def test_the_24_hour_validation_runs_its_checkpoints_in_order_and_its_soak_to_the_end(tmp_path):
    res, record = demo(tmp_path, "soak", "7200")
    assert res.returncode == 0, res.stderr[-2000:] + res.stdout[-2000:]
    assert record["record"]["outcome"] == "GO"
    assert [p["status"] for p in record["phase"]] == ["passed"] * 5
    soak_actions = [a["action"] for a in record["action"] if a["action"].startswith("phase:soak")]
    assert soak_actions == ["phase:soak", "phase:soak#2"]
    from golive.console.journal import read_journal

    events = read_journal(tmp_path / "session" / "journal.jsonl").events
    start = events[0]["at"]
    ended = {e["phase"]: e["at"] - start for e in events if e["type"] == "phase_ended"}
    soak_work = next(e["at"] - start for e in events if e["type"] == "action_finished"
                     and e["action"] == "phase:soak#2")
    # lower bounds only (a loaded machine may be slower, never faster): at 7200x T+6h is 3 s after the start,
    # T+12h is 6 s, and the 12-hour soak runs 6 s after its actions
    assert ended["team-validation"] >= 3.0
    assert soak_work >= 6.0 and ended["soak"] >= soak_work + 6.0


def test_the_smoke_report_promotes_traffic_and_passes_its_smoke_test(tmp_path):
    res, record = demo(tmp_path, "smoke", "20")
    assert res.returncode == 0, res.stderr[-2000:] + res.stdout[-2000:]
    assert record["record"]["outcome"] == "GO"
    checks = {c["id"]: c for p in record["phase"] for c in p.get("check", [])}
    assert checks["health-ready"]["verdict"] == "PASS" and checks["historical-fetch"]["verdict"] == "PASS"


# ------------------------------------------------------------------ payments-canary (seed 002)

CRITICAL_ALERT = {"alertname": "PaymentsErrorBudgetBurn", "service": "payments-api", "severity": "critical"}


@pytest.fixture
def payments_world(tmp_path, postgres_pair, alertmanager):
    """The demo world's Kubernetes and Prometheus as payments-api's, with the suite's real PostgreSQL and
    Alertmanager and a TLS health endpoint per region."""
    from golive.sandbox.demo_payments import PaymentsWorld
    from tests.integration._payments_world import health_endpoints, payments_database

    database = f"payments_{tmp_path.name[-20:].replace('-', '_')}"
    dsn = payments_database(postgres_pair.primary, database, postgres_pair.password)
    with PaymentsWorld(speed=20) as world, health_endpoints(tmp_path / "ca") as (health, ca_file):
        yield {"world": world, "dsn": dsn, "alertmanager_url": alertmanager.url, "health": health,
               "ca_file": ca_file}
    postgres_pair.primary.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def test_the_payments_canary_runs_its_steps_and_validation_against_real_servers_and_ends_go(tmp_path, payments_world,
                                                                                         postgres_pair):
    from tests.integration._payments_world import finish, start_run

    code, output, record = finish(*start_run(tmp_path, **payments_world))
    assert code == 0, output
    assert record["record"]["outcome"] == "GO"
    assert [p["status"] for p in record["phase"]] == ["passed"] * 7
    checks = {c["id"]: c for p in record["phase"] for c in p.get("check", [])}
    for cid in ("migrations-clean", "replication-lag", "db-pool-utilisation", "no-alerts-before", "soak-no-alerts",
                "health-us-east-1", "health-eu-west-1", "cache-hit-rate", "queue-lag", "queue-partitions",
                "cpu-band", "canary-25-errors-vs-stable", "rollout-complete", "trivy"):
        assert checks[cid]["verdict"] == "PASS", (cid, checks[cid])
    weights = [a["argv"][5:7] for a in record["action"] if a["action"].startswith("phase:canary")]
    assert weights == [["payments-api", "5"], ["payments-api", "25"], ["payments-api", "50"]]
    assert all(a["exit_code"] == 0 for a in record["action"])
    from tests.integration._payments_world import SECRETS

    written = "".join(f.read_text(errors="replace") for f in (tmp_path / "session").iterdir() if f.is_file())
    assert "journal" in " ".join(f.name for f in (tmp_path / "session").iterdir())
    for secret in (*SECRETS, postgres_pair.password):
        assert secret not in written and secret not in output


def test_a_critical_alert_during_the_payments_soak_rolls_back_to_stable_and_is_verified(tmp_path, payments_world,
                                                                                       alertmanager):
    from tests.integration._payments_world import finish, start_run, wait_for_event

    proc, folder = start_run(tmp_path, **payments_world, soak_for="60s", soak_timeout="120s")
    try:
        assert wait_for_event(folder, proc, {"type": "phase_started", "phase": "soak"}), finish(proc, folder)[1]
        alertmanager.fire(CRITICAL_ALERT, lasts=120)
        code, output, record = finish(proc, folder)
    finally:
        alertmanager.resolve(CRITICAL_ALERT)
    assert code == 1, output
    assert record["record"]["outcome"] == "ROLLED BACK", record["record"]
    soak = next(p for p in record["phase"] if p["id"] == "soak")
    assert soak["status"] == "rolled_back" and "PaymentsErrorBudgetBurn" in soak["reason"]
    assert "verified" in record["record"]["reason"]
    steps = [a for a in record["action"] if a["action"].startswith("rollback:")]
    assert [a["action"] for a in steps] == ["rollback:abort-canary:1"] and steps[0]["exit_code"] == 0
    (plan,) = record["rollback"]
    assert plan["plan"] == "abort-canary" and {c["verdict"] for c in plan["verify"]} == {"PASS"}


def test_a_dirty_migration_keeps_the_payments_validation_closed_until_it_times_out_no_go(tmp_path, payments_world,
                                                                                        postgres_pair):
    from tests.integration._payments_world import finish, sql_in, start_run

    database = payments_world["dsn"].rsplit("/", 1)[1]
    sql_in(postgres_pair.primary, database, "INSERT INTO schema_migrations VALUES (20261201, true)")
    code, output, record = finish(*start_run(tmp_path, **payments_world, phase_timeout="15s"))
    assert code == 1, output
    assert record["record"]["outcome"] == "NO-GO"
    status = {p["id"]: p["status"] for p in record["phase"]}
    assert status["full"] == "passed" and status["validation"] == "timeout"
    checks = {c["id"]: c for p in record["phase"] for c in p.get("check", [])}
    assert checks["migrations-clean"]["verdict"] == "FAIL" and checks["migrations-clean"]["last"] == 1
    assert checks["replication-lag"]["verdict"] == "PASS"   # only the migrations hold the gate
