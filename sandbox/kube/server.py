"""The HTTP side of Golive's Kubernetes sandbox: discovery, list/get/watch, create, patch, delete.

An aiohttp application over an ObjectStore, answering the way a real API server does
(Status objects for errors, Table for ``kubectl get``, chunked JSON-lines watches,
410 Gone as a watch ERROR event) so that ``kubectl`` and the official client work.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import Any, Callable

from aiohttp import web

from golive.sandbox.kube import resources as res
from golive.sandbox.kube.patch import PatchError, apply_patch
from golive.sandbox.kube.selectors import SelectorError, parse_field_selector, parse_label_selector, selector_string
from golive.sandbox.kube.store import Gone, ObjectStore, StoreError, rfc3339
from golive.sandbox.kube.tables import table

PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
SCALABLE = ("deployments", "replicasets")


def status_body(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def status_response(code: int, reason: str, message: str) -> web.Response:
    return web.json_response(status_body(code, reason, message), status=code)


def table_version(accept: str) -> str | None:
    """The meta.k8s.io version of Table the client asks for in Accept, if any."""
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        params = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        if fields[0] == "application/json" and params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return params.get("v", "v1")
    return None


def scale_of(obj: dict) -> dict:
    """The autoscaling/v1 Scale of a Deployment or ReplicaSet."""
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")},
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": selector_string(obj["spec"].get("selector"))}}


def _list_item(obj: dict) -> dict:
    # items of a list carry no kind/apiVersion on the wire, as from a real server
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


class KubeApi:
    """Request handling for one sandbox: routes every path to the store."""

    def __init__(self, store: ObjectStore, token: str, address: str = "", bookmark_interval: float = 5.0,
                 anonymous: bool = True):
        self.store = store
        self.token = token
        self.anonymous = anonymous
        self.address = address
        self.bookmark_interval = bookmark_interval

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._authenticate])
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # As a real server with anonymous auth on: no credentials pass (kubectl sends none over
        # plain http), wrong credentials are 401.
        header = request.headers.get("Authorization")
        if request.path not in PUBLIC_PATHS and (header is not None or not self.anonymous):
            offered = header[7:].strip() if header and header.lower().startswith("bearer ") else ""
            if not offered or not hmac.compare_digest(offered.encode(), self.token.encode()):
                return status_response(401, "Unauthorized", "Unauthorized")
        return await handler(request)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        parts = [p for p in request.path.split("/") if p]
        if request.path == "/version":
            return web.json_response(res.SERVER_VERSION)
        if request.path in PUBLIC_PATHS:
            return web.Response(text="ok")
        if parts == ["api"]:
            return web.json_response(res.api_versions(self.address))
        if parts == ["apis"]:
            return web.json_response(res.api_group_list())
        if parts and parts[0] == "api" and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts and parts[0] == "apis" and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        elif len(parts) == 2 and parts[0] == "apis":
            groups = [g for g in res.api_group_list()["groups"] if g["name"] == parts[1]]
            if groups:
                return web.json_response({"kind": "APIGroup", "apiVersion": "v1", **groups[0]})
            return status_response(404, "NotFound", "the server could not find the requested resource")
        else:
            return status_response(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            listing = res.api_resource_list(group, version)
            if listing is None:
                return status_response(404, "NotFound", "the server could not find the requested resource")
            return web.json_response(listing)
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        resource = res.BY_PATH.get((group, version, rest[0]))
        if resource is None or (namespace and not resource.namespaced) or len(rest) > 3:
            return status_response(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub not in (None, "status", "scale") or (sub == "scale" and resource.plural not in SCALABLE):
            return status_response(404, "NotFound", "the server could not find the requested resource")
        try:
            return await self._serve(request, resource, namespace, name, sub)
        except StoreError as exc:
            return status_response(exc.code, exc.reason, str(exc))
        except (SelectorError, PatchError) as exc:
            return status_response(400, "BadRequest", str(exc))

    async def _serve(self, request: web.Request, resource: res.Resource, namespace: str | None,
                     name: str | None, sub: str | None) -> web.StreamResponse:
        plural, method, query = resource.plural, request.method, request.query
        if sub == "scale" and name is not None:
            return await self._scale(request, resource, namespace or "", name)
        if method == "GET" and name is None:
            if query.get("watch") in ("true", "1"):
                return await self._watch(request, resource, namespace)
            return self._list(request, resource, namespace)
        if method == "GET":
            obj = self.store.get(plural, namespace or "", name)
            if obj is None:
                return self._not_found(resource, name)
            return self._object_response(request, plural, obj)
        if method == "POST" and name is None:
            body = await self._body(request)
            if namespace:
                body.setdefault("metadata", {})["namespace"] = namespace
            created = self.store.create(plural, body)
            return web.json_response(created, status=201)
        if name is None or method not in ("PUT", "PATCH", "DELETE"):
            return status_response(405, "MethodNotAllowed", f"the server does not allow this method on {plural}")
        current = self.store.get(plural, namespace or "", name)
        if current is None:
            return self._not_found(resource, name)
        if method == "DELETE":
            return web.json_response(self._delete(plural, current, query.get("gracePeriodSeconds")))
        body = await self._body(request)
        if method == "PATCH":
            wanted = apply_patch(current, request.headers.get("Content-Type", ""), body)
        else:
            wanted = body
        sent_version = (wanted.get("metadata") or {}).get("resourceVersion")
        if method == "PUT" and sent_version and sent_version != current["metadata"]["resourceVersion"]:
            return status_response(409, "Conflict", f'Operation cannot be fulfilled on {plural} "{name}": '
                                   "the object has been modified; please apply your changes to the latest version")
        wanted.setdefault("metadata", {}).update(name=name, uid=current["metadata"]["uid"])
        if namespace:
            wanted["metadata"]["namespace"] = namespace
        # the main resource never changes status, and the status subresource changes only status
        if sub == "status":
            wanted = {**current, "status": wanted.get("status", current.get("status"))}
        elif "status" in current:
            wanted["status"] = current["status"]
        return web.json_response(self.store.update(plural, wanted))

    async def _scale(self, request: web.Request, resource: res.Resource, namespace: str, name: str) -> web.Response:
        """The autoscaling/v1 Scale subresource (``kubectl scale``): spec.replicas of the owner."""
        current = self.store.get(resource.plural, namespace, name)
        if current is None:
            return self._not_found(resource, name)
        if request.method in ("PATCH", "PUT"):
            body = await self._body(request)
            if request.method == "PATCH":
                body = apply_patch(scale_of(current), request.headers.get("Content-Type", ""), body)
            replicas = (body.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                return status_response(422, "Invalid", "spec.replicas must be a non-negative integer")
            current["spec"]["replicas"] = replicas
            current = self.store.update(resource.plural, current)
        elif request.method != "GET":
            return status_response(405, "MethodNotAllowed", "the scale subresource allows get, patch and update")
        return web.json_response(scale_of(current))

    def _delete(self, plural: str, current: dict, grace: str | None) -> dict:
        if plural == "pods" and grace != "0":
            # a pod terminates gracefully: the simulated kubelet removes it later
            meta = current["metadata"]
            if not meta.get("deletionTimestamp"):
                meta["deletionTimestamp"] = rfc3339()
                meta["deletionGracePeriodSeconds"] = 30
                return self.store.update(plural, current)
            return current
        return self.store.delete(plural, current["metadata"].get("namespace", ""), current["metadata"]["name"])

    @staticmethod
    async def _body(request: web.Request) -> Any:
        try:
            return json.loads(await request.text())
        except ValueError:
            raise PatchError("the request body is not valid JSON") from None

    @staticmethod
    def _not_found(resource: res.Resource, name: str) -> web.Response:
        group = f".{resource.group}" if resource.group else ""
        return status_response(404, "NotFound", f'{resource.plural}{group} "{name}" not found')

    def _object_response(self, request: web.Request, plural: str, obj: dict) -> web.Response:
        version = table_version(request.headers.get("Accept", ""))
        if version:
            return web.json_response(table(plural, [obj], obj["metadata"]["resourceVersion"],
                                           request.query.get("includeObject", "Metadata"), version))
        return web.json_response(obj)

    def _predicates(self, request: web.Request) -> tuple[Callable[[dict], bool], Callable[[dict], bool]]:
        """The label and field selector predicates of a list or watch request."""
        labels = parse_label_selector(request.query.get("labelSelector"))
        fields = parse_field_selector(request.query.get("fieldSelector"))
        return labels, fields

    def _list(self, request: web.Request, resource: res.Resource, namespace: str | None) -> web.Response:
        labels, fields = self._predicates(request)
        items, rv = self.store.list(resource.plural, namespace,
                                    lambda o: labels(o["metadata"].get("labels") or {}) and fields(o))
        version = table_version(request.headers.get("Accept", ""))
        if version:
            return web.json_response(table(resource.plural, items, rv,
                                           request.query.get("includeObject", "Metadata"), version))
        return web.json_response({"kind": resource.list_kind, "apiVersion": resource.api_version,
                                  "metadata": {"resourceVersion": str(rv)},
                                  "items": [_list_item(i) for i in items]})

    async def _watch(self, request: web.Request, resource: res.Resource, namespace: str | None) -> web.StreamResponse:
        labels, fields = self._predicates(request)
        query = request.query
        version = table_version(request.headers.get("Accept", ""))
        include = query.get("includeObject", "Metadata")
        response = web.StreamResponse(headers={"Content-Type": "application/json",
                                               "Cache-Control": "no-cache, private"})
        response.enable_chunked_encoding()
        await response.prepare(request)

        async def send(type_: str, obj: dict) -> None:
            if version and type_ in ("ADDED", "MODIFIED", "DELETED"):
                obj = table(resource.plural, [obj], obj["metadata"]["resourceVersion"], include, version)
            await response.write(json.dumps({"type": type_, "object": obj}).encode() + b"\n")

        try:
            subscriber, initial, progress = self.store.subscribe(
                asyncio.get_running_loop(), resource.plural, namespace, query.get("resourceVersion"), labels, fields)
        except Gone as exc:
            # the real server answers 200 and then an ERROR event carrying a 410 Status
            await send("ERROR", status_body(410, "Expired", str(exc)))
            await response.write_eof()
            return response
        loop = asyncio.get_running_loop()
        timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else None
        deadline = loop.time() + timeout if timeout else None
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")

        def bookmark(extra: dict | None = None) -> dict:
            meta: dict = {"resourceVersion": str(progress)}
            if extra:
                meta["annotations"] = extra
            return {"kind": resource.kind, "apiVersion": resource.api_version, "metadata": meta}

        try:
            for type_, obj, _ in initial:
                await send(type_, obj)
            if query.get("sendInitialEvents") == "true":
                await send("BOOKMARK", bookmark({"k8s.io/initial-events-end": "true"}))
            while True:
                waits = [self.bookmark_interval] if bookmarks else []
                if deadline is not None:
                    waits.append(deadline - loop.time())
                try:
                    item = await asyncio.wait_for(subscriber.queue.get(), min(waits) if waits else None)
                except asyncio.TimeoutError:
                    if deadline is not None and loop.time() >= deadline:
                        break
                    await send("BOOKMARK", bookmark())
                    continue
                if item is None:
                    break
                type_, obj, progress = item
                if type_ != "PROGRESS":
                    await send(type_, obj)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client went away
        finally:
            self.store.unsubscribe(subscriber)
        return response
