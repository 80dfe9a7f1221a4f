"""The Kubernetes source runs its client on a thread of its own: the caller's event loop never stalls on it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from golive.checks.kubernetes import create
from tests.fixtures.kube import DEPLOYMENT, IMAGE, NAMESPACE
from tests.integration.test_kubernetes_source import eventually, rollout_check, target

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def source_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("golive-kubernetes-")]


def test_a_fresh_process_keeps_its_loop_turning_while_the_client_takes_its_first_samples(kube_payments, kubeconfig):
    # a new process, so the client is imported and its validators are built during the sample
    done = subprocess.run([sys.executable, "-m", "tests.integration._kube_caller_probe", str(kubeconfig), NAMESPACE,
                           DEPLOYMENT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"first sample took {probe['first_sample_seconds']:.2f}s; the caller's loop turned {probe['ticks']} times, "
          f"its longest stall {probe['longest_gap'] * 1000:.0f} ms")

    assert probe["sample"] == {"ok": True, "value": 3.0, "error": None, "detail": f"{DEPLOYMENT} 3/3 available"}
    assert probe["kubernetes_imported"] is True
    assert probe["client_code_on_caller"] is None  # no import, validation, list or watch ran on the caller's thread
    assert probe["ticks_while_client_busy_elsewhere"] > 0  # the caller's loop turned while the client worked


def test_changes_and_warnings_are_told_on_the_callers_thread_and_close_ends_the_sources_thread(
        kube_payments, kubeconfig):
    sim = kube_payments.sim

    async def scenario():
        told: list[tuple[str, int]] = []
        source = create("prod", target(kubeconfig), on_change=lambda: told.append(("change", threading.get_ident())),
                        on_log=lambda level, text: told.append(("log", threading.get_ident())))
        check = rollout_check(expect="pods-ready")
        try:
            before = source_threads()
            await eventually(source, check, lambda s: s.ok is True)
            during = source_threads()
            sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            sim.crashloop(NAMESPACE, DEPLOYMENT)
            await eventually(source, check, lambda s: {"change", "log"} <= {what for what, _ in told}, step=sim.step)
        finally:
            await source.close()
        return threading.get_ident(), told, before, during, source_threads()

    caller, told, before, during, after = asyncio.run(scenario())

    assert {thread for _, thread in told} == {caller}
    assert (before, during, after) == ([], ["golive-kubernetes-prod"], [])
