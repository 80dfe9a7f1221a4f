"""The demo worlds of the seed examples: blue-green behind a Service, a 24-hour validation, a smoke test.

``blue-green`` runs checkout-blue (stable) and checkout-green (new) behind the Service
``checkout``; traffic follows the Service's selector, so the switch and the switch
back are what the metrics show (``blue-green-bad``: green breaks once it serves).
``soak`` has the new version fully deployed, its exporters' metrics steady, and every
duration of the 24-hour validation compressed by --speed. ``smoke`` adds the service's
health, metrics and history endpoints to the canary world.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from aiohttp import web

from golive.sandbox.demo_world import IMAGE, NAMESPACE, NEW_VERSION, OLD_VERSION, REPLICAS, SERVICE, DemoWorld
from golive.sandbox.kube.objects import image_tag
from golive.sandbox.kube.services import create_service, served_by
from golive.sandbox.rollout import WEIGHT_ANNOTATION

# scenario → the example it runs (in examples/)
RUNBOOKS = {"blue-green": "blue-green.toml", "blue-green-bad": "blue-green.toml",
            "soak": "validation-24h.toml", "smoke": "smoke-report.toml"}

_KUBECTL = '''#!{python}
# kubectl for the demo: the real one with the sandbox's kubeconfig, or a stand-in for `patch service`
import os, shutil, sys
real = shutil.which("kubectl")
if real:
    os.execv(real, [real, "--kubeconfig", {kubeconfig!r}, *sys.argv[1:]])
from golive.sandbox.rollout import kubectl_standin
sys.exit(kubectl_standin({server!r}, sys.argv[1:]))
'''


class SeedWorld(DemoWorld):
    """A DemoWorld set up for one of the seed examples' scenarios."""

    def __init__(self, scenario: str, speed: float = 1.0):
        super().__init__(scenario, speed)
        self.service_url = ""
        self._service_runner: web.AppRunner | None = None
        self.kubectl = Path(self._tmp.name) / "kubectl"

    def start(self) -> None:
        if self.scenario.startswith("blue-green"):
            self._start_blue_green()
        elif self.scenario == "soak":
            self.kube.start()
            self.kube.sim.create_deployment(NAMESPACE, SERVICE, f"{IMAGE}:{NEW_VERSION}", replicas=REPLICAS)
            self._finish_start()
        else:
            super().start()
        self.kube._call(self._start_service_endpoints)
        self._write_kubectl()

    def _start_blue_green(self) -> None:
        self.kube.start()
        sim = self.kube.sim
        for colour, version in (("blue", OLD_VERSION), ("green", NEW_VERSION)):
            sim.create_deployment(NAMESPACE, f"{SERVICE}-{colour}", f"{IMAGE}:{version}", replicas=REPLICAS // 2,
                                  labels={"app": SERVICE, "color": colour})
        create_service(self.kube.store, NAMESPACE, SERVICE, {"app": SERVICE, "color": "blue"})
        self._finish_start()

    def _finish_start(self) -> None:
        self.kube.write_kubeconfig(self.kubeconfig, namespace=NAMESPACE)
        self.kube._call(self._start_prometheus)
        self._controller = self.kube._call(lambda: asyncio.get_running_loop().create_task(self._control()))
        self.kube.start_simulation(min(self.speed, 20.0))   # pods settle as fast at 20x; faster only burns CPU

    def stop(self) -> None:
        if self._service_runner is not None:
            try:
                self.kube._call(self._service_runner.cleanup)
            except Exception:  # the world is going away; the sandbox's own stop reports what matters
                pass
        super().stop()

    # ------------------------------------------------------------ traffic follows the Service

    def _new_ready_share(self) -> float:
        if not self.scenario.startswith("blue-green"):
            return super()._new_ready_share()
        ready = [p for p in served_by(self.kube.store, NAMESPACE, SERVICE) if self._ready(p)]
        if not ready:
            return 0.0
        return sum(image_tag(p["spec"]["containers"][0]["image"]) == NEW_VERSION for p in ready) / len(ready)

    async def _control(self) -> None:
        # a 24-hour soak runs at thousands of times real speed: sample the rollout no more than 50 times a second
        while True:
            if self.scenario.startswith("blue-green"):
                self.stage = round(100 * self._new_ready_share())   # a bad green breaks once it takes traffic
            elif (d := self._deployment()) is not None:
                weight = int((d["metadata"].get("annotations") or {}).get(WEIGHT_ANNOTATION, "0") or 0)
                if weight and weight != self.stage:
                    self._apply_weight(weight)
            self.model.record()
            await asyncio.sleep(max(0.02, min(1.0, 1.0 / self.speed)))

    # ------------------------------------------------------------ the service's own endpoints

    async def _start_service_endpoints(self) -> None:
        app = web.Application()

        async def health(request: web.Request) -> web.Response:
            return web.json_response({"status": "ok", "check": request.match_info["kind"]})

        async def metrics(request: web.Request) -> web.Response:
            lines = []
            for i in range(52):
                lines += [f"# TYPE signal_metric_{i} gauge", f"signal_metric_{i} {i}"]
            return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

        async def history(request: web.Request) -> web.Response:
            points = [{"t": i, "value": 100 + i, "watermark": f"w{i}"} for i in range(21)]
            return web.json_response({"points": points, "count": len(points)})

        app.router.add_get("/health/{kind}", health)
        app.router.add_get("/metrics", metrics)
        app.router.add_get("/v1/history", history)
        self._service_runner = web.AppRunner(app, access_log=None)
        await self._service_runner.setup()
        site = web.TCPSite(self._service_runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.service_url = f"http://127.0.0.1:{port}"

    def _write_kubectl(self) -> None:
        self.kubectl.write_text(_KUBECTL.format(python=sys.executable, kubeconfig=str(self.kubeconfig),
                                                server=self.kube.url))
        os.chmod(self.kubectl, 0o755)

    @property
    def variables(self) -> dict[str, str]:
        """The base demo's variables, the service's URL and kubectl, and the seed examples' durations."""
        def dur(seconds: float, floor: float = 0.1) -> str:
            return f"{max(floor, seconds / self.speed) * 1000:.0f}ms"

        out = dict(super().variables)
        out.update(kubectl=str(self.kubectl), context="golive-sandbox", namespace=NAMESPACE,
                   service_url=self.service_url, rollout=f"{sys.executable} -m golive.sandbox.rollout")
        if self.scenario == "smoke":
            out["promote_cmd"] = f"{sys.executable} -m golive.sandbox.rollout weight {SERVICE} 100 " \
                                 f"--server {self.kube.url} --namespace {NAMESPACE} --image {IMAGE}:{NEW_VERSION}"
        if self.scenario == "soak":
            out.update({"t30m": dur(1800), "t1h": dur(3600), "t6h": dur(6 * 3600), "t12h": dur(12 * 3600),
                        "soak_for": dur(12 * 3600),
                        "window": dur(3600), "soak_timeout": dur(19 * 3600, floor=30.0),
                        "checkpoint_timeout": dur(7 * 3600, floor=30.0),
                        "notify_cmd": f"{sys.executable} -c \"print('go-live declared in #releases')\"",
                        "stress_cmd": f"{sys.executable} -c \"print('peak load 2x: 560 req/s, p95 298 ms')\"",
                        "failover_cmd": f"{sys.executable} -c \"print('failover: primary switched in 0.8 s')\""})
        return out


def seed_runbook_path(scenario: str) -> Path | None:
    """The example a seed scenario runs; None for the canary demo's own scenarios."""
    from importlib.resources import files

    name = RUNBOOKS.get(scenario)
    return Path(str(files("golive.examples") / name)) if name else None

