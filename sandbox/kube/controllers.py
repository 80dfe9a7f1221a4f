"""The Kubernetes sandbox's deployment and replica-set controllers, following the real ones'
arithmetic (maxSurge/maxUnavailable, status counts, conditions, progress deadline)."""

from __future__ import annotations

import math
from typing import Callable

from golive.sandbox.kube.kubelet import EventRecorder
from golive.sandbox.kube.objects import HASH_LABEL, REVISION, pod, replica_set, template_hash
from golive.sandbox.kube.store import ObjectStore, rfc3339


def scaled_value(value: int | str | None, total: int, round_up: bool, default: str = "25%") -> int:
    """An IntOrString like ``25%`` or ``1`` against ``total`` replicas."""
    value = default if value is None else value
    if isinstance(value, str) and value.endswith("%"):
        exact = total * int(value[:-1]) / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def controlled_by(obj: dict, owner: dict) -> bool:
    uid = owner["metadata"]["uid"]
    return any(r.get("controller") and r.get("uid") == uid for r in obj["metadata"].get("ownerReferences") or [])


def revision(obj: dict) -> int:
    return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0") or 0)


def is_active(p: dict) -> bool:
    return not p["metadata"].get("deletionTimestamp")


def is_ready(p: dict) -> bool:
    return is_active(p) and any(c["type"] == "Ready" and c["status"] == "True"
                                for c in (p.get("status") or {}).get("conditions") or [])


def _omit_zero(status: dict, keep: tuple[str, ...] = ()) -> dict:
    # the API omits zero counts (omitempty), and clients must read absence as zero
    return {k: v for k, v in status.items() if v or k in keep}


class ReplicaSetController:
    """Keeps each ReplicaSet's pod count at its spec.replicas and its status current."""

    def __init__(self, store: ObjectStore, recorder: EventRecorder, on_new_pod: Callable[[dict, dict], None]):
        self.store, self.recorder, self.on_new_pod = store, recorder, on_new_pod

    def sync(self, rs: dict, pods: list[dict]) -> None:
        active = [p for p in pods if is_active(p)]
        want = rs["spec"].get("replicas", 1)
        for _ in range(want - len(active)):
            created = self.store.create("pods", pod(self.store, rs))
            self.on_new_pod(rs, created)
            self.recorder.record(rs, "Normal", "SuccessfulCreate", f'Created pod: {created["metadata"]["name"]}',
                                 component="replicaset-controller")
            active.append(created)
        if len(active) > want:
            # as the real controller: unscheduled, then not ready, then the newest go first
            doomed = sorted(active, key=lambda p: (bool(p["spec"].get("nodeName")), is_ready(p),
                                                   [-ord(c) for c in p["metadata"]["creationTimestamp"]]))
            for p in doomed[: len(active) - want]:
                p["metadata"]["deletionTimestamp"] = rfc3339()
                p["metadata"]["deletionGracePeriodSeconds"] = 30
                self.store.update("pods", p)
                self.recorder.record(rs, "Normal", "SuccessfulDelete", f'Deleted pod: {p["metadata"]["name"]}',
                                     component="replicaset-controller")
                self.recorder.record(p, "Normal", "Killing", f'Stopping container {p["spec"]["containers"][0]["name"]}',
                                     host=p["spec"].get("nodeName", ""))

    def update_status(self, rs: dict, pods: list[dict]) -> dict:
        active = [p for p in pods if is_active(p)]
        ready = sum(1 for p in active if is_ready(p))
        status = _omit_zero({"replicas": len(active), "fullyLabeledReplicas": len(active), "readyReplicas": ready,
                             "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)},
                            keep=("replicas",))
        if status != rs.get("status"):
            rs["status"] = status
            return self.store.update("replicasets", rs)
        return rs


class DeploymentController:
    """Creates and scales a Deployment's ReplicaSets and writes its status.

    A changed pod template gets a new ReplicaSet (next revision); a RollingUpdate scales
    it up within maxSurge and the old ones down within maxUnavailable; the status
    conditions include ProgressDeadlineExceeded, measured on simulated time.
    """

    def __init__(self, store: ObjectStore, recorder: EventRecorder, clock: Callable[[], float]):
        self.store, self.recorder, self.clock = store, recorder, clock
        self._last_progress: dict[str, float] = {}

    def sync(self, d: dict, rss: list[dict], pods_of: Callable[[dict], list[dict]], canary: int | None) -> dict:
        """Reconcile one Deployment; returns its new ReplicaSet."""
        key = d["metadata"]["uid"]
        h = template_hash(d["spec"]["template"])
        rss = sorted(rss, key=revision)
        new = next((rs for rs in rss if (rs["metadata"].get("labels") or {}).get(HASH_LABEL) == h), None)
        top = max((revision(rs) for rs in rss), default=0)
        if new is None:
            new = self.store.create("replicasets", replica_set(d, h, top + 1))
            self._last_progress[key] = self.clock()
        elif revision(new) < top:
            # a rollback to an older template makes its ReplicaSet the newest revision
            new["metadata"]["annotations"][REVISION] = str(top + 1)
            new = self.store.update("replicasets", new)
            self._last_progress[key] = self.clock()
        if (d["metadata"].get("annotations") or {}).get(REVISION) != str(revision(new)):
            d["metadata"].setdefault("annotations", {})[REVISION] = str(revision(new))
            d.update(self.store.update("deployments", d))
        old = [rs for rs in rss if rs["metadata"]["uid"] != new["metadata"]["uid"]]
        if not d["spec"].get("paused"):
            self._scale_all(d, new, old, pods_of, canary)
        return new

    def _available(self, rs: dict, pods_of: Callable[[dict], list[dict]]) -> int:
        return sum(1 for p in pods_of(rs) if is_ready(p))

    def _scale(self, d: dict, rs: dict, to: int) -> None:
        was = rs["spec"].get("replicas", 0)
        if was == to:
            return
        rs["spec"]["replicas"] = to
        rs["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = str(
            d["spec"].get("replicas", 1))
        rs.update(self.store.update("replicasets", rs))
        self.recorder.record(d, "Normal", "ScalingReplicaSet",
                             f'Scaled {"up" if to > was else "down"} replica set {rs["metadata"]["name"]} '
                             f'from {was} to {to}',
                             component="deployment-controller")

    def _scale_all(self, d: dict, new: dict, old: list[dict], pods_of: Callable[[dict], list[dict]],
                   canary: int | None) -> None:
        replicas = d["spec"].get("replicas", 1)
        old_running = [rs for rs in old if rs["spec"].get("replicas", 0) > 0]
        strategy = d["spec"].get("strategy") or {}
        if canary is not None and old_running:
            # a canary holds old and new side by side: ``canary`` new pods, the rest old
            self._scale(d, new, min(canary, replicas))
            newest_old = old_running[-1]
            for rs in old_running[:-1]:
                self._scale(d, rs, 0)
            self._scale(d, newest_old, max(replicas - min(canary, replicas), 0))
            return
        if strategy.get("type") == "Recreate":
            for rs in old_running:
                self._scale(d, rs, 0)
            if not any(pods_of(rs) for rs in old):
                self._scale(d, new, replicas)
            return
        rolling = strategy.get("rollingUpdate") or {}
        surge = scaled_value(rolling.get("maxSurge"), replicas, round_up=True)
        unavailable = scaled_value(rolling.get("maxUnavailable"), replicas, round_up=False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        total = sum(rs["spec"].get("replicas", 0) for rs in [new, *old])
        have = new["spec"].get("replicas", 0)
        if have < replicas:
            up = min(replicas + surge - total, replicas - have)
            if up > 0:
                self._scale(d, new, have + up)
        elif have > replicas:
            self._scale(d, new, replicas)
        if not old_running:
            return
        min_available = replicas - unavailable
        total = sum(rs["spec"].get("replicas", 0) for rs in [new, *old])
        new_unavailable = new["spec"].get("replicas", 0) - self._available(new, pods_of)
        # first the old pods that are not available anyway, then healthy ones within maxUnavailable
        budget = total - min_available - new_unavailable
        for rs in old_running:
            unhealthy = rs["spec"]["replicas"] - self._available(rs, pods_of)
            cut = min(unhealthy, budget)
            if cut > 0:
                self._scale(d, rs, rs["spec"]["replicas"] - cut)
                budget -= cut
        budget = sum(self._available(rs, pods_of) for rs in [new, *old]) - min_available
        for rs in old_running:
            cut = min(rs["spec"]["replicas"], budget)
            if cut > 0:
                self._scale(d, rs, rs["spec"]["replicas"] - cut)
                budget -= cut

    def update_status(self, d: dict, new: dict, rss: list[dict]) -> None:
        """Write status fields and the Available/Progressing conditions, as the real controller."""
        key, replicas = d["metadata"]["uid"], d["spec"].get("replicas", 1)
        st = lambda rs, f: (rs.get("status") or {}).get(f, 0)  # noqa: E731
        available = sum(st(rs, "availableReplicas") for rs in rss)
        counts = {
            "replicas": sum(st(rs, "replicas") for rs in rss),
            "updatedReplicas": st(new, "replicas"),
            "readyReplicas": sum(st(rs, "readyReplicas") for rs in rss),
            "availableReplicas": available,
            "unavailableReplicas": max(sum(rs["spec"].get("replicas", 0) for rs in rss) - available, 0),
        }
        previous = d.get("status") or {}
        if any(counts[f] > previous.get(f, 0) for f in ("updatedReplicas", "readyReplicas", "availableReplicas")) \
                or counts["replicas"] < previous.get("replicas", 0):
            self._last_progress[key] = self.clock()
        rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
        min_available = replicas - scaled_value(rolling.get("maxUnavailable"), replicas, round_up=False)
        name = new["metadata"]["name"]
        complete = (counts["updatedReplicas"] == replicas and counts["replicas"] == replicas
                    and available == replicas)
        deadline = d["spec"].get("progressDeadlineSeconds", 600)
        if complete:
            progressing = ("True", "NewReplicaSetAvailable", f'ReplicaSet "{name}" has successfully progressed.')
        elif self.clock() - self._last_progress.get(key, self.clock()) > deadline:
            progressing = ("False", "ProgressDeadlineExceeded", f'ReplicaSet "{name}" has timed out progressing.')
        else:
            progressing = ("True", "ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.')
        if available >= min_available:
            avail = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        else:
            avail = ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
        old_conditions = {c["type"]: c for c in previous.get("conditions") or []}
        conditions = []
        for type_, (value, reason, message) in (("Available", avail), ("Progressing", progressing)):
            old = old_conditions.get(type_)
            same = old and (old["status"], old["reason"], old["message"]) == (value, reason, message)
            conditions.append({"type": type_, "status": value,
                               "lastUpdateTime": old["lastUpdateTime"] if same else rfc3339(),
                               "lastTransitionTime": old["lastTransitionTime"] if old and old["status"] == value
                               else rfc3339(),
                               "reason": reason, "message": message})
        status = {"observedGeneration": d["metadata"].get("generation", 1), **_omit_zero(counts),
                  "conditions": conditions}
        if status != previous:
            d["status"] = status
            self.store.update("deployments", d)
