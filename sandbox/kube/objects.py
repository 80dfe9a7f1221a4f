"""Builders for the API objects the sandbox serves: Namespace, Deployment, ReplicaSet, Pod, Event.

The shapes follow what a real API server returns for the same objects, so that
``kubectl`` and the official client read them unchanged.
"""

from __future__ import annotations

import copy
import hashlib
import json

from golive.sandbox.kube.store import ObjectStore, rfc3339

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
NODES = ("node-a", "node-b", "node-c")


def image_tag(image: str) -> str:
    """The tag of an image reference (``reg:5000/app:v1@sha256:…`` → ``v1``; none → ``latest``)."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def _without_zero_values(value: object) -> object:
    # nulls and empty objects decode to Go's zero values: ``creationTimestamp: null`` (which
    # ``kubectl rollout undo`` sends back) is the same template as none at all
    if isinstance(value, dict):
        pairs = ((k, _without_zero_values(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_without_zero_values(v) for v in value]
    return value


def template_hash(template: dict) -> str:
    """A stable pod-template-hash for a pod template (without its own hash label)."""
    template = copy.deepcopy(template)
    (template.get("metadata", {}).get("labels") or {}).pop(HASH_LABEL, None)
    digest = hashlib.sha256(json.dumps(_without_zero_values(template), sort_keys=True).encode()).digest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def container(name: str, image: str) -> dict:
    return {
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                           "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1,
                           "failureThreshold": 3},
        "resources": {}, "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def deployment(ns: str, name: str, image: str, replicas: int = 3, labels: dict | None = None,
               container_name: str = "app", version_label: bool = True) -> dict:
    """A Deployment selecting ``labels`` (default ``app=<name>``); pods also carry ``version=<tag>``."""
    labels = dict(labels or {"app": name})
    pod_labels = dict(labels)
    if version_label:
        pod_labels["version"] = image_tag(image)
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels), "annotations": {}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {"containers": [container(container_name, image)], "restartPolicy": "Always",
                         "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                         "securityContext": {}, "schedulerName": "default-scheduler"},
            },
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
        "status": {},
    }


def owner_reference(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def replica_set(deploy: dict, pod_hash: str, revision: int) -> dict:
    """The ReplicaSet a Deployment's controller makes for its current template."""
    template = copy.deepcopy(deploy["spec"]["template"])
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
    selector = copy.deepcopy(deploy["spec"]["selector"])
    selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
    replicas = deploy["spec"].get("replicas", 1)
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": f'{deploy["metadata"]["name"]}-{pod_hash}',
            "namespace": deploy["metadata"]["namespace"],
            "labels": dict(template["metadata"]["labels"]),
            "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                            "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                            REVISION: str(revision)},
            "ownerReferences": [owner_reference(deploy)],
        },
        "spec": {"replicas": 0, "selector": selector, "template": template},
        "status": {"replicas": 0},
    }


def pod(store: ObjectStore, rs: dict) -> dict:
    """A new, unscheduled Pod of a ReplicaSet."""
    template = rs["spec"]["template"]
    name = f'{rs["metadata"]["name"]}-{store.random_suffix()}'
    spec = copy.deepcopy(template["spec"])
    spec.update({"serviceAccountName": "default", "serviceAccount": "default", "enableServiceLinks": True,
                 "preemptionPolicy": "PreemptLowerPriority", "priority": 0})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "generateName": f'{rs["metadata"]["name"]}-',
                     "namespace": rs["metadata"]["namespace"],
                     "labels": dict(template["metadata"].get("labels") or {}),
                     "annotations": dict(template["metadata"].get("annotations") or {}),
                     "ownerReferences": [owner_reference(rs)]},
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    }


def event(store: ObjectStore, about: dict, type_: str, reason: str, message: str,
          component: str = "kubelet", host: str = "", field_path: str = "") -> dict:
    """A core/v1 Event about an object, as a kubelet or controller records it."""
    meta = about["metadata"]
    now = rfc3339()
    involved = {"kind": about["kind"], "namespace": meta.get("namespace", ""), "name": meta["name"],
                "uid": meta.get("uid", ""), "apiVersion": about["apiVersion"],
                "resourceVersion": meta.get("resourceVersion", "")}
    if field_path:
        involved["fieldPath"] = field_path
    source = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f'{meta["name"]}.{store.random.getrandbits(64):016x}',
                     "namespace": meta.get("namespace", "default")},
        "involvedObject": involved, "reason": reason, "message": message, "source": source,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": type_, "eventTime": None,
        "reportingComponent": component, "reportingInstance": host,
    }
