"""PostgreSQL evidence: a scalar query in a read-only transaction, or the replication lag of a primary or standby.

One asyncpg pool per target, created at the first sample. The DSN comes only from an
environment variable or a file and never appears in a message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import os
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg

from golive.checks.base import Sample, SourceError
from golive.checks.postgres.lag import replication_lag
from golive.console import redact
from golive.console.units import format_duration

# lost connections: the pool's idle connections are dead too, so replace them all
_CONNECTION_LOST = (OSError, asyncpg.exceptions.ConnectionDoesNotExistError,
                    asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CannotConnectNowError,
                    asyncpg.exceptions.ConnectionFailureError)


def create(name: str, target: Any | None, *, on_change: Any = None, on_log: Any = None) -> "PostgresSource":
    """The PostgreSQL source for one ``[targets.postgres.<name>]``.

    Raises:
        SourceError: no target, the DSN variable unset or its file unreadable, or the DSN
            not a postgresql:// URL; the message names the field, never the DSN.
    """
    return PostgresSource(name, target)


class PostgresSource:
    """Samples PostgresChecks against one database through one pool of at most ``concurrency`` connections."""

    kind = "postgres"

    def __init__(self, name: str, target: Any | None) -> None:
        where = f"targets.postgres.{name}" if name else "postgres"
        if target is None:
            raise SourceError(f"{where}: a postgres check needs a [targets.postgres.<name>] with dsn_env or dsn_file")
        self.name = name
        self.target = target
        self._dsn = _read_dsn(where, target)
        parts = urlsplit(self._dsn)
        self.shown = parts.netloc.rpartition("@")[2] + parts.path  # host:port/db, no user or password
        raw = parts.netloc.rpartition("@")[0].partition(":")[2]
        passwords = [raw, unquote(raw), *parse_qs(parts.query).get("password", [])]
        # longest first, so a password inside the DSN does not leave the DSN half-replaced
        self._secrets = tuple(sorted({s for s in (self._dsn, *passwords) if len(s) >= 4}, key=len, reverse=True))
        redact.register_dsn(self._dsn)
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()

    async def _get_pool(self) -> asyncpg.Pool:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=0,  # connect at the first sample, and again after the server comes back
                    max_size=self.target.concurrency,
                    max_inactive_connection_lifetime=60.0,
                    timeout=self._deadline(None),
                    server_settings={"application_name": "golive"},
                )
            return self._pool

    def _deadline(self, check: Any | None) -> float:
        limits = [t for t in (getattr(check, "timeout", None), self.target.timeout) if t]
        return min(limits) if limits else 10.0

    async def sample(self, check: Any) -> Sample:
        """Run the check's query (or builtin) once.

        Returns:
            ``Sample.number`` of the scalar (interval in seconds, boolean as 0/1); no data
            for no rows, NULL, NaN, or a primary without standbys; ``Sample.failed`` with one
            secret-free line for connection and authentication failures, timeouts,
            attempted writes and non-numeric answers. Never raises.
        """
        at = time.time()
        deadline = self._deadline(check)
        # the server cancels first, so the message says "statement timeout" rather than a bare timeout
        statement_timeout = min(self.target.statement_timeout, deadline * 0.8)
        try:
            async with asyncio.timeout(deadline):
                pool = await self._get_pool()
                async with pool.acquire() as conn:
                    async with conn.transaction(readonly=True):
                        await conn.execute(f"SET LOCAL statement_timeout = {max(1, round(statement_timeout * 1000))}")
                        if check.builtin == "replication_lag":
                            return await replication_lag(conn, check.id, at)
                        row = await conn.fetchrow(check.query)
            return _scalar_sample(check.id, at, row)
        except TimeoutError:
            return self._failed(check, at, f"no answer within {format_duration(deadline)} from {self.shown}")
        except asyncpg.exceptions.QueryCanceledError as exc:
            return self._failed(check, at, f"statement timeout ({format_duration(statement_timeout)}): {exc}")
        except asyncpg.exceptions.ReadOnlySQLTransactionError as exc:
            return self._failed(check, at, f"read-only transaction: the check tried to write ({exc})")
        except (asyncpg.exceptions.InvalidPasswordError,
                asyncpg.exceptions.InvalidAuthorizationSpecificationError) as exc:
            return self._failed(check, at, f"authentication failed at {self.shown}: {exc}")
        except _CONNECTION_LOST as exc:
            await self._expire_pool()
            return self._failed(check, at, f"{_lost_reason(exc)} ({self.shown})")
        except asyncpg.PostgresError as exc:
            return self._failed(check, at, f"query failed: {exc} (SQLSTATE {exc.sqlstate})")
        except Exception as exc:  # fail closed: anything unexpected is an ERROR, not a crash
            await self._expire_pool()
            return self._failed(check, at, f"{type(exc).__name__}: {exc} ({self.shown})")

    def _failed(self, check: Any, at: float, text: str) -> Sample:
        return Sample.failed(check.id, at, self._scrub(text))

    async def _expire_pool(self) -> None:
        if self._pool is not None:
            await self._pool.expire_connections()

    def _scrub(self, text: str) -> str:
        """One line; no DSN, no password, no userinfo in any URL (scrubbed before it is cut)."""
        return redact.clip(text, 300, self._secrets)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), 5.0)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                pool.terminate()


def _scalar_sample(check_id: str, at: float, row: Any) -> Sample:
    if row is None or len(row) == 0:
        return Sample.empty(check_id, at, "query returned no rows")
    value = row[0]
    if value is None:
        return Sample.empty(check_id, at, "query returned NULL")
    number = _as_number(value)
    if isinstance(number, str):
        return Sample.failed(check_id, at, number)
    return Sample.number(check_id, at, number)


def _as_number(value: Any) -> float | str:
    """The value as a float, or the one-line reason it is not a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, decimal.Decimal)):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return f"query returned text {redact.clip(value, 40)!r}, expected a number"  # scrubbed, then cut
    return f"query returned a {type(value).__name__}, expected a number"


def _lost_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "cannot connect: connection refused"
    if isinstance(exc, OSError) and exc.errno:
        return f"cannot connect: {os.strerror(exc.errno)}"
    if isinstance(exc, asyncpg.exceptions.ConnectionDoesNotExistError):
        return "connection lost: the server closed it"
    return f"connection lost: {exc}"


def _read_dsn(where: str, target: Any) -> str:
    if target.dsn_env:
        dsn = os.environ.get(target.dsn_env, "").strip()
        if not dsn:
            state = "empty" if target.dsn_env in os.environ else "not set"
            raise SourceError(f"{where}: dsn_env names {target.dsn_env}, which is {state}")
        origin = f"dsn_env {target.dsn_env}"
    elif target.dsn_file:
        try:
            with open(target.dsn_file, encoding="utf-8") as fh:
                dsn = fh.read().strip()
        except OSError as exc:
            raise SourceError(f"{where}: dsn_file {target.dsn_file}: cannot read ({exc.strerror})") from None
        if not dsn:
            raise SourceError(f"{where}: dsn_file {target.dsn_file} is empty")
        origin = f"dsn_file {target.dsn_file}"
    else:
        raise SourceError(f"{where}: needs dsn_env or dsn_file")
    if urlsplit(dsn).scheme not in ("postgres", "postgresql"):
        raise SourceError(f"{where}: {origin} does not hold a postgresql:// URL")
    return dsn
