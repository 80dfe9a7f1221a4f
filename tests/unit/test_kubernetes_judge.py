"""Judging Kubernetes objects as the API sends them, without a server; and the lazy import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from golive.checks.kubernetes.pods import image_tag, judge, pod_problem, rollout_status
from golive.checks.kubernetes.selectors import parse_label_selector
from golive.console.runbook import KubernetesCheck

ROOT = Path(__file__).resolve().parents[2]


def deployment(status: dict, generation: int = 2, replicas: int = 3) -> dict:
    return {"metadata": {"name": "api", "generation": generation},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"spec": {"containers": [{"name": "app", "image": "reg:5000/api:v2"}]}}},
            "status": status}


def pod(name: str, waiting: str | None = None, restarts: int = 0, last: str | None = None, ready: bool = True) -> dict:
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {"metadata": {"name": name, "labels": {"app": "api"}, "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "reg:5000/api:v2"}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": "True" if ready and not waiting else "False"}],
                       "containerStatuses": [{"name": "app", "ready": ready and not waiting, "restartCount": restarts,
                                              "state": state,
                                              "lastState": {"terminated": {"reason": last}} if last else {}}]}}


def test_counts_the_api_leaves_out_are_zero_so_a_bare_status_is_not_a_complete_rollout():
    done, why = rollout_status(deployment({"observedGeneration": 2}))

    assert done is False and why == "rollout of api: 0 of 3 new replicas updated"


def test_a_generation_not_yet_observed_is_not_complete_even_with_every_count_right():
    counts = {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}

    assert rollout_status(deployment({"observedGeneration": 1, **counts})) == \
        (False, "rollout of api: spec update not yet observed")
    assert rollout_status(deployment({"observedGeneration": 2, **counts})) == (True, "api 3/3 available")


def test_a_progress_deadline_exceeded_is_named():
    status = {"observedGeneration": 2, "conditions": [{"type": "Progressing", "status": "False",
                                                       "reason": "ProgressDeadlineExceeded"}]}

    assert rollout_status(deployment(status)) == (False, "rollout of api exceeded its progress deadline")


def test_an_oom_killed_crash_loop_names_both_reasons_and_the_restarts():
    assert pod_problem(pod("a", "CrashLoopBackOff", restarts=4, last="OOMKilled")) == \
        "CrashLoopBackOff (OOMKilled, 4 restarts)"
    assert pod_problem(pod("b", "ErrImagePull")) == "ErrImagePull"
    assert pod_problem(pod("c", "ContainerCreating")) is None


def test_too_many_restarts_fail_a_pods_ready_check_even_when_every_pod_is_ready():
    check = KubernetesCheck(id="pods", source="kubernetes", deployment="api", expect="pods-ready", max_restarts=2)
    pods = [pod("api-1", restarts=1), pod("api-2", restarts=3)]

    verdict = judge(check, "ns", deployment({}), pods, now=1.7e9)

    assert verdict.ok is False and verdict.value == 2
    assert verdict.detail == "pod api-2 restarted 3 times (max 2)"


def test_image_tags_are_read_from_any_reference_form():
    assert image_tag("registry.example.com:5000/team/api:v1.2.3") == "v1.2.3"
    assert image_tag("api:v1@sha256:abc") == "v1"
    assert image_tag("registry.example.com:5000/api") == "latest"


def test_label_selectors_parse_equality_set_and_existence_requirements():
    matches = parse_label_selector("app=api, track!=canary, tier in (web,edge), !legacy")

    assert matches({"app": "api", "tier": "web"}) is True
    assert matches({"app": "api", "tier": "web", "track": "canary"}) is False
    assert matches({"app": "api", "tier": "db"}) is False
    assert matches({"app": "api", "tier": "edge", "legacy": "yes"}) is False
    with pytest.raises(ValueError, match="cannot parse"):
        parse_label_selector("app=api,=oops")


def test_label_selectors_parse_notin_double_equals_and_plain_existence():
    matches = parse_label_selector("app==api,track notin (canary, shadow),tier")

    assert matches({"app": "api", "tier": "web"}) is True
    assert matches({"app": "api", "tier": "web", "track": "shadow"}) is False
    assert matches({"app": "api"}) is False
    assert matches({"app": "web", "tier": "web"}) is False


def test_an_available_check_judged_without_its_deployment_is_a_value_error():
    check = KubernetesCheck(id="pods", source="kubernetes", selector="app=api")

    with pytest.raises(ValueError, match="needs a deployment"):
        judge(check, "ns", None, [pod("api-1")], now=1.7e9)


def test_importing_the_source_and_the_sandbox_does_not_import_the_kubernetes_client():
    code = ("import sys, checks, golive.checks.kubernetes, golive.sandbox.kube.sandbox, golive.sandbox.kube.sim;"
            "print('kubernetes' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.stdout.strip() == "False", done.stderr
