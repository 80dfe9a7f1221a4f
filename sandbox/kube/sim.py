"""Golive's rollout simulator: the cluster behind the Kubernetes sandbox, driven step by step
(tests call ``step()``/``advance()``, the demo runs ``run(speed)``)."""

from __future__ import annotations

import asyncio

from golive.sandbox.kube.controllers import DeploymentController, ReplicaSetController, controlled_by
from golive.sandbox.kube.kubelet import EventRecorder, Kubelet
from golive.sandbox.kube.objects import HASH_LABEL, deployment, image_tag, namespace, template_hash
from golive.sandbox.kube.store import AlreadyExists, NotFound, ObjectStore, rfc3339


class RolloutSimulator:
    """Plays scheduler, kubelets and controllers over an ObjectStore; thread-safe.

    Each ``step()`` moves every pod one stage (Pending → ContainerCreating → Running →
    ready; terminating pods go) and lets the controllers act, so a changed image rolls
    pods over one by one. The other methods set up what a go-live meets: canary
    weights, a pod in CrashLoopBackOff, an image that cannot be pulled, warnings.
    """

    def __init__(self, store: ObjectStore, tick: float = 1.0):
        self.store = store
        self.tick = tick
        self.clock = 0.0  # simulated seconds, for progress deadlines
        self.recorder = EventRecorder(store)
        self.kubelet = Kubelet(store, self.recorder)
        self.deployments = DeploymentController(store, self.recorder, lambda: self.clock)
        self.replica_sets = ReplicaSetController(store, self.recorder, self._on_new_pod)
        self._canary: dict[tuple[str, str], int] = {}
        self._crashing_pods: set[tuple[str, str]] = set()
        self._crashing_templates: set[tuple[str, str]] = set()
        self._crash_next: dict[tuple[str, str], int] = {}
        self._bad_images: set[str] = set()

    # ------------------------------------------------------------ time

    def step(self) -> bool:
        """Advance the cluster by one tick; returns whether any object changed."""
        store = self.store
        with store.lock:
            before = store.resource_version
            self.clock += self.tick
            for p in store.list("pods")[0]:
                self.kubelet.advance(p, self._is_crashing(p), self._image_fails(p))
            self._collect_garbage()
            news = {}
            for d in store.list("deployments")[0]:
                key = (d["metadata"]["namespace"], d["metadata"]["name"])
                news[key] = self.deployments.sync(d, self._owned("replicasets", d), self._pods_of,
                                                  self._canary.get(key))
            for rs in store.list("replicasets")[0]:
                self.replica_sets.sync(rs, self._pods_of(rs))
            for rs in store.list("replicasets")[0]:
                self.replica_sets.update_status(rs, self._pods_of(rs))
            for d in store.list("deployments")[0]:
                key = (d["metadata"]["namespace"], d["metadata"]["name"])
                rss = self._owned("replicasets", d)
                new = next((rs for rs in rss if rs["metadata"]["uid"] == news[key]["metadata"]["uid"]), None)
                if new is not None:
                    self.deployments.update_status(d, new, rss)
            return store.resource_version != before

    def advance(self, seconds: float) -> int:
        """Run the steps that ``seconds`` of simulated time hold; returns how many changed something."""
        return sum(1 for _ in range(max(1, round(seconds / self.tick))) if self.step())

    def settle(self, max_steps: int = 200) -> int:
        """Step until nothing changes (a crashlooping pod never settles); returns the steps taken."""
        for n in range(1, max_steps + 1):
            if not self.step():
                return n
        return max_steps

    async def run(self, speed: float = 1.0) -> None:
        """Step forever, one tick every ``tick / speed`` seconds of wall time (cancel to stop)."""
        while True:
            self.step()
            await asyncio.sleep(self.tick / speed)

    # ------------------------------------------------------------ setting up a cluster

    def create_namespace(self, name: str) -> dict:
        """Create a namespace (an existing one is returned as it is)."""
        try:
            return self.store.create("namespaces", namespace(name))
        except AlreadyExists:
            return self.store.get("namespaces", "", name)

    def create_deployment(self, ns: str, name: str, image: str, replicas: int = 3, labels: dict | None = None,
                          ready: bool = True) -> dict:
        """Create a Deployment (and its namespace); with ``ready`` its pods are running and ready."""
        self.create_namespace(ns)
        self.store.create("deployments", deployment(ns, name, image, replicas, labels))
        if ready:
            self.settle()
        return self.store.get("deployments", ns, name)

    def set_image(self, ns: str, name: str, image: str, container: str | None = None) -> dict:
        """Change a container's image (and the pods' ``version`` label), as a release does.

        Raises:
            NotFound: no such Deployment or container.
        """
        with self.store.lock:
            d = self._deployment(ns, name)
            template = d["spec"]["template"]
            target = next((c for c in template["spec"]["containers"] if container in (None, c["name"])), None)
            if target is None:
                raise NotFound(f'container "{container}" not found in deployment "{name}"')
            target["image"] = image
            labels = template["metadata"].setdefault("labels", {})
            if "version" in labels and "version" not in (d["spec"]["selector"].get("matchLabels") or {}):
                labels["version"] = image_tag(image)
            return self.store.update("deployments", d)

    def scale(self, ns: str, name: str, replicas: int) -> dict:
        with self.store.lock:
            d = self._deployment(ns, name)
            d["spec"]["replicas"] = replicas
            return self.store.update("deployments", d)

    def set_canary(self, ns: str, name: str, new_pods: int | None) -> None:
        """Hold a rollout at ``new_pods`` new-version pods beside the old ones; None releases it."""
        if new_pods is None:
            self._canary.pop((ns, name), None)
        else:
            self._canary[(ns, name)] = max(0, new_pods)

    def crashloop(self, ns: str, name: str, all_new: bool = False) -> str | None:
        """Make a pod crash, or one pod of a Deployment's current version (every one with ``all_new``).

        Returns the pod's name, or None when the next pod created will be the one.
        Raises:
            NotFound: neither a pod nor a Deployment of that name.
        """
        with self.store.lock:
            if self.store.get("pods", ns, name) is not None:
                self._crashing_pods.add((ns, name))
                return name
            d = self._deployment(ns, name)
            h = template_hash(d["spec"]["template"])
            if all_new:
                self._crashing_templates.add((ns, h))
                return None
            candidates = [p for p in self.store.list("pods", ns)[0]
                          if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == h
                          and not p["metadata"].get("deletionTimestamp") and not self._is_crashing(p)]
            if candidates:
                chosen = min(candidates, key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
                self._crashing_pods.add((ns, chosen["metadata"]["name"]))
                return chosen["metadata"]["name"]
            self._crash_next[(ns, name)] = self._crash_next.get((ns, name), 0) + 1
            return None

    def heal(self, ns: str, name: str) -> None:
        """Stop a pod (or every pod of a Deployment) from crashing."""
        with self.store.lock:
            self._crashing_pods.discard((ns, name))
            self._crash_next.pop((ns, name), None)
            d = self.store.get("deployments", ns, name)
            if d is not None:
                h = template_hash(d["spec"]["template"])
                self._crashing_templates.discard((ns, h))
                for p in self.store.list("pods", ns)[0]:
                    if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == h:
                        self._crashing_pods.discard((ns, p["metadata"]["name"]))

    def fail_image_pull(self, image: str, fails: bool = True) -> None:
        """Make pulling ``image`` fail (ErrImagePull / ImagePullBackOff), or succeed again."""
        (self._bad_images.add if fails else self._bad_images.discard)(image)

    def warn(self, ns: str, kind: str, name: str, reason: str, message: str) -> dict:
        """Record a Warning event about an object (``kind`` is Pod, Deployment or ReplicaSet)."""
        plural = {"Pod": "pods", "Deployment": "deployments", "ReplicaSet": "replicasets"}[kind]
        obj = self.store.get(plural, ns, name)
        if obj is None:
            raise NotFound(f'{plural} "{name}" not found')
        return self.recorder.record(obj, "Warning", reason, message, component="golive-sandbox")

    def delete_pod(self, ns: str, name: str) -> None:
        """Start a pod's graceful termination (its ReplicaSet replaces it)."""
        with self.store.lock:
            p = self.store.get("pods", ns, name)
            if p is None:
                raise NotFound(f'pods "{name}" not found')
            p["metadata"]["deletionTimestamp"] = rfc3339()
            self.store.update("pods", p)

    # ------------------------------------------------------------ internals

    def _deployment(self, ns: str, name: str) -> dict:
        d = self.store.get("deployments", ns, name)
        if d is None:
            raise NotFound(f'deployments.apps "{name}" not found')
        return d

    def _owned(self, plural: str, owner: dict) -> list[dict]:
        return [o for o in self.store.list(plural, owner["metadata"]["namespace"])[0] if controlled_by(o, owner)]

    def _pods_of(self, rs: dict) -> list[dict]:
        return self._owned("pods", rs)

    def _is_crashing(self, p: dict) -> bool:
        ns = p["metadata"]["namespace"]
        h = (p["metadata"].get("labels") or {}).get(HASH_LABEL, "")
        return (ns, p["metadata"]["name"]) in self._crashing_pods or (ns, h) in self._crashing_templates

    def _image_fails(self, p: dict) -> bool:
        return any(c["image"] in self._bad_images for c in p["spec"]["containers"])

    def _on_new_pod(self, rs: dict, p: dict) -> None:
        owner = next((r["name"] for r in rs["metadata"].get("ownerReferences") or [] if r.get("kind") == "Deployment"),
                     None)
        key = (rs["metadata"]["namespace"], owner)
        if owner and self._crash_next.get(key):
            self._crash_next[key] -= 1
            self._crashing_pods.add((p["metadata"]["namespace"], p["metadata"]["name"]))

    def _collect_garbage(self) -> None:
        """Delete ReplicaSets whose Deployment is gone and start terminating their orphaned pods."""
        for plural, owner_plural in (("replicasets", "deployments"), ("pods", "replicasets")):
            for obj in self.store.list(plural)[0]:
                for ref in obj["metadata"].get("ownerReferences") or []:
                    owner = self.store.get(owner_plural, obj["metadata"]["namespace"], ref["name"])
                    if ref.get("controller") and (owner is None or owner["metadata"]["uid"] != ref["uid"]):
                        if plural == "replicasets":
                            self.store.delete(plural, obj["metadata"]["namespace"], obj["metadata"]["name"])
                        elif not obj["metadata"].get("deletionTimestamp"):
                            obj["metadata"]["deletionTimestamp"] = rfc3339()
                            self.store.update(plural, obj)
                        break
        self._crashing_pods = {k for k in self._crashing_pods if self.store.get("pods", *k) is not None}
