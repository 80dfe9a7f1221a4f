"""Golive's Kubernetes sandbox: a small API server of its own, for the demo and the tests.

``KubeSandbox`` serves Deployments, ReplicaSets, Pods, Events and Namespaces well enough
for ``kubectl`` and the official client; ``KubeSandboxThread`` runs one for synchronous
code. Standalone: ``python -m golive.sandbox.kube.sandbox --port 8001 --kubeconfig kc.yaml --scenario rollout``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

from golive.sandbox.kube.server import KubeApi
from golive.sandbox.kube.sim import RolloutSimulator
from golive.sandbox.kube.store import ObjectStore

DEFAULT_TOKEN = "golive-sandbox-token"


class KubeSandbox:
    """One sandbox API server on ``host:port`` (port 0 picks a free one, kept across restarts)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                 history: int = 1000, seed: int = 0, bookmark_interval: float = 5.0,
                 tls: tuple[str, str, str] | None = None, anonymous: bool = True):
        """``tls`` is (cert file, key file, CA file) to serve https; ``anonymous`` lets requests
        without credentials through (kubectl sends no token over plain http)."""
        self.host, self.port, self.token = host, port, token
        self.tls = tuple(str(p) for p in tls) if tls else None
        self.store = ObjectStore(history=history, seed=seed)
        self.sim = RolloutSimulator(self.store)
        self.api = KubeApi(self.store, token, bookmark_interval=bookmark_interval, anonymous=anonymous)
        self._runner: Any = None
        self._simulation: asyncio.Task | None = None
        self.sim.create_namespace("default")
        self.sim.create_namespace("kube-system")

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Start serving; after a ``stop()`` this serves the same store on the same port again."""
        from aiohttp import web

        runner = web.AppRunner(self.api.application(), handler_cancellation=True, access_log=None,
                               shutdown_timeout=1.0)
        await runner.setup()
        ssl_context = None
        if self.tls:
            import ssl

            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_context.load_cert_chain(self.tls[0], self.tls[1])
        try:
            await web.TCPSite(runner, self.host, self.port, ssl_context=ssl_context).start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = runner.addresses[0][1]
        self.api.address = f"{self.host}:{self.port}"
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving (open watches end, clients see the connection go); the store is kept."""
        self.stop_simulation()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self.store.close_watches()
            await runner.cleanup()

    def start_simulation(self, speed: float = 1.0) -> None:
        """Step the simulator in the background, ``speed`` ticks per wall second (needs a running loop)."""
        self.stop_simulation()
        self._simulation = asyncio.get_running_loop().create_task(self.sim.run(speed))

    def stop_simulation(self) -> None:
        if self._simulation is not None:
            self._simulation.cancel()
            self._simulation = None

    def drop_watches(self) -> int:
        """End every open watch stream, as an API server restart or a load balancer would."""
        return self.store.close_watches()

    def write_kubeconfig(self, path: str | os.PathLike, context: str = "golive-sandbox",
                         namespace: str = "default", token: str | None = None) -> Path:
        """Write a kubeconfig (mode 0600) whose ``context`` reaches this sandbox with a bearer token."""
        q = json.dumps  # JSON strings are valid YAML scalars
        text = "\n".join([
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            f"- name: {q(context)}",
            "  cluster:",
            f"    server: {q(self.url)}",
            *([f"    certificate-authority: {q(self.tls[2])}"] if self.tls else []),
            "contexts:",
            f"- name: {q(context)}",
            "  context:",
            f"    cluster: {q(context)}",
            f"    user: {q(context)}",
            f"    namespace: {q(namespace)}",
            f"current-context: {q(context)}",
            "preferences: {}",
            "users:",
            f"- name: {q(context)}",
            "  user:",
            f"    token: {q(token if token is not None else self.token)}",
            "",
        ])
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return target


class KubeSandboxThread:
    """A KubeSandbox on its own event loop in a daemon thread; a context manager.

    Synchronous tests and subprocess-driven ``kubectl`` use it; the store and the
    simulator are thread-safe, so ``golive.sandbox.sim.step()`` may be called from here.
    """

    def __init__(self, **kwargs: Any):
        self.sandbox = KubeSandbox(**kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "KubeSandboxThread":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def store(self) -> ObjectStore:
        return self.sandbox.store

    @property
    def sim(self) -> RolloutSimulator:
        return self.sandbox.sim

    def write_kubeconfig(self, path: str | os.PathLike, **kwargs: Any) -> Path:
        return self.sandbox.write_kubeconfig(path, **kwargs)

    def drop_watches(self) -> int:
        return self.sandbox.drop_watches()

    def _call(self, make: Callable[[], Any], timeout: float = 10.0) -> Any:
        assert self._loop is not None, "the sandbox thread is not running"

        async def run() -> Any:
            return await make() if inspect.iscoroutinefunction(make) else make()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def start(self) -> None:
        """Start the loop thread and the server; raises what the server's start raised."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="golive-kube-sandbox", daemon=True)
        self._thread.start()
        try:
            self._call(self.sandbox.start)
        except BaseException:
            self.stop()
            raise

    def stop_server(self) -> None:
        """Stop serving but keep the loop and the store (``start_server`` brings it back)."""
        self._call(self.sandbox.stop)

    def start_server(self) -> None:
        self._call(self.sandbox.start)

    def start_simulation(self, speed: float = 1.0) -> None:
        self._call(lambda: self.sandbox.start_simulation(speed))

    def stop_simulation(self) -> None:
        self._call(self.sandbox.stop_simulation)

    def stop(self) -> None:
        """Stop the server and the loop thread."""
        if self._loop is None:
            return
        try:
            if self._thread is not None and self._thread.is_alive():
                self._call(self.sandbox.stop)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
            self._loop = self._thread = None


def main(argv: list[str] | None = None) -> int:
    """Run a sandbox until interrupted; returns the exit status."""
    import argparse

    from golive.sandbox.kube.scenarios import SCENARIOS, apply_scenario

    parser = argparse.ArgumentParser(prog="python -m golive.sandbox.kube.sandbox",
                                     description="Golive's Kubernetes API sandbox (plain http, fake token).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for the sandbox here")
    parser.add_argument("--context", default="golive-sandbox")
    parser.add_argument("--namespace", default="default", help="the kubeconfig context's namespace")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="steady")
    parser.add_argument("--speed", type=float, default=1.0, help="simulator ticks per second (0 stops it)")
    args = parser.parse_args(argv)

    async def serve() -> None:
        sandbox = KubeSandbox(args.host, args.port)
        await sandbox.start()
        apply_scenario(sandbox, args.scenario)
        if args.kubeconfig:
            sandbox.write_kubeconfig(args.kubeconfig, context=args.context, namespace=args.namespace)
        if args.speed > 0:
            sandbox.start_simulation(args.speed)
        print(f"golive kube sandbox at {sandbox.url} (scenario {args.scenario})"
              + (f", kubeconfig {args.kubeconfig}" if args.kubeconfig else ""), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sandbox.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
