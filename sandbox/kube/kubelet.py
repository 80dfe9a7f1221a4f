"""The Kubernetes sandbox's simulated kubelet and scheduler, and its event recorder
(a repeated event raises its ``count``, as a kubelet's does)."""

from __future__ import annotations

from golive.sandbox.kube.objects import NODES, event
from golive.sandbox.kube.store import NotFound, ObjectStore, rfc3339


class EventRecorder:
    """Records core/v1 Events, folding a repeat of the same event into its ``count``."""

    def __init__(self, store: ObjectStore):
        self.store = store
        self._seen: dict[tuple[str, str, str], tuple[str, str]] = {}

    def record(self, about: dict, type_: str, reason: str, message: str,
               component: str = "kubelet", host: str = "") -> dict:
        key = (about["metadata"].get("uid", ""), reason, message)
        if key in self._seen:
            existing = self.store.get("events", *self._seen[key])
            if existing is not None:
                existing["count"] = existing.get("count", 1) + 1
                existing["lastTimestamp"] = rfc3339()
                return self.store.update("events", existing)
        created = self.store.create("events", event(self.store, about, type_, reason, message, component, host))
        self._seen[key] = (created["metadata"]["namespace"], created["metadata"]["name"])
        return created


def _condition(type_: str, status: bool, previous: dict, reason: str = "", message: str = "") -> dict:
    old = next((c for c in previous.get("conditions") or [] if c["type"] == type_), None)
    value = "True" if status else "False"
    since = old["lastTransitionTime"] if old and old["status"] == value else rfc3339()
    cond = {"type": type_, "status": value, "lastProbeTime": None, "lastTransitionTime": since}
    if reason:
        cond.update(reason=reason, message=message)
    return cond


def stage(pod: dict) -> str:
    """Where a pod is in its life: unscheduled, a waiting reason, terminated, running or ready."""
    if not pod["spec"].get("nodeName"):
        return "unscheduled"
    statuses = pod["status"].get("containerStatuses") or []
    if not statuses:
        return "ContainerCreating"
    state = statuses[0].get("state") or {}
    if "waiting" in state:
        return state["waiting"].get("reason", "ContainerCreating")
    if "terminated" in state:
        return "terminated"
    return "ready" if statuses[0].get("ready") else "running"


class Kubelet:
    """Advances pods; told by the simulator which pods crash and which images fail to pull.

    Pending → ContainerCreating → Running (not ready) → Running (ready); a crashing pod
    cycles Running → Error → CrashLoopBackOff with its restartCount rising; a pod whose
    image cannot be pulled cycles ErrImagePull ↔ ImagePullBackOff; a terminating pod goes.
    """

    def __init__(self, store: ObjectStore, recorder: EventRecorder):
        self.store = store
        self.recorder = recorder
        self._next_node = 0
        self._backoff: dict[str, int] = {}  # pod uid → steps left in CrashLoopBackOff

    def advance(self, pod: dict, crashing: bool, image_fails: bool) -> bool:
        """Move one pod one step; returns whether it changed."""
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            self._backoff.pop(meta["uid"], None)
            try:
                self.store.delete("pods", meta["namespace"], meta["name"])
            except NotFound:
                pass
            return True
        now = stage(pod)
        host = pod["spec"].get("nodeName", "")
        if now == "unscheduled":
            node = NODES[self._next_node % len(NODES)]
            self._next_node += 1
            pod["spec"]["nodeName"] = node
            pod["status"]["hostIP"] = f"10.0.0.{NODES.index(node) + 10}"
            self._set(pod, "ContainerCreating", ready=False)
            self.recorder.record(pod, "Normal", "Scheduled",
                                 f'Successfully assigned {meta["namespace"]}/{meta["name"]} to {node}',
                                 component="default-scheduler")
        elif now in ("ContainerCreating", "ErrImagePull", "ImagePullBackOff") and image_fails:
            image = pod["spec"]["containers"][0]["image"]
            if now == "ErrImagePull":
                self._set(pod, "ImagePullBackOff", ready=False)
                self.recorder.record(pod, "Warning", "Failed", "Error: ImagePullBackOff", host=host)
                self.recorder.record(pod, "Warning", "BackOff", f'Back-off pulling image "{image}"', host=host)
            else:
                self._set(pod, "ErrImagePull", ready=False)
                self.recorder.record(pod, "Warning", "Failed",
                                     f'Failed to pull image "{image}": not found', host=host)
        elif now == "CrashLoopBackOff" and self._backoff.get(meta["uid"], 0) > 1:
            # the kubelet's back-off grows with each restart, so the pod is mostly seen waiting
            self._backoff[meta["uid"]] -= 1
            self.recorder.record(pod, "Warning", "BackOff", self._backoff_message(pod), host=host)
            return True
        elif now in ("ContainerCreating", "ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"):
            self._set(pod, "running", ready=False)
            if now != "CrashLoopBackOff":
                for c in pod["spec"]["containers"]:
                    self.recorder.record(pod, "Normal", "Pulled", f'Container image "{c["image"]}" already present '
                                         "on machine", host=host)
                    self.recorder.record(pod, "Normal", "Started", f'Started container {c["name"]}', host=host)
        elif now in ("running", "ready") and crashing:
            self._set(pod, "terminated", ready=False)
            self.recorder.record(pod, "Warning", "Unhealthy",
                                 "Readiness probe failed: HTTP probe failed with statuscode: 503", host=host)
        elif now == "terminated":
            self._set(pod, "CrashLoopBackOff", ready=False, restarted=True)
            self._backoff[meta["uid"]] = min(pod["status"]["containerStatuses"][0]["restartCount"], 5)
            self.recorder.record(pod, "Warning", "BackOff", self._backoff_message(pod), host=host)
        elif now == "running":
            self._set(pod, "running", ready=True)
        else:
            return False
        self.store.update("pods", pod)
        return True

    @staticmethod
    def _backoff_message(pod: dict) -> str:
        meta = pod["metadata"]
        return (f'Back-off restarting failed container {pod["spec"]["containers"][0]["name"]} '
                f'in pod {meta["name"]}_{meta["namespace"]}({meta["uid"]})')

    def _set(self, pod: dict, state: str, ready: bool, restarted: bool = False) -> None:
        status, now = pod["status"], rfc3339()
        old = {c["name"]: c for c in status.get("containerStatuses") or []}
        statuses = []
        for c in pod["spec"]["containers"]:
            prev = old.get(c["name"], {})
            cs = {"name": c["name"], "image": c["image"], "imageID": prev.get("imageID", ""),
                  "ready": ready, "restartCount": prev.get("restartCount", 0), "started": False,
                  "lastState": prev.get("lastState", {})}
            if state == "running":
                cs["imageID"] = f'{c["image"].split(":")[0]}@sha256:{self.store.random.getrandbits(256):064x}'
                cs["containerID"] = f"containerd://{self.store.random.getrandbits(256):064x}"
                cs["started"] = True
                started = (prev.get("state") or {}).get("running", {}).get("startedAt", now)
                cs["state"] = {"running": {"startedAt": started}}
            elif state == "terminated":
                running = (prev.get("state") or {}).get("running", {})
                cs["containerID"] = prev.get("containerID", "")
                cs["state"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                              "startedAt": running.get("startedAt", now),
                                              "finishedAt": now, "containerID": prev.get("containerID", "")}}
            else:
                cs["state"] = {"waiting": {"reason": state}}
                if state == "CrashLoopBackOff":
                    cs["state"]["waiting"]["message"] = (f'back-off 10s restarting failed container={c["name"]} '
                                                         f'pod={pod["metadata"]["name"]}_{pod["metadata"]["namespace"]}'
                                                         f'({pod["metadata"]["uid"]})')
            if restarted:
                cs["restartCount"] += 1
                cs["lastState"] = (prev.get("state") or {}) if "terminated" in (prev.get("state") or {}) \
                    else cs["lastState"]
            statuses.append(cs)
        status["containerStatuses"] = statuses
        running = any("running" in cs["state"] or "terminated" in cs["state"] or cs["restartCount"] for cs in statuses)
        status["phase"] = "Running" if running else "Pending"
        if running and not status.get("podIP"):
            node = NODES.index(pod["spec"]["nodeName"]) if pod["spec"]["nodeName"] in NODES else 0
            status["podIP"] = f"10.244.{node}.{self.store.random.randint(2, 250)}"
            status["podIPs"] = [{"ip": status["podIP"]}]
            status["startTime"] = status.get("startTime", now)
        status.setdefault("startTime", now)
        unready = ", ".join(cs["name"] for cs in statuses if not cs["ready"])
        why = ("ContainersNotReady", f"containers with unready status: [{unready}]") if not ready else ("", "")
        status["conditions"] = [
            _condition("PodReadyToStartContainers", True, status),
            _condition("Initialized", True, status),
            _condition("Ready", ready, status, *why),
            _condition("ContainersReady", ready, status, *why),
            _condition("PodScheduled", True, status),
        ]
