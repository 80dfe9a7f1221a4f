"""A Prometheus-API-compatible sandbox that answers the demo runbook's queries from the traffic model.

It is not a PromQL engine: it recognises the demo's four metrics by their shape
(5xx ratio, p95 latency from a histogram, request rate, CPU saturation), honours
the ``version`` and ``service`` labels, and answers instant and range queries
— including Golive's batched form (``label_replace(...) or ...``). Any other
query gets Prometheus's own ``bad_data`` error, so nothing unknown looks healthy.
"""

from __future__ import annotations

import math
import re
import time
from typing import Callable

from aiohttp import web

from golive.sandbox.traffic import TrafficModel

_BATCH_PART = re.compile(r'label_replace\((?:vector)?\((.*?)\n\), "__golive_q", "(\d+)", "", ""\)', re.DOTALL)
MAX_POINTS = 11000   # Prometheus refuses range queries of more points; so does the sandbox


class UnknownQuery(ValueError):
    pass


def recognise(model: TrafficModel, query: str) -> Callable[[float], float | None]:
    """A function of time for one of the demo's queries; raises UnknownQuery for anything else."""
    q = " ".join(query.split())
    service = re.search(r'service="([^"]*)"', q)
    if service and service.group(1) != model.service and service.group(1) not in model.companions:
        return lambda t: None
    m = re.search(r'version="([^"]*)"', q)
    version = m.group(1) if m else None
    if version is not None and version not in (model.old_version, model.new_version):
        return lambda t: None
    if "histogram_quantile(0.95" in q and "http_request_duration_seconds_bucket" in q:
        scale = 1000.0 if "* 1000" in q else 1.0
        return lambda t: None if (v := model.latency_p95(version, t)) is None else v / 1000 * scale
    if "http_requests_total" in q and '"5.."' in q and "/" in q:
        return lambda t: model.error_ratio(version, t) if "* 100" in q else \
            (None if (v := model.error_ratio(version, t)) is None else v / 100)
    if q.startswith("sum(rate(http_requests_total") and "/" not in q:
        return lambda t: model.request_rate(version, t)
    if "container_cpu_usage_seconds_total" in q:
        return model.saturation
    from golive.sandbox.seed_metrics import anything

    if (series := anything(model, q, version)) is not None:
        return series
    raise UnknownQuery("the Golive sandbox answers only the demo runbook's metrics")


def _fmt(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ("NaN" if math.isnan(value) else
                                                             ("+Inf" if value > 0 else "-Inf"))


def _error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"status": "error", "errorType": kind, "error": message}, status=status)


class PromSandbox:
    """aiohttp app serving /api/v1/query, /api/v1/query_range, /-/ready and /-/healthy."""

    def __init__(self, model: TrafficModel):
        self.model = model
        self.queries = 0

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._outage])
        app.router.add_route("*", "/api/v1/query", self.query)
        app.router.add_route("*", "/api/v1/query_range", self.query_range)
        app.router.add_get("/-/ready", self.ready)
        app.router.add_get("/-/healthy", self.ready)
        app.router.add_get("/api/v1/status/buildinfo", self.buildinfo)
        return app

    @web.middleware
    async def _outage(self, request: web.Request, handler):
        # the flaky scenario: the metrics endpoint is down for a while, as a real one can be
        if self.model.in_outage():
            return web.Response(status=503, text="Service Unavailable: the sandbox's outage window")
        return await handler(request)

    async def ready(self, request: web.Request) -> web.Response:
        return web.Response(text="Prometheus Server is Ready.\n")

    async def buildinfo(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "success", "data": {"version": "golive-sandbox"}})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, str]:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        return params

    async def query(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        self.queries += 1
        query = params.get("query", "")
        try:
            at = float(params["time"]) if "time" in params else time.time()
        except ValueError:
            return _error(400, "bad_data", f"invalid parameter \"time\": cannot parse {params['time']!r}")
        parts = _BATCH_PART.findall(query)
        try:
            if parts:
                result = []
                for inner, tag in parts:
                    value = recognise(self.model, inner)(at)
                    if value is not None:
                        result.append({"metric": {"__golive_q": tag}, "value": [at, _fmt(value)]})
                return web.json_response({"status": "success", "data": {"resultType": "vector", "result": result}})
            value = recognise(self.model, query)(at)
        except UnknownQuery as exc:
            return _error(400, "bad_data", str(exc))
        result = [] if value is None else [{"metric": {}, "value": [at, _fmt(value)]}]
        return web.json_response({"status": "success", "data": {"resultType": "vector", "result": result}})

    async def query_range(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        self.queries += 1
        try:
            start, end, step = float(params["start"]), float(params["end"]), float(params["step"])
        except (KeyError, ValueError):
            return _error(400, "bad_data", "start, end and step are required numbers")
        if step <= 0 or end < start:
            return _error(400, "bad_data", "end must not be before start, and step must be positive")
        if (end - start) / step > MAX_POINTS:
            return _error(400, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries")
        try:
            fn = recognise(self.model, params.get("query", ""))
        except UnknownQuery as exc:
            return _error(400, "bad_data", str(exc))
        values = []
        t = start
        while t <= end + 1e-9:
            v = fn(t)
            if v is not None:
                values.append([round(t, 3), _fmt(v)])
            t += step
        result = [{"metric": {}, "values": values}] if values else []
        return web.json_response({"status": "success", "data": {"resultType": "matrix", "result": result}})
