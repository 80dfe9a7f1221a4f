"""The Kubernetes source's cluster side: list+watch into a cache, judged there (see ``ClusterFollower``).

It runs only on the source's own loop thread (``golive.checks.kubernetes.loop``), never on the caller's.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

from golive.checks.base import Sample, SourceError
from golive.checks.kubernetes.pods import judge, parse_time
from golive.checks.kubernetes.selectors import selector_matches
from golive.console.redact import clip, register, scrub, shown_url

FIRST_LIST_WAIT = 10.0
# Warning events already this old when first listed are history, not news for the log
STALE_EVENT_SECONDS = 300.0
MAX_PENDING_EVENTS = 1000
# two clusters' threads importing the client at once could meet its circular imports half-done
_CLIENT_IMPORT = threading.Lock()


def _one_line(text: object, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return clip(text, limit)


class _Namespace:
    """The informers of one namespace: pods, deployments and Warning events."""

    def __init__(self, source: "ClusterFollower", name: str):
        from golive.checks.kubernetes.watch import Informer

        def follow(call: Any, kind: str, field_selector: str | None = None) -> Informer:
            return Informer(lambda **kw: call(name, **kw), source._describe,
                            lambda old, new: source._changed(name, kind, old, new), source._notify,
                            field_selector=field_selector, request_timeout=source.timeout)

        self.pods = follow(source._core.list_namespaced_pod_without_preload_content, "pods")
        self.deployments = follow(source._apps.list_namespaced_deployment_without_preload_content, "deployments")
        self.events = follow(source._core.list_namespaced_event_without_preload_content, "events", "type=Warning")
        self.tasks = [asyncio.get_running_loop().create_task(i.run(), name=f"golive-k8s-{name}-{kind}")
                      for kind, i in (("pods", self.pods), ("deployments", self.deployments),
                                      ("events", self.events))]

    async def first_answer(self, timeout: float) -> None:
        """Wait until pods and deployments were each listed once or failed (at most ``timeout``)."""
        try:
            await asyncio.wait_for(asyncio.gather(self.pods.attempted.wait(), self.deployments.attempted.wait()),
                                   timeout)
        except asyncio.TimeoutError:
            pass

    @property
    def error(self) -> str | None:
        return self.pods.error or self.deployments.error

    @property
    def listed(self) -> bool:
        return self.pods.listed and self.deployments.listed

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class ClusterFollower:
    """Rollout and pod evidence from one cluster (one kubeconfig context, or in-cluster).

    Pods, Deployments and Warning events of each namespace a check asks about are
    followed by watch into a cache, and ``sample`` judges the cache. Everything here
    (client, cache, judging) runs on one event loop, so the judge never sees an item
    half-changed; ``on_change()`` and ``on_log(level, text)`` are called on that loop
    and must carry the news to wherever it is wanted. Unreachable, unauthorized or
    not yet listed is ERROR, in one line, never with a token.
    """

    def __init__(self, target: Any | None, on_change: Any = None, on_log: Any = None):
        kubeconfig = getattr(target, "kubeconfig", None)
        self.kubeconfig = os.path.expanduser(kubeconfig) if kubeconfig else None
        self.context = getattr(target, "context", None)
        self.namespace = getattr(target, "namespace", None) or "default"
        self.in_cluster = bool(getattr(target, "in_cluster", False))
        self.timeout = float(getattr(target, "timeout", None) or 10.0)
        self._on_change, self._on_log = on_change, on_log
        self._api: Any = None
        self._core: Any = None
        self._apps: Any = None
        self._server = "(not connected)"
        self._secrets: list[str] = []
        self._connecting: asyncio.Lock | None = None
        self._namespaces: dict[str, _Namespace] = {}
        self._interests: dict[str, dict[str, Any]] = {}
        self._pending_events: dict[str, dict] = {}
        self._logged_events: dict[str, None] = {}  # an ordered set: the oldest are forgotten first
        self._change_pending = False
        self._started = time.time()

    # ------------------------------------------------------------ sampling

    async def sample(self, check: Any, at: float) -> Sample:
        """The check judged on the cached cluster state, stamped ``at``.

        Returns ERROR (``Sample.failed``) until the first list arrives and while the API
        server is unreachable or refuses the credentials; no data when a pods-ready check
        selects no pod; otherwise ``ok`` with ``value`` = ready pods and
        ``extra["pods"]`` = the rows of the pod table (new dicts, the caller's to keep).
        """
        ns = check.namespace or self.namespace
        try:
            follow = await self._follow(ns)
        except SourceError as exc:
            return Sample.failed(check.id, at, str(exc))
        self._interests.setdefault(ns, {})[check.id] = check
        await follow.first_answer(min(check.timeout, FIRST_LIST_WAIT))
        if follow.error:
            return Sample.failed(check.id, at, follow.error)
        if not follow.listed:
            return Sample.failed(check.id, at, f"no answer yet from the Kubernetes API at {self._server}")
        self._log_events(ns)
        deploy = follow.deployments.items.get(check.deployment) if check.deployment else None
        try:
            verdict = judge(check, ns, deploy, list(follow.pods.items.values()), at)
        except ValueError as exc:
            return Sample.failed(check.id, at, _one_line(exc))
        extra = {"pods": verdict.rows}
        if verdict.no_data:
            return Sample(check_id=check.id, at=at, no_data=True, detail=verdict.detail, extra=extra)
        return Sample(check_id=check.id, at=at, value=float(verdict.value), ok=verdict.ok, detail=verdict.detail,
                      extra=extra)

    def watch_status(self, namespace: str) -> dict:
        """How the following of a namespace goes: lists made, last resourceVersion, error (for diagnosis).

        Safe from another thread: it only reads a dict entry and three values, each replaced
        whole by the loop (a diagnosis may mix two moments, never a half-written value).
        """
        follow = self._namespaces.get(namespace)
        if follow is None:
            return {"following": False, "lists": 0, "resource_version": None, "error": None}
        return {"following": True, "lists": follow.pods.lists, "resource_version": follow.pods.resource_version,
                "error": follow.error}

    async def close(self) -> None:
        """Stop every watch and close the API client."""
        follows, self._namespaces = list(self._namespaces.values()), {}
        for follow in follows:
            await follow.close()
        if self._api is not None:
            api, self._api = self._api, None
            await api.close()

    # ------------------------------------------------------------ connecting

    async def _follow(self, ns: str) -> _Namespace:
        if ns not in self._namespaces:
            await self._connect()
            if ns not in self._namespaces:
                self._namespaces[ns] = _Namespace(self, ns)
        return self._namespaces[ns]

    async def _connect(self) -> None:
        """Create the API client once; raises SourceError (one line) when configuration fails."""
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._api is not None:
                return
            with _CLIENT_IMPORT:
                from kubernetes.aio import client, config

                import golive.checks.kubernetes.watch  # noqa: F401  (the informers' aiohttp, under the same lock)

            where = "in-cluster configuration" if self.in_cluster else f"kubeconfig {self.kubeconfig or '(default)'}"
            try:
                if self.in_cluster:
                    configuration = client.Configuration()
                    config.load_incluster_config(client_configuration=configuration)
                    api = client.ApiClient(configuration)
                else:
                    api = await config.new_client_from_config(config_file=self.kubeconfig, context=self.context,
                                                              persist_config=False)
            except Exception as exc:  # the loaders raise many types; all mean "cannot configure"
                raise SourceError(self._scrub(f"{where}: {_one_line(exc, 200)}")) from None
            cfg = api.configuration
            self._server = shown_url(cfg.host)
            for value in list((cfg.api_key or {}).values()) + [cfg.password or ""]:
                if value:
                    self._secrets += [value, value.split(" ", 1)[-1]]
            register(*self._secrets)
            self._core, self._apps = client.CoreV1Api(api), client.AppsV1Api(api)
            self._api = api

    def _scrub(self, text: str) -> str:
        return scrub(text, [s for s in self._secrets if len(s) >= 4])

    def _describe(self, exc: BaseException) -> str:
        from golive.checks.kubernetes.watch import describe_error

        return self._scrub(_one_line(describe_error(exc, self._server)))

    # ------------------------------------------------------------ changes and events

    def _notify(self) -> None:
        """Ask for a re-sample soon; a burst of changes in one loop turn makes one call."""
        if self._on_change is None or self._change_pending:
            return
        self._change_pending = True
        asyncio.get_running_loop().call_soon(self._flush_change)

    def _flush_change(self) -> None:
        self._change_pending = False
        self._on_change()

    def _changed(self, ns: str, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "events":
            if new is not None and new.get("type") == "Warning":
                self._remember_event(new)
                self._log_events(ns)
            return
        if any(self._concerns(ns, kind, obj) for obj in (old, new) if obj is not None):
            self._notify()

    def _concerns(self, ns: str, kind: str, obj: dict) -> bool:
        """Whether a pod or deployment matters to a check sampled in this namespace."""
        meta = obj.get("metadata") or {}
        follow = self._namespaces.get(ns)
        for check in self._interests.get(ns, {}).values():
            if kind == "deployments" and meta.get("name") == check.deployment:
                return True
            if kind == "pods" and follow is not None:
                labels = meta.get("labels") or {}
                deploy = follow.deployments.items.get(check.deployment) if check.deployment else None
                if check.selector or (deploy and selector_matches((deploy.get("spec") or {}).get("selector"), labels)):
                    return True  # a selector check: cheaper to re-sample than to parse here
        return False

    def _remember_event(self, event: dict) -> None:
        meta = event.get("metadata") or {}
        uid = meta.get("uid") or f'{meta.get("namespace")}/{meta.get("name")}'
        if uid in self._logged_events:
            return
        seen = parse_time(event.get("lastTimestamp") or event.get("eventTime") or meta.get("creationTimestamp"))
        if seen is not None and seen < self._started - STALE_EVENT_SECONDS:
            return
        self._pending_events[uid] = event
        while len(self._pending_events) > MAX_PENDING_EVENTS:
            self._pending_events.pop(next(iter(self._pending_events)))

    def _event_concerns(self, ns: str, event: dict) -> bool:
        involved = event.get("involvedObject") or {}
        kind, name = involved.get("kind"), involved.get("name") or ""
        follow = self._namespaces.get(ns)
        for check in self._interests.get(ns, {}).values():
            deployment = check.deployment
            if deployment and kind == "Deployment" and name == deployment:
                return True
            if deployment and kind == "ReplicaSet" and name.rsplit("-", 1)[0] == deployment:
                return True
            if kind == "Pod" and follow is not None and name in follow.pods.items:
                if self._concerns(ns, "pods", follow.pods.items[name]):
                    return True
            elif deployment and kind == "Pod" and name.rsplit("-", 2)[0] == deployment:
                return True  # a pod already gone from the cache, named <deployment>-<hash>-<suffix>
        return False

    def _log_events(self, ns: str) -> None:
        """Send each concerning Warning event to the log once."""
        for uid, event in list(self._pending_events.items()):
            if (event.get("metadata") or {}).get("namespace", ns) != ns or not self._event_concerns(ns, event):
                continue
            del self._pending_events[uid]
            self._logged_events[uid] = None
            while len(self._logged_events) > 10 * MAX_PENDING_EVENTS:
                self._logged_events.pop(next(iter(self._logged_events)))
            if self._on_log is not None:
                involved = event.get("involvedObject") or {}
                what = f'{str(involved.get("kind", "")).lower()}/{involved.get("name", "")}'
                self._on_log("warning", self._scrub(
                    _one_line(f'k8s: {event.get("reason", "")} {what}: {event.get("message", "")}')))
