"""Services in the Kubernetes sandbox: a selector over pods, switched from blue to green by a patch.

The real kubectl patches a Service's ``spec.selector`` here as it would on a cluster;
``served_by`` tells the demo's traffic model which pods the selector picks now.
"""

from __future__ import annotations

import zlib
from typing import Any

from golive.sandbox.kube.selectors import selector_string


def service(ns: str, name: str, selector: dict[str, str], port: int = 80, target_port: int = 8080) -> dict:
    """A ClusterIP Service object as the API server stores it (the cluster IP derived from its name)."""
    octets = zlib.crc32(f"{ns}/{name}".encode()) & 0xFFFF
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"type": "ClusterIP", "clusterIP": f"10.96.{octets >> 8}.{octets & 0xFF}",
                 "clusterIPs": [f"10.96.{octets >> 8}.{octets & 0xFF}"], "selector": dict(selector),
                 "ports": [{"name": "http", "protocol": "TCP", "port": port, "targetPort": target_port}],
                 "sessionAffinity": "None"},
        "status": {"loadBalancer": {}},
    }


def create_service(store: Any, ns: str, name: str, selector: dict[str, str], port: int = 80) -> dict:
    return store.create("services", service(ns, name, selector, port))


def selector_of(store: Any, ns: str, name: str) -> dict[str, str]:
    """The Service's selector now; {} when the Service is gone (it then selects nothing)."""
    svc = store.get("services", ns, name)
    return dict(((svc or {}).get("spec") or {}).get("selector") or {})


def served_by(store: Any, ns: str, name: str) -> list[dict]:
    """The live pods the Service's selector picks (none without a selector, as in Kubernetes)."""
    selector = selector_of(store, ns, name)
    if not selector:
        return []
    pods = store.list("pods", ns)[0]
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")
            and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]


def service_row(svc: dict) -> list[Any]:
    """NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR, as kubectl prints a Service."""
    from golive.sandbox.kube.tables import since

    spec = svc.get("spec") or {}
    ports = ",".join(f"{p['port']}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
    selector = spec.get("selector") or {}
    return [svc["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "None"), "<none>", ports,
            since(svc["metadata"].get("creationTimestamp")),
            selector_string({"matchLabels": selector}) if selector else "<none>"]
