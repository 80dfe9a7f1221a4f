"""The Kubernetes sandbox's object store: objects, resourceVersions, a bounded history for
resuming watches (older versions are 410 Gone) and fan-out to watchers, safe across threads."""

from __future__ import annotations

import asyncio
import copy
import random
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from golive.sandbox.kube.resources import BY_PLURAL

GENERATION_KINDS = ("deployments", "replicasets")


def _without_version(obj: dict) -> dict:
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": meta}


class StoreError(Exception):
    """A request the store refuses; ``code`` and ``reason`` become the API Status."""

    code = 400
    reason = "BadRequest"


class NotFound(StoreError):
    code, reason = 404, "NotFound"


class AlreadyExists(StoreError):
    code, reason = 409, "AlreadyExists"


class Gone(StoreError):
    """The requested resourceVersion is older than the kept history."""

    code, reason = 410, "Expired"


def rfc3339(at: datetime | None = None) -> str:
    """A timestamp as the API writes it (whole seconds, UTC, ``Z``)."""
    return (at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Change:
    """One change of one object: ``obj`` is the new state (the last one for DELETED)."""

    rv: int
    plural: str
    type: str
    obj: dict
    old: dict | None


class Subscriber:
    """One watch: a filter and a queue fed from any thread; None in the queue ends it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, plural: str, namespace: str | None,
                 labels: Callable[[dict], bool], fields: Callable[[dict], bool]):
        self.loop = loop
        self.queue: asyncio.Queue = asyncio.Queue()
        self.plural, self.namespace = plural, namespace
        self._labels, self._fields = labels, fields

    def matches(self, obj: dict | None) -> bool:
        if obj is None:
            return False
        meta = obj.get("metadata", {})
        if self.namespace is not None and meta.get("namespace") != self.namespace:
            return False
        return self._labels(meta.get("labels") or {}) and self._fields(obj)

    def translate(self, change: Change) -> tuple[str, dict] | None:
        """The event this watcher sees for a change (an object leaving the filter is DELETED)."""
        if change.plural != self.plural:
            return None
        now, before = self.matches(change.obj), self.matches(change.old)
        if change.type == "DELETED":
            return ("DELETED", change.obj) if (before or now) else None
        if now:
            return ("MODIFIED" if before else "ADDED", change.obj)
        if before:
            return ("DELETED", change.obj)
        return None

    def offer(self, item: tuple[str, dict, int] | None) -> None:
        """Queue ``(type, object, resourceVersion)`` for the watch; None ends it."""
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
        except RuntimeError:
            pass  # the server's loop is closed: nobody is reading any more


class ObjectStore:
    """API objects by resource, namespace and name, with a global resourceVersion.

    The simulator and tests may change objects from any thread while the server's
    event loop streams watches: every change gets the next resourceVersion and reaches
    each subscriber through its own loop.
    """

    def __init__(self, history: int = 1000, seed: int = 0):
        self._lock = threading.RLock()
        self._objects: dict[str, dict[tuple[str, str], dict]] = {p: {} for p in BY_PLURAL}
        self._rv = 1000
        self._history: deque[Change] = deque(maxlen=max(1, history))
        self._oldest_servable = self._rv
        self._subscribers: set[Subscriber] = set()
        self.random = random.Random(seed)

    # ------------------------------------------------------------ ids and versions

    @property
    def lock(self) -> threading.RLock:
        """Held across a read-modify-write (the simulator's step) so no change is lost."""
        return self._lock

    @property
    def resource_version(self) -> int:
        with self._lock:
            return self._rv

    def new_uid(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def random_suffix(self, length: int = 5) -> str:
        """A name suffix drawn from the alphabet Kubernetes uses for generated names."""
        with self._lock:
            return "".join(self.random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(length))

    # ------------------------------------------------------------ reads

    def get(self, plural: str, namespace: str, name: str) -> dict | None:
        """A deep copy of the object, or None."""
        with self._lock:
            obj = self._objects[plural].get((namespace or "", name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, plural: str, namespace: str | None = None,
             predicate: Callable[[dict], bool] | None = None) -> tuple[list[dict], int]:
        """Deep copies of the matching objects sorted by namespace and name, and the list's rv."""
        with self._lock:
            items = [copy.deepcopy(o) for (ns, _), o in sorted(self._objects[plural].items())
                     if (namespace is None or ns == namespace) and (predicate is None or predicate(o))]
            return items, self._rv

    # ------------------------------------------------------------ writes

    def _record(self, plural: str, type_: str, obj: dict, old: dict | None) -> dict:
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        stored = copy.deepcopy(obj)
        key = (stored["metadata"].get("namespace", ""), stored["metadata"]["name"])
        if type_ == "DELETED":
            self._objects[plural].pop(key, None)
        else:
            self._objects[plural][key] = stored
        if len(self._history) == self._history.maxlen:
            self._oldest_servable = self._history[0].rv
        change = Change(self._rv, plural, type_, stored, old)
        self._history.append(change)
        for sub in list(self._subscribers):
            event = sub.translate(change)
            # a change the watcher does not see still moves its progress, for BOOKMARKs
            sub.offer((event[0], event[1], change.rv) if event else ("PROGRESS", {}, change.rv))
        return copy.deepcopy(stored)

    def create(self, plural: str, obj: dict) -> dict:
        """Store a new object, filling uid, creationTimestamp, resourceVersion and generation.

        Raises:
            AlreadyExists: an object of that name exists in the namespace.
        """
        resource = BY_PLURAL[plural]
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        with self._lock:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + self.random_suffix()
            if resource.namespaced:
                meta.setdefault("namespace", "default")
            else:
                meta.pop("namespace", None)
            key = (meta.get("namespace", ""), meta["name"])
            if key in self._objects[plural]:
                raise AlreadyExists(f'{plural}.{resource.group or "core"} "{meta["name"]}" already exists')
            meta["uid"] = self.new_uid()
            meta.setdefault("creationTimestamp", rfc3339())
            if plural in GENERATION_KINDS:
                meta["generation"] = 1
            obj["kind"], obj["apiVersion"] = resource.kind, resource.api_version
            return self._record(plural, "ADDED", obj, None)

    def update(self, plural: str, obj: dict) -> dict:
        """Replace an object; a changed spec bumps ``metadata.generation``.

        Raises:
            NotFound: no such object.
        """
        obj = copy.deepcopy(obj)
        meta = obj["metadata"]
        with self._lock:
            old = self._objects[plural].get((meta.get("namespace", ""), meta["name"]))
            if old is None:
                raise NotFound(f'{plural} "{meta["name"]}" not found')
            for kept in ("uid", "creationTimestamp"):
                meta[kept] = old["metadata"][kept]
            if plural in GENERATION_KINDS:
                generation = old["metadata"].get("generation", 1)
                meta["generation"] = generation + (1 if obj.get("spec") != old.get("spec") else 0)
            resource = BY_PLURAL[plural]
            obj["kind"], obj["apiVersion"] = resource.kind, resource.api_version
            if _without_version(obj) == _without_version(old):
                return copy.deepcopy(old)  # no change, no new resourceVersion (as the real server)
            return self._record(plural, "MODIFIED", obj, old)

    def delete(self, plural: str, namespace: str, name: str) -> dict:
        """Remove an object and return its last state.

        Raises:
            NotFound: no such object.
        """
        with self._lock:
            old = self._objects[plural].get((namespace or "", name))
            if old is None:
                raise NotFound(f'{plural} "{name}" not found')
            return self._record(plural, "DELETED", copy.deepcopy(old), old)

    # ------------------------------------------------------------ watches

    def subscribe(self, loop: asyncio.AbstractEventLoop, plural: str, namespace: str | None,
                  resource_version: str | None, labels: Callable[[dict], bool],
                  fields: Callable[[dict], bool]) -> tuple[Subscriber, list[tuple[str, dict, int]], int]:
        """Start a watch; returns the subscriber, the events to send first and the store's rv.

        With no resourceVersion (or "0") the first events are a synthetic ADDED per
        object; with one, the kept history after it is replayed.

        Raises:
            Gone: the resourceVersion is older than the kept history.
        """
        sub = Subscriber(loop, plural, namespace, labels, fields)
        with self._lock:
            if resource_version in (None, "", "0"):
                initial = [("ADDED", copy.deepcopy(o), self._rv) for (ns, _), o in sorted(self._objects[plural].items())
                           if sub.matches(o)]
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise StoreError(f"invalid resource version: {resource_version!r}") from None
                if since < self._oldest_servable:
                    raise Gone(f"too old resource version: {since} ({self._oldest_servable})")
                initial = []
                for change in self._history:
                    if change.rv > since and (event := sub.translate(change)):
                        initial.append((event[0], event[1], change.rv))
            self._subscribers.add(sub)
            return sub, initial, self._rv

    @property
    def watchers(self) -> int:
        """How many watches are open."""
        with self._lock:
            return len(self._subscribers)

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    def close_watches(self) -> int:
        """End every open watch (clients see the stream end and resume); returns how many."""
        with self._lock:
            subs = list(self._subscribers)
            self._subscribers.clear()
        for sub in subs:
            sub.offer(None)
        return len(subs)

    def compact(self) -> None:
        """Forget the history: a watch from any earlier resourceVersion now gets 410 Gone."""
        with self._lock:
            self._history.clear()
            self._oldest_servable = self._rv
