"""The demo's world: a Kubernetes sandbox with a Deployment to roll, and a Prometheus-API sandbox fed by it.

Both serve on 127.0.0.1 (free ports) from one background thread. A small
controller turns the canary weight the demo runbook's actions set (an annotation
on the Deployment, see ``golive.sandbox.rollout``) into new-version pods, and
the traffic model follows the pods that are ready. Scenarios: ``good``;
``bad-canary`` (fine at 5 %, then one new pod crash-loops and the canary's errors
climb at 25 %); ``flaky`` (the metrics endpoint drops for a while).
"""

from __future__ import annotations

import asyncio
import math
import shutil
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from golive.sandbox.kube.objects import image_tag
from golive.sandbox.kube.sandbox import KubeSandboxThread
from golive.sandbox.prom_api import PromSandbox
from golive.sandbox.rollout import WEIGHT_ANNOTATION, patch_deployment
from golive.sandbox.traffic import SCENARIOS, TrafficModel

NAMESPACE = "shop"
SERVICE = "checkout"
OLD_VERSION, NEW_VERSION = "v2.3.1", "v2.4.0"
IMAGE = "registry.example.com/shop/checkout"
REPLICAS = 6


class DemoWorld:
    """Start with ``with DemoWorld(scenario, speed) as world:``; ``world.variables`` feed the runbook."""

    # the Deployment the canary controller follows (a world for another example names its own)
    namespace, service, new_version, replicas = NAMESPACE, SERVICE, NEW_VERSION, REPLICAS
    image, old_version = IMAGE, OLD_VERSION
    max_simulation_speed = float("inf")   # pods stepped at most this many ticks a wall second

    def __init__(self, scenario: str = "good", speed: float = 1.0, *, kube_port: int = 0, prom_port: int = 0,
                 kubeconfig: Path | None = None, weight: int = 0):
        """Ports 0 pick free ones; a resumed demo passes the ports, kubeconfig and canary weight it had."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r} (expected one of {', '.join(SCENARIOS)})")
        self.scenario, self.speed = scenario, speed
        self.kube = KubeSandboxThread(port=kube_port)
        self._prom_port, self._weight = prom_port, weight
        self.model = TrafficModel(SERVICE, OLD_VERSION, NEW_VERSION, scenario=scenario, speed=speed,
                                  weight_source=self._new_ready_share, stage_source=lambda: self.stage)
        self.stage = 0
        self.prom_url = ""
        self._runner: web.AppRunner | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="golive-demo-")
        self.kubeconfig = kubeconfig or Path(self._tmp.name) / "kubeconfig"
        # a resumed demo writes its kubeconfig back into the folder the first run made (and removes it after)
        self._made_folder = kubeconfig is not None and kubeconfig.parent.name.startswith("golive-demo-")
        self._crashed = False
        self._controller: asyncio.Task | None = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> "DemoWorld":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Serve both sandboxes; raises OSError when a port is taken (the Kubernetes one stopped again)."""
        self.kube.start()
        self.kube.sim.create_deployment(self.namespace, self.service, f"{self.image}:{self.old_version}",
                                        replicas=self.replicas)
        self.kube.sim.set_canary(self.namespace, self.service, 0)  # a new image waits for a canary weight
        self.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        self.kube.write_kubeconfig(self.kubeconfig, namespace=self.namespace)
        try:
            self.kube._call(self._start_prometheus)
        except BaseException:
            self.stop()
            raise
        if self._weight:
            self._restore_weight(self._weight)
        self._controller = self.kube._call(lambda: asyncio.get_running_loop().create_task(self._control()))
        self.kube.start_simulation(min(self.speed, self.max_simulation_speed))

    def _restore_weight(self, weight: int) -> None:
        """Put the Deployment back where the demo's last action left it (a resume after a crash), the way that
        action did: a PATCH of its image and canary weight."""
        patch = {"metadata": {"annotations": {WEIGHT_ANNOTATION: str(weight)}},
                 "spec": {"template": {"spec": {"containers": [{"name": "app",
                                                               "image": f"{self.image}:{self.new_version}"}]}}}}
        patch_deployment(self.kube.url, self.namespace, self.service, patch)

    def stop(self) -> None:
        try:
            if self._controller is not None:
                self.kube._call(self._controller.cancel)
            if self._runner is not None:
                self.kube._call(self._runner.cleanup)
        finally:
            self.kube.stop()
            self._tmp.cleanup()
            if self._made_folder:
                shutil.rmtree(self.kubeconfig.parent, ignore_errors=True)

    async def _start_prometheus(self) -> None:
        self._runner = web.AppRunner(PromSandbox(self.model).application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._prom_port)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.prom_url = f"http://127.0.0.1:{port}"

    @property
    def variables(self) -> dict[str, str]:
        """The demo runbook's variables: where the sandboxes are, and durations scaled by the speed."""
        def dur(seconds: float, floor: float = 0.1) -> str:
            return f"{max(floor, seconds / self.speed) * 1000:.0f}ms"

        return {
            "prometheus_url": self.prom_url,
            "kube_server": self.kube.url,
            "kubeconfig": str(self.kubeconfig),
            "python": sys.executable,
            "every": dur(2.0),
            "hold": dur(20.0),
            "short_hold": dur(5.0),
            "trigger_for": dur(10.0),
            "timeout": dur(300.0, floor=30.0),
        }

    # ------------------------------------------------------------ the canary controller

    def _deployment(self) -> dict | None:
        return self.kube.store.get("deployments", self.namespace, self.service)

    def _pods(self) -> list[dict]:
        return [p for p in self.kube.store.list("pods", self.namespace)[0]
                if (p["metadata"].get("labels") or {}).get("app") == self.service
                and not p["metadata"].get("deletionTimestamp")]

    @staticmethod
    def _ready(pod: dict) -> bool:
        return any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (pod.get("status") or {}).get("conditions") or [])

    def _new_ready_share(self) -> float:
        ready = [p for p in self._pods() if self._ready(p)]
        if not ready:
            return 0.0
        new = [p for p in ready if image_tag(p["spec"]["containers"][0]["image"]) == self.new_version]
        return len(new) / len(ready)

    async def _control(self) -> None:
        """Apply the weight annotation to the simulator and sample the traffic model, once a tick."""
        while True:
            d = self._deployment()
            if d is not None:
                weight = int((d["metadata"].get("annotations") or {}).get(WEIGHT_ANNOTATION, "0") or 0)
                if weight != self.stage:
                    self._apply_weight(weight)
            self.model.record()
            await asyncio.sleep(min(1.0, 1.0 / self.speed))

    def _apply_weight(self, weight: int) -> None:
        sim = self.kube.sim
        self.stage = weight
        if weight >= 100 or weight == 0:
            sim.set_canary(self.namespace, self.service, None)   # full rollout, or back to the stable image on abort
            if weight == 0:
                sim.heal(self.namespace, self.service)
        else:
            sim.set_canary(self.namespace, self.service, max(1, math.ceil(self.replicas * weight / 100)))
        if self.scenario == "bad-canary" and weight >= 25 and not self._crashed:
            self._crashed = True
            sim.crashloop(self.namespace, self.service)   # one of the new pods (or the next one made)
            sim.warn(self.namespace, "Deployment", self.service, "ProgressDeadlineRisk",
                     "a pod of the new ReplicaSet keeps restarting")
