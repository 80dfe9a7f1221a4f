"""The Kubernetes source follows a real (sandbox) API server by list+watch and judges rollouts."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from golive.checks.base import Sample
from golive.checks.kubernetes import create
from golive.console.runbook import KubernetesCheck, KubernetesTarget
from golive.sandbox.kube.sandbox import KubeSandboxThread
from tests.fixtures._binaries import free_port
from tests.fixtures.kube import DEPLOYMENT, IMAGE, NAMESPACE

pytestmark = pytest.mark.integration


def rollout_check(**fields: Any) -> KubernetesCheck:
    return KubernetesCheck(id="rollout", source="kubernetes", **{"deployment": DEPLOYMENT, **fields})


def target(kubeconfig: Path) -> KubernetesTarget:
    return KubernetesTarget(kubeconfig=str(kubeconfig), namespace=NAMESPACE)


async def eventually(source: Any, check: KubernetesCheck, wanted: Callable[[Sample], bool],
                     step: Callable[[], object] | None = None, timeout: float = 20.0) -> Sample:
    """Sample (stepping the simulator between samples if asked) until ``wanted``; fails at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        sample = await source.sample(check)
        if wanted(sample):
            return sample
        assert loop.time() < deadline, f"never came: last sample {sample}"
        if step is not None:
            step()
        await asyncio.sleep(0.02)


def test_a_rollout_is_followed_through_the_watch_from_fail_to_pass(kube_payments, kubeconfig):
    sim = kube_payments.sim

    async def scenario():
        changed = asyncio.Event()
        source = create("prod", target(kubeconfig), on_change=changed.set)
        check = rollout_check(image_tag="v1.2.3")
        try:
            before = await source.sample(check)
            sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            samples, pushes = [], 0
            for _ in range(60):
                changed.clear()
                if sim.step():
                    await asyncio.wait_for(changed.wait(), 10)  # the watch, not a poll, brings the news
                    pushes += 1
                samples.append(await source.sample(check))
                if samples[-1].ok:
                    break
            return before, samples, pushes, source.watch_status(NAMESPACE)
        finally:
            await source.close()

    before, samples, pushes, status = asyncio.run(scenario())

    assert before.ok is False and before.detail == f"{DEPLOYMENT} runs image tag v1.2.2, not v1.2.3"
    assert samples[-1].ok is True and samples[-1].value == 3
    assert samples[-1].detail == f"{DEPLOYMENT} 3/3 available, image v1.2.3"
    assert any("1 of 3 new replicas updated" in s.detail for s in samples)
    seen = {row["status"] for s in samples for row in s.extra["pods"]}
    assert {"Pending", "ContainerCreating", "Running", "Terminating"} <= seen
    assert pushes >= 5 and status["lists"] == 1


def test_pod_rows_carry_what_the_pod_table_shows(kube_payments, kubeconfig):
    async def scenario():
        source = create("prod", target(kubeconfig))
        try:
            return await source.sample(rollout_check(image_tag="v1.2.2"))
        finally:
            await source.close()

    sample = asyncio.run(scenario())

    assert sample.ok is True and sample.value == 3
    row = sample.extra["pods"][0]
    assert set(row) == {"name", "ready", "status", "restarts", "age_seconds", "node", "image_tag", "version"}
    assert (row["ready"], row["status"], row["restarts"], row["image_tag"], row["version"]) == \
        ("1/1", "Running", 0, "v1.2.2", "v1.2.2")
    assert row["node"].startswith("node-") and row["age_seconds"] >= 0


def test_a_dropped_watch_resumes_from_where_it_was_without_a_new_list(kube_payments, kubeconfig):
    async def scenario():
        source = create("prod", target(kubeconfig))
        check = rollout_check()
        try:
            await eventually(source, check, lambda s: s.ok is True and kube_payments.store.watchers == 3)
            dropped = kube_payments.drop_watches()
            kube_payments.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            kube_payments.sim.step()
            after = await eventually(source, check, lambda s: "new replicas updated" in s.detail)
            return dropped, after, source.watch_status(NAMESPACE)
        finally:
            await source.close()

    dropped, after, status = asyncio.run(scenario())

    assert dropped == 3  # pods, deployments and events were being watched
    assert after.ok is False and status["lists"] == 1 and status["error"] is None


def test_a_stopped_api_server_is_an_error_until_it_returns_and_changes_meanwhile_are_seen(kube_payments, kubeconfig):
    async def scenario():
        changes = []
        source = create("prod", target(kubeconfig), on_change=lambda: changes.append(1))
        check = rollout_check()
        try:
            await eventually(source, check, lambda s: s.ok is True)
            kube_payments.stop_server()
            down = await eventually(source, check, lambda s: s.error is not None)
            calls_when_down = len(changes)
            kube_payments.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            kube_payments.sim.step()
            kube_payments.start_server()
            back = await eventually(source, check, lambda s: s.error is None and "new replicas" in s.detail)
            return down, back, calls_when_down, source.watch_status(NAMESPACE)
        finally:
            await source.close()

    down, back, calls_when_down, status = asyncio.run(scenario())

    assert down.error == f"cannot reach the Kubernetes API at {kube_payments.url}: connection refused"
    assert down.ok is None and down.value is None
    assert calls_when_down >= 1  # going down is itself a change the screen must see
    assert back.ok is False and status["lists"] == 1  # resumed from its resourceVersion


def test_a_410_gone_after_the_history_was_compacted_makes_it_list_again(kube_payments, kubeconfig):
    async def scenario():
        source = create("prod", target(kubeconfig))
        check = rollout_check(image_tag="v1.2.3")
        try:
            await eventually(source, check, lambda s: s.ok is False and s.error is None)
            kube_payments.stop_server()
            await eventually(source, check, lambda s: s.error is not None)
            kube_payments.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            kube_payments.sim.settle()
            kube_payments.store.compact()
            kube_payments.start_server()
            # the deployment and the pods are followed by two informers that come back on their own
            # backoffs: wait until the pods, too, show the new image
            after = await eventually(source, check, lambda s: s.ok is True and bool(s.extra.get("pods")) and all(
                row["image_tag"] == "v1.2.3" for row in s.extra["pods"]))
            return after, source.watch_status(NAMESPACE)
        finally:
            await source.close()

    after, status = asyncio.run(scenario())

    assert after.detail == f"{DEPLOYMENT} 3/3 available, image v1.2.3"
    assert status["lists"] == 2
    assert all(row["image_tag"] == "v1.2.3" for row in after.extra["pods"])


def test_a_crashlooping_pod_fails_its_check_naming_the_reason_and_warns_once(kube_payments, kubeconfig):
    sim = kube_payments.sim
    logs: list[tuple[str, str]] = []

    async def scenario():
        source = create("prod", target(kubeconfig), on_log=lambda level, text: logs.append((level, text)))
        check = rollout_check(expect="pods-ready")
        try:
            await eventually(source, check, lambda s: s.ok is True)
            sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            sim.crashloop(NAMESPACE, DEPLOYMENT)
            crashing = await eventually(source, check, lambda s: "restarts)" in s.detail, step=sim.step)
            for _ in range(8):  # more back-offs of the same pod: the same events, counted up
                sim.step()
            later = await eventually(source, check, lambda s: s.extra["pods"] and max(
                r["restarts"] for r in s.extra["pods"]) > 2, step=sim.step)
            return crashing, later
        finally:
            await source.close()

    crashing, later = asyncio.run(scenario())

    assert crashing.ok is False
    assert re.fullmatch(rf"pod {DEPLOYMENT}-\w+-\w+ CrashLoopBackOff \(\d+ restarts?\)", crashing.detail)
    pod = crashing.detail.split()[1]
    assert any(r["name"] == pod and r["status"] == "CrashLoopBackOff" for r in crashing.extra["pods"])
    backoffs = [text for level, text in logs if text.startswith(f"k8s: BackOff pod/{pod}: ")]
    assert len(backoffs) == 1 and all(level == "warning" for level, _ in logs)
    assert later.ok is False


def test_a_wrong_token_is_an_error_naming_401_without_the_token(kube_payments, tmp_path):
    token = "wrong-secret-token-4711"
    kubeconfig = kube_payments.write_kubeconfig(tmp_path / "bad", namespace=NAMESPACE, token=token)

    async def scenario():
        source = create("prod", target(kubeconfig))
        try:
            return await source.sample(rollout_check())
        finally:
            await source.close()

    sample = asyncio.run(scenario())

    assert sample.error is not None and "401 Unauthorized" in sample.error
    assert token not in sample.error and "\n" not in sample.error
    assert sample.ok is None


def test_an_unreachable_api_server_is_an_error_before_any_list(tmp_path):
    with KubeSandboxThread(port=free_port()) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig", namespace=NAMESPACE)
        url = sandbox.url
    # the sandbox is gone: nothing listens at its address any more

    async def scenario():
        source = create("prod", target(kubeconfig))
        try:
            return await source.sample(rollout_check())
        finally:
            await source.close()

    sample = asyncio.run(scenario())

    assert sample.error == f"cannot reach the Kubernetes API at {url}: connection refused"


def test_a_canary_check_judges_only_the_pods_of_the_new_image(kube_payments, kubeconfig):
    sim = kube_payments.sim
    sim.set_canary(NAMESPACE, DEPLOYMENT, 1)
    sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
    sim.settle()

    async def scenario():
        source = create("prod", target(kubeconfig))
        try:
            return [await source.sample(c) for c in (
                rollout_check(expect="pods-ready", image_tag="v1.2.3"),
                rollout_check(expect="pods-ready", image_tag="v9.9.9"),
                rollout_check(expect="available", image_tag="v1.2.3"),
                rollout_check(deployment="billing-api"),
            )]
        finally:
            await source.close()

    canary, nothing, whole, missing = asyncio.run(scenario())

    assert canary.ok is True and canary.value == 1 and canary.detail == f"1/1 pods of {DEPLOYMENT} ready"
    assert len(canary.extra["pods"]) == 3  # the table still shows old and new side by side
    assert nothing.no_data and nothing.ok is None
    assert whole.ok is False and whole.detail == f"rollout of {DEPLOYMENT}: 1 of 3 new replicas updated"
    assert missing.ok is False and missing.detail == f"deployment billing-api not found in namespace {NAMESPACE}"


def test_two_clusters_are_two_sources_that_do_not_mix(kube_payments, kubeconfig, tmp_path):
    with KubeSandboxThread() as other:
        other.sim.create_deployment(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3", replicas=2)
        other_config = other.write_kubeconfig(tmp_path / "other", context="dr-site", namespace=NAMESPACE)

        async def scenario():
            first, second = create("prod", target(kubeconfig)), create("dr", target(other_config))
            try:
                return await first.sample(rollout_check()), await second.sample(rollout_check())
            finally:
                await first.close()
                await second.close()

        prod, dr = asyncio.run(scenario())

    assert (prod.value, dr.value) == (3, 2)
    assert {r["image_tag"] for r in prod.extra["pods"]} == {"v1.2.2"}
    assert {r["image_tag"] for r in dr.extra["pods"]} == {"v1.2.3"}
