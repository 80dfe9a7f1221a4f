"""`golive demo`: the sandboxes, the scenarios end to end, and the real kubectl watching the rollout."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from golive.checks.base import Sample
from golive.console.cmd_demo import demo_answers, demo_runbook_path
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.sandbox.demo_world import DemoWorld
from tests.fixtures._binaries import need_binary

ROOT = Path(__file__).resolve().parents[2]


def demo(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    folder = tmp_path / "session"
    res = subprocess.run([sys.executable, "-m", "golive.console.cli", "demo", "--headless", "--speed", "60",
                          "--session-dir", str(folder), *args], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, stdin=subprocess.DEVNULL)
    record = tomllib.loads((folder / "record.toml").read_text()) if (folder / "record.toml").exists() else {}
    return res, record


def test_the_good_scenario_ends_go_with_a_record(tmp_path):
    res, record = demo(tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert record["record"]["outcome"] == "GO"
    # the headless output names the kubeconfig the real kubectl can use while the demo runs
    assert "KUBECONFIG=" in res.stderr and "/kubeconfig kubectl get pods -n shop" in res.stderr
    assert [p["status"] for p in record["phase"]] == ["passed"] * 6
    assert {s["role"] for s in record["signature_status"]["signed_off"]} == {"deployment-lead", "operations"}
    assert all(a["exit_code"] == 0 for a in record["action"])
    from golive.console.journal import read_journal
    from golive.console.record import journal_anchor

    replay = read_journal(tmp_path / "session" / "journal.jsonl")
    assert (record["record"]["journal_sha256"], record["record"]["journal_events"]) == \
        journal_anchor(replay.events, replay.head)


def test_the_bad_canary_is_rolled_back_by_its_trigger(tmp_path):
    res, record = demo(tmp_path, "--scenario", "bad-canary")
    assert res.returncode == 1, res.stderr[-2000:]
    assert record["record"]["outcome"] == "ROLLED BACK"
    assert "Canary error rate above 2% fired" in record["record"]["reason"]  # the trigger by its title
    fired = {t["id"]: t for t in record["trigger"]}
    assert fired["canary-error-spike"]["state"] == "firing" and "fired_at" in fired["canary-error-spike"]
    rollback = [a for a in record["action"] if a["action"] == "rollback"]
    assert rollback and rollback[0]["exit_code"] == 0 and "abort" in rollback[0]["argv"]
    assert record["decision"][-1]["kind"] == "rollback"
    assert "rollout aborted" in res.stdout
    from golive.console.journal import read_journal
    from golive.console.journal_audit import record_differences, signoff_problems

    replay = read_journal(tmp_path / "session" / "journal.jsonl")
    anchor = record["record"]["journal_events"]
    assert record_differences(record, replay.events, anchor) == []  # what verify --journal holds it to
    assert signoff_problems(record, replay.events, replay.head, anchor) == []


def test_the_flaky_scenario_shows_error_never_pass_while_metrics_are_down(tmp_path):
    samples: list[Sample] = []

    async def run(world: DemoWorld) -> Session:
        runbook = load_runbook(demo_runbook_path(), world.variables)
        session = Session.start(runbook, session_dir=tmp_path / "s", headless=True, answers=demo_answers(runbook),
                                overrides=world.variables)
        session.subscribe(lambda kind, payload: samples.append(payload) if kind == "sample" else None)
        await session.run()
        session.close()
        return session

    with DemoWorld("flaky", speed=60) as world:
        session = asyncio.run(run(world))
        prometheus = {c.id for _, c in session.runbook.iter_checks() if c.source == "prometheus"}
        during = [s for s in samples if s.check_id in prometheus and world.model.in_outage(s.at)]
        after = [s for s in samples if s.check_id in prometheus and s.at > max(x.at for x in during)]
    assert during, "no sample fell in the outage"
    assert all(s.error and "503" in s.error for s in during)
    assert any(s.value is not None and not s.error for s in after)  # recovered
    assert session.engine.state.outcome == "GO"
    journal = (tmp_path / "s" / "journal.jsonl").read_text()
    assert '"verdict":"ERROR"' in journal and "503" in journal


def test_kubectl_shows_the_pods_rolling_while_the_demo_runs(tmp_path):
    kubectl = need_binary("kubectl", "kubectl")
    with DemoWorld("good", speed=20) as world:
        def pods() -> str:
            return subprocess.run([kubectl, "--kubeconfig", str(world.kubeconfig), "get", "pods", "-n", "shop",
                                   "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,"
                                   "PHASE:.status.phase"], capture_output=True, text=True, timeout=30).stdout
        before = pods()
        assert before.count("v2.3.1") == 6 and "v2.4.0" not in before
        subprocess.run([sys.executable, "-m", "golive.sandbox.rollout", "weight", "checkout", "50", "--server",
                        world.kube.url, "--namespace", "shop", "--image",
                        "registry.example.com/shop/checkout:v2.4.0"], check=True, cwd=ROOT, capture_output=True)
        seen: set[str] = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = pods()
            seen.update(line.split()[-1] for line in now.splitlines()[1:] if "v2.4.0" in line)
            if now.count("v2.4.0") >= 3 and "Running" in seen:
                break
            time.sleep(0.2)
    assert now.count("v2.4.0") == 3 and now.count("v2.3.1") >= 3
    assert "Running" in seen
