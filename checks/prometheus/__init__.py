"""The Prometheus evidence source: instant queries at an explicit time, shared and batched per target.

On one target, identical queries waiting at the same time share one request, and
the distinct queries that arrive within a few milliseconds of each other travel as
one PromQL expression (``golive.checks.prometheus.batch``), so a cycle of hundreds of
checks costs a handful of round trips and little client CPU. Results are exactly
those of the queries run one by one.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any, Callable

import httpx

from golive.checks import http_transport as transport
from golive.checks.base import Sample, SourceError
from golive.checks.prometheus.answer import (
    MalformedAnswer,
    PrometheusError,
    QueryResult,
    instant_result,
    parse_answer,
    read_value,
    to_sample,
)
from golive.checks.prometheus.batch import compose, split

WINDOW = 0.002  # seconds a query waits for others to share its request
WINDOW_MAX = 4096  # a window this full is sent at once
BATCH_MAX = 64  # queries in one request
BATCH_MIN = 4  # a window is split to use idle connections, but not into batches smaller than this
BATCH_CHARS = 60_000  # PromQL characters in one request
# errors that belong to one query of a batch, not to the server: retry the batch one by one
QUERY_FAULTS = ("bad_data", "execution")


def create(name: str, target: Any, *, on_change: Any = None, on_log: Any = None,
           clock: Callable[[], float] | None = None) -> "PrometheusSource":
    """The source for ``[targets.prometheus.<name>]``.

    Raises:
        SourceError: a credential variable unset, a file unreadable, a bad URL.
    """
    return PrometheusSource(name, target, clock=clock)


class _Failure(Exception):
    """A request brought no answer; the message is one line, free of secrets."""


class PrometheusSource:
    """Samples PrometheusChecks against one Prometheus-API server.

    ``sample`` never raises for network or server trouble: it returns
    ``Sample.failed`` with one line. ``clock`` gives the evaluation time (tests fix
    it to query backfilled history). The source bounds its own connections to the
    target's ``concurrency``; callers may await any number of samples at once, and
    should, so they can be batched.
    """

    kind = "prometheus"
    # the source caps its own connections at the target's concurrency; a scheduler that
    # also caps samples in flight per target keeps them from sharing batches
    limits_own_concurrency = True

    def __init__(self, name: str, target: Any, *, clock: Callable[[], float] | None = None) -> None:
        api = transport.open_api_target("prometheus", name, target)
        self._credentials, self._headers, self.shown = api.credentials, api.headers, api.shown
        self._base = api.base
        self._concurrency = target.concurrency
        self._target_timeout = target.timeout
        self._clock = clock or time.time
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._types: dict[str, str] = {}  # query -> resultType, learnt from lone answers
        self._solo: set[str] = set()  # queries that must not be batched (their own error, range result)
        self._waiting: dict[str, asyncio.Future] = {}  # query -> its shared pending result
        self._window: list[str] = []
        self._window_timeout = 0.0
        self._flush_handle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task] = set()
        self.requests_sent = 0  # for benchmarks and tests of sharing

    # ---------------------------------------------------------------- the protocol

    async def sample(self, check: Any) -> Sample:
        """The check's value at now: a number, no data, or an error (never raises for I/O)."""
        timeout = self._timeout(getattr(check, "timeout", 10.0))
        future = self._enqueue(check.query, timeout)
        try:
            result = await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return Sample.failed(check.id, self._clock(), transport.no_answer(self.shown, timeout))
        return to_sample(check, result)

    async def query_range(self, query: str, start: float, end: float, step: float) -> list[tuple[float, float]]:
        """(time, value) points of a one-series range query, NaN/±Inf points left out.

        Raises:
            SourceError: one line: unreachable, an error answer, several series.
        """
        timeout = self._timeout(30.0)
        form = {"query": query, "start": _num(start), "end": _num(end), "step": _num(step), "timeout": _num(timeout)}
        try:
            data = await self._post("/api/v1/query_range", form, timeout)
        except PrometheusError as exc:
            raise SourceError(self._scrub(f"Prometheus {exc}")) from None
        except _Failure as exc:
            raise SourceError(str(exc)) from None
        result = data.get("result")
        if data.get("resultType") != "matrix" or not isinstance(result, list):
            raise SourceError(f"malformed answer from {self.shown}: a range query did not return a matrix")
        if len(result) > 1:
            raise SourceError(f"{len(result)} series returned; aggregate with sum()/max()")
        points: list[tuple[float, float]] = []
        try:
            for pair in result[0]["values"] if result else ():
                value = read_value(pair)
                if math.isfinite(value):
                    points.append((float(pair[0]), value))
        except (KeyError, TypeError, ValueError, MalformedAnswer):
            raise SourceError(f"malformed answer from {self.shown}: bad range values") from None
        return points

    async def close(self) -> None:
        """Cancel what is under way (waiters get an error) and close the connections."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for task in list(self._tasks):
            task.cancel()
        for future in self._waiting.values():
            if not future.done():
                future.set_result(QueryResult(self._clock(), error="source closed"))
        self._waiting.clear()
        self._window.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ---------------------------------------------------------------- sharing and batching

    def _enqueue(self, query: str, timeout: float) -> asyncio.Future:
        future = self._waiting.get(query)
        if future is not None:
            return future  # the same query is waiting or under way: share its answer
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting[query] = future
        self._window.append(query)
        self._window_timeout = max(self._window_timeout, timeout)
        if len(self._window) >= WINDOW_MAX:
            self._flush()
        elif self._flush_handle is None:
            self._flush_handle = loop.call_later(WINDOW, self._flush)
        return future

    def _flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        queries, self._window = self._window, []
        timeout, self._window_timeout = self._window_timeout, 0.0
        at = round(self._clock(), 3)
        for batch in self._plan(queries):
            task = asyncio.get_running_loop().create_task(self._run(batch, at, timeout))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _plan(self, queries: list[str]) -> list[list[str]]:
        """Batches for one window: lone queries alone, the rest spread over the connections."""
        batches = [[q] for q in queries if q in self._solo]
        rest = [q for q in queries if q not in self._solo]
        if not rest:
            return batches
        count = max(-(-len(rest) // BATCH_MAX), min(self._concurrency, -(-len(rest) // BATCH_MIN)))
        size = -(-len(rest) // count)
        for i in range(0, len(rest), size):
            batch: list[str] = []
            chars = 0
            for query in rest[i:i + size]:
                if batch and chars + len(query) > BATCH_CHARS:
                    batches.append(batch)
                    batch, chars = [], 0
                batch.append(query)
                chars += len(query) + 40
            batches.append(batch)
        return batches

    async def _run(self, batch: list[str], at: float, timeout: float) -> None:
        try:
            results = await (self._one(batch[0], at, timeout) if len(batch) == 1 else self._many(batch, at, timeout))
            results = results if isinstance(results, list) else [results]
        except Exception as exc:  # never leave a waiter hanging: a bug here is an ERROR, not a stall
            results = [QueryResult(at, error=f"internal error: {type(exc).__name__}")] * len(batch)
        for query, result in zip(batch, results, strict=True):
            future = self._waiting.pop(query, None)
            if future is not None and not future.done():
                future.set_result(result)

    async def _many(self, batch: list[str], at: float, timeout: float) -> list[QueryResult]:
        scalar = [self._types.get(q) == "scalar" for q in batch]
        guessed = any(q not in self._types for q in batch)
        form = {"query": compose(zip(batch, scalar, strict=True)), "time": _num(at), "timeout": _num(timeout)}
        try:
            return split(await self._post("/api/v1/query", form, timeout), scalar, at)
        except PrometheusError as exc:
            if exc.kind not in QUERY_FAULTS:
                return [QueryResult(at, error=self._scrub(f"Prometheus {exc}"))] * len(batch)
        except (_Failure, MalformedAnswer) as exc:
            message = str(exc) if isinstance(exc, _Failure) else f"malformed answer from {self.shown}: {exc}"
            return [QueryResult(at, error=message)] * len(batch)
        # one query's fault (or a guessed type) fails the whole expression: ask one by one
        # so each error lands on its own check and each type is learnt
        results = list(await asyncio.gather(*(self._one(q, at, timeout) for q in batch)))
        if not guessed and all(r.error is None for r in results):
            self._solo.update(batch)  # fine alone, failing together (e.g. too many samples): keep apart
        return results

    async def _one(self, query: str, at: float, timeout: float) -> QueryResult:
        form = {"query": query, "time": _num(at), "timeout": _num(timeout)}
        try:
            result = instant_result(await self._post("/api/v1/query", form, timeout), at)
        except PrometheusError as exc:
            if exc.kind in QUERY_FAULTS:
                self._solo.add(query)
            return QueryResult(at, error=self._scrub(f"Prometheus {exc}"))
        except MalformedAnswer as exc:
            return QueryResult(at, error=f"malformed answer from {self.shown}: {exc}")
        except _Failure as exc:
            return QueryResult(at, error=str(exc))
        self._types[query] = result.result_type
        if result.result_type not in ("scalar", "vector"):
            self._solo.add(query)
        return result

    # ---------------------------------------------------------------- HTTP

    async def _post(self, path: str, form: dict[str, str], timeout: float) -> dict[str, Any]:
        """The answer's data. Raises PrometheusError, or _Failure with one secret-free line."""
        if self._client is None:
            self._client = transport.make_client(self._credentials.verify, self._headers,
                                                  concurrency=self._concurrency, timeout=timeout)
            self._slots = asyncio.Semaphore(self._concurrency)
        assert self._slots is not None
        async with self._slots:
            self.requests_sent += 1
            try:
                response = await self._client.post(self._base + path, content=_form_body(form),
                                                   headers=_FORM_HEADERS, timeout=timeout)
            except httpx.HTTPError as exc:
                raise _Failure(self._scrub(transport.describe_error(exc, self.shown, timeout))) from None
        status = response.status_code
        if status in (401, 403) or status >= 500 and status != 503:
            raise _Failure(transport.http_status_problem(status, response.reason_phrase, self.shown))
        try:
            # Prometheus explains a query's failure in the JSON body of a 400, 422 or 503
            data = parse_answer(response.content)
        except MalformedAnswer as exc:
            if status != 200:
                raise _Failure(transport.http_status_problem(status, response.reason_phrase, self.shown)) from None
            raise _Failure(f"malformed answer from {self.shown}: {exc}") from None
        if status != 200:
            raise _Failure(transport.http_status_problem(status, response.reason_phrase, self.shown))
        return data

    def _timeout(self, check_timeout: float) -> float:
        if self._target_timeout:
            return min(check_timeout, self._target_timeout)
        return check_timeout

    def _scrub(self, text: str) -> str:
        return transport.scrub(text, self._credentials.secrets)


def _num(value: float) -> str:
    return repr(float(value))


# Form encoding by one str.translate per field: urllib's quote loops in Python over every
# character of a batch's PromQL, which made it a tenth of the client's CPU per query.
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_FORM_TABLE = [chr(b) if b in _SAFE else "+" if b == 32 else f"%{b:02X}" for b in range(256)]
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def _form_body(fields: dict[str, str]) -> bytes:
    """``application/x-www-form-urlencoded`` bytes, as urllib.parse.urlencode would give them."""
    return "&".join(
        f"{key}={value.encode('utf-8').decode('latin-1').translate(_FORM_TABLE)}" for key, value in fields.items()
    ).encode("ascii")
