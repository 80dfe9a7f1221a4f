"""Server-side printing: the meta.k8s.io Table that ``kubectl get`` asks the sandbox for.

Columns and cells follow the real API server's printers (pods: NAME READY STATUS
RESTARTS AGE, then the wide columns; deployments: NAME READY UP-TO-DATE AVAILABLE AGE …).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from golive.sandbox.kube.selectors import selector_string


def human_duration(seconds: float) -> str:
    """Kubernetes' short human duration (``45s``, ``3m12s``, ``2h5m``, ``3d4h``)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None) -> str:
    """Age of an RFC 3339 timestamp as kubectl prints it; ``<unknown>`` when absent."""
    if not timestamp:
        return "<unknown>"
    at = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return human_duration((datetime.now(timezone.utc) - at).total_seconds())


def _col(name: str, type_: str = "string", priority: int = 0, fmt: str = "") -> dict:
    return {"name": name, "type": type_, "format": fmt, "description": name, "priority": priority}


def pod_status(pod: dict) -> tuple[str, int, int, str]:
    """(STATUS, ready containers, restarts, RESTARTS cell) computed like kubectl's pod printer."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    ready = restarts = 0
    last_restart = None
    has_running = False
    for cs in reversed(status.get("containerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        terminated_before = (cs.get("lastState") or {}).get("terminated")
        if terminated_before:
            last_restart = terminated_before.get("finishedAt")
        state = cs.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif "terminated" in state:
            reason = f'ExitCode:{state["terminated"].get("exitCode", 0)}'
        elif cs.get("ready") and "running" in state:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        reason = "Running"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    cell = str(restarts)
    if restarts and last_restart:
        cell = f"{restarts} ({since(last_restart)} ago)"
    return reason, ready, restarts, cell


def _pod_row(pod: dict) -> list[Any]:
    reason, ready, _, restarts = pod_status(pod)
    total = len(pod.get("spec", {}).get("containers") or [])
    status = pod.get("status") or {}
    return [pod["metadata"]["name"], f"{ready}/{total}", reason, restarts,
            since(pod["metadata"].get("creationTimestamp")),
            status.get("podIP") or "<none>", pod.get("spec", {}).get("nodeName") or "<none>", "<none>", "<none>"]


def _workload_extras(obj: dict) -> list[str]:
    containers = obj["spec"]["template"]["spec"].get("containers") or []
    return [",".join(c["name"] for c in containers), ",".join(c["image"] for c in containers),
            selector_string(obj["spec"].get("selector"))]


def _deployment_row(d: dict) -> list[Any]:
    st = d.get("status") or {}
    desired = d["spec"].get("replicas", 1)
    return [d["metadata"]["name"], f'{st.get("readyReplicas", 0)}/{desired}', st.get("updatedReplicas", 0),
            st.get("availableReplicas", 0), since(d["metadata"].get("creationTimestamp")), *_workload_extras(d)]


def _replica_set_row(rs: dict) -> list[Any]:
    st = rs.get("status") or {}
    return [rs["metadata"]["name"], rs["spec"].get("replicas", 1), st.get("replicas", 0), st.get("readyReplicas", 0),
            since(rs["metadata"].get("creationTimestamp")), *_workload_extras(rs)]


def _event_row(e: dict) -> list[Any]:
    obj = e.get("involvedObject") or {}
    source = e.get("source") or {}
    last = e.get("lastTimestamp") or e.get("eventTime") or e["metadata"].get("creationTimestamp")
    return [since(last), e.get("type", ""), e.get("reason", ""), f'{obj.get("kind", "").lower()}/{obj.get("name", "")}',
            obj.get("fieldPath", ""), ", ".join(v for v in (source.get("component"), source.get("host")) if v),
            e.get("message", ""), since(e.get("firstTimestamp") or last), e.get("count", 1), e["metadata"]["name"]]


def _namespace_row(ns: dict) -> list[Any]:
    return [ns["metadata"]["name"], (ns.get("status") or {}).get("phase", "Active"),
            since(ns["metadata"].get("creationTimestamp"))]


_WORKLOAD_COLS = [_col("Containers", priority=1), _col("Images", priority=1), _col("Selector", priority=1)]
PRINTERS: dict[str, tuple[list[dict], Callable[[dict], list[Any]]]] = {
    "pods": ([_col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts"), _col("Age"),
              _col("IP", priority=1), _col("Node", priority=1), _col("Nominated Node", priority=1),
              _col("Readiness Gates", priority=1)], _pod_row),
    "deployments": ([_col("Name", fmt="name"), _col("Ready"), _col("Up-to-date", "integer"),
                     _col("Available", "integer"), _col("Age"), *_WORKLOAD_COLS], _deployment_row),
    "replicasets": ([_col("Name", fmt="name"), _col("Desired", "integer"), _col("Current", "integer"),
                     _col("Ready", "integer"), _col("Age"), *_WORKLOAD_COLS], _replica_set_row),
    "events": ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Subobject", priority=1),
                _col("Source", priority=1), _col("Message"), _col("First Seen", priority=1),
                _col("Count", "integer", priority=1), _col("Name", priority=1)], _event_row),
    "namespaces": ([_col("Name", fmt="name"), _col("Status"), _col("Age")], _namespace_row),
    "services": ([_col("Name", fmt="name"), _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"),
                  _col("Age"), _col("Selector", priority=1)], lambda svc: _service_row(svc)),
}


def _service_row(svc: dict) -> list[Any]:
    from golive.sandbox.kube.services import service_row

    return service_row(svc)


def _row_object(obj: dict, include: str, version: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}", "metadata": obj["metadata"]}


def table(plural: str, objects: list[dict], resource_version: int | str, include: str = "Metadata",
          version: str = "v1") -> dict:
    """A meta.k8s.io Table of ``objects`` with the real printer's columns."""
    columns, row_of = PRINTERS[plural]
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": row_of(obj)}
        if (o := _row_object(obj, include, version)) is not None:
            row["object"] = o
        rows.append(row)
    return {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}",
            "metadata": {"resourceVersion": str(resource_version)}, "columnDefinitions": columns, "rows": rows}
