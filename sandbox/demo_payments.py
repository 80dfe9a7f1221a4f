"""The payments canary's world: payments-api rolled v1.2.2 → v1.2.3 by `kubectl argo rollouts`, and its metrics.

The Kubernetes sandbox serves the Deployment; a ``kubectl`` made for the world plays the
Argo Rollouts plugin (``set weight``, ``promote --full``, ``abort``) and hands every other
command to the real kubectl. The Prometheus sandbox answers the example's queries: the
service's own metrics and its cache's and queue's exporter metrics (``seed_metrics``).
PostgreSQL, Alertmanager and the health endpoints are not part of it: they are real servers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import ClassVar

from golive.sandbox.demo_world import DemoWorld
from golive.sandbox.traffic import TrafficModel, _noise

NAMESPACE, SERVICE = "payments", "payments-api"
OLD_VERSION, NEW_VERSION = "v1.2.2", "v1.2.3"
IMAGE = "registry.example.com/payments/api"
REPLICAS = 6

_KUBECTL = '''#!{python}
# kubectl for the payments world: `argo rollouts ...` is the sandbox's stand-in, the rest the real kubectl
import os, shutil, sys
if sys.argv[1:3] == ["argo", "rollouts"]:
    from golive.sandbox.demo_payments import argo_rollouts
    sys.exit(argo_rollouts({server!r}, {new!r}, {old!r}, sys.argv[3:]))
real = shutil.which("kubectl")
if not real:
    print("error: kubectl is not installed", file=sys.stderr)
    sys.exit(1)
os.execv(real, [real, "--kubeconfig", {kubeconfig!r}, *sys.argv[1:]])
'''


class PaymentsTraffic(TrafficModel):
    """The demo's traffic with a payments service's levels: a settled new version, CPU in its 40–70 % band."""

    companions: ClassVar[tuple[str, ...]] = ("payments-cache",)   # exporters labelled with their own service

    def error_ratio(self, version: str | None, t: float) -> float | None:
        # the new version errs less than the stable one, so "no increase against stable" holds on the good path
        s = self.sim_time(t)
        old = 0.05 + 0.004 * _noise("pay-err-old", s)
        new = 0.03 + 0.004 * _noise("pay-err-new", s) + min(6.0, 0.15 * self._breaking_for(t) ** 1.2)
        w = self.weight_at(t)
        if version is None:
            return old * (1 - w) + new * w
        if version == self.new_version:
            return new if w > 0 else None
        return old if w < 1 else None

    def saturation(self, t: float) -> float:
        return 55 + 5 * (self.request_rate(None, t) - 240) / 30 + 2 * _noise("pay-cpu", self.sim_time(t))


class PaymentsWorld(DemoWorld):
    """``with PaymentsWorld(speed=20) as world:``; ``world.variables`` point the example at it (``--set``)."""

    namespace, service, new_version, replicas = NAMESPACE, SERVICE, NEW_VERSION, REPLICAS
    image, old_version = IMAGE, OLD_VERSION
    max_simulation_speed = 20.0   # pods settle as fast at 20x; faster only burns CPU

    def __init__(self, scenario: str = "good", speed: float = 1.0):
        super().__init__(scenario, speed)
        self.model = PaymentsTraffic(SERVICE, OLD_VERSION, NEW_VERSION, scenario=scenario, speed=speed,
                                     weight_source=self._new_ready_share, stage_source=lambda: self.stage)
        self.kubectl = Path(self._tmp.name) / "kubectl"

    def start(self) -> None:
        super().start()
        self.kubectl.write_text(_KUBECTL.format(python=sys.executable, server=self.kube.url,
                                                new=f"{IMAGE}:{NEW_VERSION}", old=f"{IMAGE}:{OLD_VERSION}",
                                                kubeconfig=str(self.kubeconfig)))
        os.chmod(self.kubectl, 0o755)

    @property
    def variables(self) -> dict[str, str]:
        """The example's endpoint variables for this world: its Prometheus, its cluster and its kubectl."""
        return {"prometheus_url": self.prom_url, "kubeconfig": str(self.kubeconfig), "context": "golive-sandbox",
                "namespace": NAMESPACE, "kubectl": str(self.kubectl)}


def argo_rollouts(server: str, new_image: str, old_image: str, argv: list[str]) -> int:
    """`kubectl argo rollouts set weight NAME N | promote NAME --full | abort NAME` against the sandbox.

    The Rollout is the sandbox's Deployment of that name; a weight moves it to the new
    image (``golive.sandbox.rollout``), an abort back to the stable one. Returns the exit code.
    """
    from golive.sandbox.rollout import main as rollout

    args, namespace, words = list(argv), "default", []
    while args:
        arg = args.pop(0)
        if arg in ("-n", "--namespace") and args:
            namespace = args.pop(0)
        elif arg != "--full":
            words.append(arg)
    common = ["--server", server, "--namespace", namespace]
    if words[:2] == ["set", "weight"] and len(words) == 4 and words[3].isdigit():
        return rollout(["weight", words[2], words[3], *common, "--image", new_image])
    if words[:1] == ["promote"] and len(words) == 2 and "--full" in argv:
        return rollout(["weight", words[1], "100", *common, "--image", new_image])
    if words[:1] == ["abort"] and len(words) == 2:
        return rollout(["abort", words[1], *common, "--image", old_image])
    print("error: the sandbox's argo rollouts does only `set weight NAME N`, `promote NAME --full`, `abort NAME`",
          file=sys.stderr)
    return 1
