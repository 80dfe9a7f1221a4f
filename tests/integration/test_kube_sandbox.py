"""The Kubernetes sandbox is good enough for the real kubectl and the official asyncio client."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.fixtures.kube import DEPLOYMENT, IMAGE, NAMESPACE

pytestmark = pytest.mark.integration


def _get_json(url: str, accept: str = "application/json") -> dict:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_kubectl_get_prints_the_sandbox_pods_and_deployments(kube_payments, kubeconfig, kubectl):
    done = kubectl(kubeconfig, "get", "pods,deployments")

    assert done.returncode == 0, done.stderr
    pod_lines = [line.split() for line in done.stdout.splitlines() if line.startswith("pod/")]
    assert len(pod_lines) == 3
    assert all(cells[1:4] == ["1/1", "Running", "0"] for cells in pod_lines)
    assert all(cells[0].startswith(f"pod/{DEPLOYMENT}-") for cells in pod_lines)
    deployment = next(line.split() for line in done.stdout.splitlines() if line.startswith("deployment.apps/"))
    assert deployment[:4] == [f"deployment.apps/{DEPLOYMENT}", "3/3", "3", "3"]
    header = next(line.split() for line in done.stdout.splitlines() if "UP-TO-DATE" in line)
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]


def test_kubectl_get_json_shows_real_api_objects(kube_payments, kubeconfig, kubectl):
    pods = json.loads(kubectl(kubeconfig, "get", "pods", "-o", "json").stdout)
    deployment = json.loads(kubectl(kubeconfig, "get", f"deployment/{DEPLOYMENT}", "-o", "json").stdout)

    pod = pods["items"][0]
    assert pod["kind"] == "Pod" and pod["metadata"]["namespace"] == NAMESPACE
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert pod["metadata"]["labels"]["pod-template-hash"]
    assert pod["status"]["containerStatuses"][0]["ready"] is True
    assert int(pod["metadata"]["resourceVersion"]) > 0 and pod["metadata"]["uid"]
    status = deployment["status"]
    assert (status["replicas"], status["updatedReplicas"], status["readyReplicas"], status["availableReplicas"]) \
        == (3, 3, 3, 3)
    assert status["observedGeneration"] == deployment["metadata"]["generation"] == 1
    assert {c["type"]: c["status"] for c in status["conditions"]} == {"Available": "True", "Progressing": "True"}


def test_kubectl_set_image_starts_a_rollout_that_rollout_status_sees_finish(kube_payments, kubeconfig, kubectl):
    done = kubectl(kubeconfig, "set", "image", f"deployment/{DEPLOYMENT}", f"app={IMAGE}:v1.2.3")
    assert done.returncode == 0, done.stderr

    watcher = subprocess.Popen([kubectl.binary, "--kubeconfig", str(kubeconfig), "--cache-dir", str(kubectl.cache),
                                "rollout", "status", f"deployment/{DEPLOYMENT}", "--timeout=60s"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while watcher.poll() is None and time.monotonic() < deadline:
            kube_payments.sim.step()
            time.sleep(0.05)  # lets kubectl's watch see each step; nothing is timed
        out, err = watcher.communicate(timeout=10)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 0, err
    assert "new replicas have been updated" in out
    assert f'deployment "{DEPLOYMENT}" successfully rolled out' in out
    template = kube_payments.store.get("deployments", NAMESPACE, DEPLOYMENT)["spec"]["template"]
    assert template["spec"]["containers"][0]["image"] == f"{IMAGE}:v1.2.3"


def test_kubectl_rollout_undo_brings_back_the_previous_replica_set(kube_payments, kubeconfig, kubectl):
    sim = kube_payments.sim
    sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
    sim.settle()

    done = kubectl(kubeconfig, "rollout", "undo", f"deployment/{DEPLOYMENT}")
    sim.settle()

    assert done.returncode == 0, done.stderr
    deployment = kube_payments.store.get("deployments", NAMESPACE, DEPLOYMENT)
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMAGE}:v1.2.2"
    replica_sets = {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs
                    for rs in kube_payments.store.list("replicasets", NAMESPACE)[0]}
    assert sorted(replica_sets) == ["2", "3"]  # the first ReplicaSet came back as revision 3
    assert replica_sets["3"]["status"]["readyReplicas"] == 3
    assert replica_sets["3"]["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMAGE}:v1.2.2"


def test_kubectl_scale_goes_through_the_scale_subresource_and_the_simulator_follows(kube_payments, kubeconfig,
                                                                                    kubectl):
    done = kubectl(kubeconfig, "scale", f"deployment/{DEPLOYMENT}", "--replicas=5")
    kube_payments.sim.settle()

    assert done.returncode == 0, done.stderr
    status = kube_payments.store.get("deployments", NAMESPACE, DEPLOYMENT)["status"]
    assert (status["replicas"], status["availableReplicas"]) == (5, 5)
    assert len(kube_payments.store.list("pods", NAMESPACE)[0]) == 5


def test_kubectl_shows_a_crashlooping_pod_and_its_warning_events(kube_payments, kubeconfig, kubectl):
    sim = kube_payments.sim
    sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
    sim.crashloop(NAMESPACE, DEPLOYMENT)
    for _ in range(12):
        sim.step()

    pods = kubectl(kubeconfig, "get", "pods").stdout
    events = kubectl(kubeconfig, "get", "events", "--field-selector", "type=Warning").stdout

    crashing = [line.split() for line in pods.splitlines() if "CrashLoopBackOff" in line]
    assert len(crashing) == 1 and crashing[0][1] == "0/1" and int(crashing[0][3]) >= 2
    assert "BackOff" in events and f"pod/{crashing[0][0]}" in events and "Normal" not in events


def test_kubectl_over_https_sends_its_token_and_a_wrong_token_is_refused(kube_sandbox_tls, tmp_path, kubectl):
    kube_sandbox_tls.sim.create_deployment(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.2", replicas=2)
    good = kube_sandbox_tls.write_kubeconfig(tmp_path / "good", namespace=NAMESPACE)
    bad = kube_sandbox_tls.write_kubeconfig(tmp_path / "bad", namespace=NAMESPACE, token="not-the-token")

    allowed = kubectl(good, "get", "deployments")
    refused = kubectl(bad, "get", "deployments")

    assert allowed.returncode == 0 and f"{DEPLOYMENT}   2/2" in allowed.stdout, allowed.stderr
    assert refused.returncode != 0
    assert "provide credentials" in refused.stderr or "Unauthorized" in refused.stderr


def test_the_table_format_has_the_columns_of_the_real_printers(kube_payments):
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    pods = _get_json(f"{kube_payments.url}/api/v1/namespaces/{NAMESPACE}/pods", accept)
    deployments = _get_json(f"{kube_payments.url}/apis/apps/v1/namespaces/{NAMESPACE}/deployments", accept)

    assert pods["kind"] == "Table" and pods["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in pods["columnDefinitions"] if c["priority"] == 0] == \
        ["Name", "Ready", "Status", "Restarts", "Age"]
    assert [c["name"] for c in deployments["columnDefinitions"] if c["priority"] == 0] == \
        ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert deployments["rows"][0]["cells"][:4] == [DEPLOYMENT, "3/3", 3, 3]
    assert pods["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_lists_honour_label_and_field_selectors(kube_payments):
    sim = kube_payments.sim
    sim.set_canary(NAMESPACE, DEPLOYMENT, 1)
    sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
    sim.settle()
    base = f"{kube_payments.url}/api/v1/namespaces/{NAMESPACE}/pods"

    canary = _get_json(f"{base}?labelSelector=app%3D{DEPLOYMENT}%2Cversion%3Dv1.2.3")["items"]
    stable = _get_json(f"{base}?labelSelector=version%20in%20(v1.2.2)")["items"]
    one = _get_json(f"{base}?fieldSelector=metadata.name%3D{canary[0]['metadata']['name']}")["items"]
    running = _get_json(f"{base}?fieldSelector=status.phase%3DRunning")["items"]

    assert len(canary) == 1 and len(stable) == 2 and len(running) == 3
    assert [p["metadata"]["name"] for p in one] == [canary[0]["metadata"]["name"]]


def test_a_label_selector_the_source_cannot_parse_is_refused_by_the_sandbox_in_the_same_words(kube_payments):
    from golive.checks.kubernetes.selectors import SelectorError, parse_label_selector

    bad = "app=api,!track=canary"
    with pytest.raises(SelectorError) as refused:
        parse_label_selector(bad)
    url = f"{kube_payments.url}/api/v1/namespaces/{NAMESPACE}/pods?labelSelector={urllib.parse.quote(bad)}"
    with pytest.raises(urllib.error.HTTPError) as answer:
        _get_json(url)
    assert answer.value.code == 400
    assert json.load(answer.value)["message"] == str(refused.value) == \
        "cannot parse label selector requirement '!track=canary'"


def test_the_official_asyncio_client_lists_watches_and_gets_410_for_old_versions(kube_payments, kubeconfig):
    from kubernetes.aio import client, config, watch

    async def scenario() -> tuple[list, list[tuple[str, str]], int]:
        api = await config.new_client_from_config(config_file=str(kubeconfig), persist_config=False)
        try:
            core = client.CoreV1Api(api)
            listed = await core.list_namespaced_pod(NAMESPACE)
            kube_payments.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:v1.2.3")
            kube_payments.sim.step()
            seen: list[tuple[str, str]] = []
            stream = watch.Watch()
            async for event in stream.stream(core.list_namespaced_pod, NAMESPACE, timeout_seconds=10,
                                             resource_version=listed.metadata.resource_version):
                seen.append((event["type"], event["object"].status.phase))
                if event["type"] == "ADDED":
                    stream.stop()
            await stream.close()
            kube_payments.store.compact()
            gone = 0
            try:
                stream = watch.Watch()
                async for _ in stream.stream(core.list_namespaced_pod, NAMESPACE, timeout_seconds=1,
                                             resource_version=listed.metadata.resource_version):
                    pass
            except client.exceptions.ApiException as exc:
                gone = exc.status
            finally:
                await stream.close()
            return listed.items, seen, gone
        finally:
            await api.close()

    items, seen, gone = asyncio.run(scenario())

    assert len(items) == 3 and all(p.status.phase == "Running" for p in items)
    assert ("ADDED", "Pending") in seen  # the new ReplicaSet's first pod, typed as a V1Pod
    assert gone == 410


def test_kubectl_switches_a_services_selector_from_blue_to_green(kube_sandbox, kubeconfig, kubectl):
    from golive.sandbox.kube.services import create_service, served_by

    sim = kube_sandbox.sim
    for colour, tag in (("blue", "v1.2.2"), ("green", "v1.2.3")):
        sim.create_deployment(NAMESPACE, f"web-{colour}", f"{IMAGE}:{tag}", replicas=2,
                              labels={"app": "web", "color": colour})
    create_service(kube_sandbox.store, NAMESPACE, "web", {"app": "web", "color": "blue"})

    listed = kubectl(kubeconfig, "get", "services", "-o", "wide")
    assert listed.returncode == 0, listed.stderr
    row = next(line.split() for line in listed.stdout.splitlines() if line.startswith("web "))
    assert row[1] == "ClusterIP" and row[4] == "80/TCP" and row[-1] == "app=web,color=blue"

    done = kubectl(kubeconfig, "patch", "service", "web", "--type", "merge", "-p",
                   '{"spec":{"selector":{"color":"green"}}}')
    assert done.returncode == 0, done.stderr
    assert "service/web patched" in done.stdout
    selected = kubectl(kubeconfig, "get", "service", "web", "-o", "jsonpath={.spec.selector.color}")
    assert selected.stdout == "green"
    assert {p["metadata"]["labels"]["color"] for p in served_by(kube_sandbox.store, NAMESPACE, "web")} == {"green"}
