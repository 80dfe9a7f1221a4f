"""What the sandbox Kubernetes API serves: its resources, their kinds and discovery documents.

Part of Golive's Kubernetes sandbox (used by the demo and the tests); the shapes follow
the real API server's legacy discovery (``/api``, ``/apis``, ``/api/v1``, ``/apis/apps/v1``).
"""

from __future__ import annotations

from dataclasses import dataclass

SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:02:27Z",
    "goVersion": "go1.23.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Resource:
    """One served resource: ``plural`` is the URL segment and the store's key."""

    plural: str
    singular: str
    kind: str
    group: str
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"


RESOURCES: tuple[Resource, ...] = (
    Resource("namespaces", "namespace", "Namespace", "", "v1", False, ("ns",)),
    Resource("pods", "pod", "Pod", "", "v1", True, ("po",), ("all",)),
    Resource("events", "event", "Event", "", "v1", True, ("ev",)),
    Resource("services", "service", "Service", "", "v1", True, ("svc",), ("all",)),
    Resource("deployments", "deployment", "Deployment", "apps", "v1", True, ("deploy",), ("all",)),
    Resource("replicasets", "replicaset", "ReplicaSet", "apps", "v1", True, ("rs",), ("all",)),
)

BY_PATH: dict[tuple[str, str, str], Resource] = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KIND: dict[str, Resource] = {r.kind: r for r in RESOURCES}
BY_PLURAL: dict[str, Resource] = {r.plural: r for r in RESOURCES}


def api_versions(server_address: str) -> dict:
    """The core group's version list served at ``/api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group_list() -> dict:
    """The named groups served at ``/apis`` (only those with resources here)."""
    groups = sorted({r.group for r in RESOURCES if r.group})
    out = []
    for group in groups:
        gv = {"groupVersion": f"{group}/v1", "version": "v1"}
        out.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}


def api_resource_list(group: str, version: str) -> dict | None:
    """The resources of one group/version (``/api/v1``, ``/apis/apps/v1``); None if not served."""
    served = [r for r in RESOURCES if r.group == group and r.version == version]
    if not served:
        return None
    resources = []
    for r in served:
        entry = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": VERBS,
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        if r.plural in ("deployments", "replicasets", "pods"):
            resources.append({"name": f"{r.plural}/status", "singularName": "", "namespaced": True,
                              "kind": r.kind, "verbs": ["get", "patch", "update"]})
        if r.plural in ("deployments", "replicasets"):
            resources.append({"name": f"{r.plural}/scale", "singularName": "", "namespaced": True,
                              "group": "autoscaling", "version": "v1", "kind": "Scale",
                              "verbs": ["get", "patch", "update"]})
    out = {"kind": "APIResourceList", "groupVersion": f"{group}/{version}" if group else version,
           "resources": resources}
    if group:
        out["apiVersion"] = "v1"
    return out
