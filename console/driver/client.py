"""A seat at a running driver: the same surface as Session for the screens, fed over the driver's socket."""

# The snapshot and the streamed events are folded into a local Engine with the same ``apply``; samples update
# its live figures; commands travel to the driver and its refusals come back as ``Refused`` with its reason.

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.driver import protocol as proto
from golive.console.engine import Refused
from golive.console.rollback_plans import awaiting_confirm
from golive.console.session import Listener, Listeners, replay_session
from golive.console.state import HISTORY
from golive.console.units import format_age

CONNECT_WAIT = 10.0
SNAPSHOT_LIMIT = 512 * 1024 * 1024   # the driver's lines are trusted; a day's snapshot is large, not endless


class DriverGone(OSError):
    """No driver answers on the session's socket (or it refused this seat)."""


def connect(folder: Path, timeout: float = CONNECT_WAIT) -> socket.socket:
    path = Path(folder) / proto.SOCKET_NAME
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        with proto.socket_address(Path(folder)) as address:
            sock.connect(address)
    except OSError as exc:
        sock.close()
        raise DriverGone(f"{path}: no driver answers ({exc.strerror or exc})") from None
    return sock


def read_lines(sock: socket.socket, count: int, buffer: bytearray) -> list[dict[str, Any]]:
    """Read ``count`` lines (blocking); bytes past them stay in ``buffer``."""
    out: list[dict[str, Any]] = []
    while len(out) < count:
        end = buffer.find(b"\n")
        if end >= 0:
            line = bytes(buffer[:end + 1])
            del buffer[:end + 1]
            out.append(proto.decode_trusted(line))
            continue
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise DriverGone("the driver closed the connection")
        buffer += chunk
    return out


def query_status(folder: Path, timeout: float = 2.0) -> dict[str, Any]:
    """The driver's one-line status (service, version, phase, lead, seats); DriverGone when none answers."""
    sock = connect(folder, timeout)
    try:
        sock.sendall(proto.encode(proto.hello("status")))
        (status,) = read_lines(sock, 1, bytearray())
    except (OSError, ValueError) as exc:
        raise DriverGone(f"{folder}: the driver did not answer: {exc}") from None
    finally:
        sock.close()
    if status.get("type") != "status":
        raise DriverGone(f"{folder}: {status.get('error', 'no status from the driver')}")
    return status


class DriverClient(Listeners):
    """One seat: ``engine.state`` mirrors the driver's; ``subscribe`` hears events, samples and output."""

    headless = False
    engine: Any  # None until the first snapshot is folded (declared here: __init__ folds it in a call)

    def __init__(self, folder: Path, *, read_only: bool = False, listeners: tuple[Listener, ...] = (),
                 clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.read_only = read_only
        self.clock = clock
        self.record_paths: tuple[Path, Path] | None = None
        self.resume_warnings: list[str] = []
        self.stop_driver = False     # set by the screen's quit: the driver stops too (detach leaves it)
        self.broken = ""
        self.engine = None
        self._listeners: list[Listener] = list(listeners)
        self._buffer = bytearray()
        self.last_heard = 0.0   # the time of the newest event or sample heard from the driver
        self._sock = connect(self.folder)
        try:
            self._sock.sendall(proto.encode(proto.hello("watch" if read_only else "seat")))
            hello, snapshot = read_lines(self._sock, 2, self._buffer)
            if hello.get("type") == "error":
                raise DriverGone(f"{self.folder}: the driver refused this seat: {hello.get('error')}")
            self.seat, self.operator = hello.get("seat", ""), hello.get("user", "")
            self._fold_snapshot(snapshot)
        except DriverGone:
            self._sock.close()
            raise
        except OSError as exc:   # killed between accept and snapshot: gone, so watch follows the journal
            self._sock.close()
            raise DriverGone(f"{self.folder}: the driver went away while this seat attached "
                             f"({exc.strerror or exc})") from None
        except BaseException:
            self._sock.close()
            raise
        self.dry_run = self.engine.state.dry_run
        self._writer: asyncio.StreamWriter | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._stop: asyncio.Event | None = None

    # ------------------------------------------------------------------ reading

    def _fold_snapshot(self, snap: dict[str, Any]) -> None:
        if snap.get("type") != "snapshot":
            raise DriverGone(f"{self.folder}: the driver sent {snap.get('type')!r} where a snapshot belongs")
        runbook, engine, _ = replay_session(self.folder, snap["events"])
        st = engine.state
        for check_id, live in snap.get("live", {}).items():
            cs = st.checks.get(check_id)
            if cs is None:
                continue
            for name in ("value", "detail", "last_at", "min", "max", "count", "errors"):
                setattr(cs, name, live.get(name, getattr(cs, name)))
            cs.history = deque((tuple(p) for p in live.get("history", [])), maxlen=HISTORY)
            cs.series = tuple(tuple(s) for s in live.get("series", ()))
        for trig_id, live in snap.get("triggers", {}).items():
            if trig_id in st.triggers:
                st.triggers[trig_id].condition = bool(live.get("condition"))
        st.pods = snap.get("pods", {})
        times = [e.get("at") for e in snap["events"]] + [live.get("last_at") for live in snap.get("live", {}).values()]
        self.last_heard = max([self.last_heard, *(t for t in times if isinstance(t, (int, float)))])
        if self.engine is None:
            self.runbook, self.engine = runbook, engine
        else:
            self.engine.state = st   # the screen holds this Engine: its state is replaced in place

    def _take(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind in ("event", "sample"):
            at = (msg.get(kind) or {}).get("at")
            if isinstance(at, (int, float)):
                self.last_heard = max(self.last_heard, at)
        if kind == "event":
            event = ev.Event.from_dict(msg["event"])
            self.engine.apply(event)
            self._notify("event", event)
        elif kind == "sample":
            data = msg["sample"]
            sample = Sample(check_id=data["check_id"], at=data["at"], value=data.get("value"), ok=data.get("ok"),
                            error=data.get("error"), no_data=bool(data.get("no_data")),
                            detail=data.get("detail", ""), series=tuple(tuple(s) for s in data.get("series", ())),
                            extra=data.get("extra") or {})
            self.engine.apply(self.engine.sample_event(sample))   # its figures: what it causes comes from the driver
            self._notify("sample", sample)
        elif kind == "output":
            self._notify("output", (msg.get("action", ""), msg.get("line", "")))
        elif kind == "confirm_step":
            self._notify("confirm_step", (msg.get("step", ""), msg.get("command", "")))
        elif kind == "history":
            cs = self.engine.state.checks.get(msg.get("check"))
            if cs is not None:
                cs.history = deque((tuple(p) for p in msg.get("points", [])), maxlen=HISTORY)
                self._notify("history", cs.id)
        elif kind == "reply":
            reply_id = msg.get("id")
            future = self._waiting.pop(reply_id, None) if reply_id is not None else None
            if future is not None and not future.done():
                future.set_result(msg)
        elif kind == "snapshot":
            self._fold_snapshot(msg)
            self._notify("event", ev.Log(at=self.clock(), source="golive", level="info",
                                         text="caught up with the driver (fresh snapshot)"))
            self._ask_if_a_step_waits()
        elif kind == "error":
            self._gone(f"the driver dropped this seat: {msg.get('error')}")

    def _ask_if_a_step_waits(self) -> None:
        """A seat that attaches (or catches up) while a rollback step waits for its confirmation asks at once:
        the driver asked before this seat could hear it."""
        waiting = awaiting_confirm(self.engine)
        if waiting is not None:
            self._notify("confirm_step", waiting)

    def driver_problem(self, now: float) -> str:
        """The gate line's banner: empty while attached; once the driver is gone, what happened."""
        if not self.broken:
            return ""
        heard = f"last heard {format_age(max(0.0, now - self.last_heard))}; " if self.last_heard else ""
        return f"driver not running — {heard}{self.broken}"

    def _gone(self, why: str) -> None:
        if self.broken:
            return
        self.broken = why
        # nothing is observed from here on: a hold counts no further than the last sample the driver sent
        self.engine.evidence_until = self.last_heard
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(Refused(why))
        self._waiting.clear()
        event = ev.Log(at=self.clock(), source="golive", level="error", text=why)
        self.engine.apply(event)
        self._notify("event", event)

    async def run(self, until_outcome: bool | None = False) -> str | None:
        """Hear the driver until ``stop`` (or the connection ends)."""
        self._stop = self._stop or asyncio.Event()
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock, limit=SNAPSHOT_LIMIT)
        if self._buffer:
            reader.feed_data(bytes(self._buffer))   # lines that came with the snapshot
            self._buffer.clear()
        stopping = asyncio.ensure_future(self._stop.wait())
        self._ask_if_a_step_waits()
        try:
            while not self._stop.is_set():
                reading = asyncio.ensure_future(reader.readline())
                await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not reading.done():
                    reading.cancel()
                    break
                line = reading.result()
                if not line:
                    self._gone(f"the driver stopped; carry on with: golive resume {self.folder}")
                    break
                self._take(proto.decode_trusted(line))
                if until_outcome and self.engine.state.outcome is not None:
                    break
        except (ConnectionError, OSError, ValueError, KeyError, TypeError) as exc:
            self._gone(f"lost the driver: {type(exc).__name__}: {exc}")
        finally:
            stopping.cancel()
            if self.stop_driver and not self.broken:
                self._writer.write(proto.encode({"type": "command", "id": 0, "command": "stop", "args": {}}))
                try:
                    await asyncio.wait_for(self._writer.drain(), 2.0)
                except (ConnectionError, OSError, asyncio.TimeoutError):
                    pass
            self._writer.close()
        return self.engine.state.outcome

    def stop(self) -> None:
        """Leave the driver (it goes on, unless ``stop_driver`` was set by the screen's quit)."""
        if self._stop is None:
            self._stop = asyncio.Event()
        self._stop.set()

    def close(self) -> None:
        if self._writer is None:
            self._sock.close()

    def after_screen(self) -> str:
        """The line the terminal shows when the screen closes."""
        outcome = self.engine.state.outcome
        if self.read_only:
            return f"golive: stopped watching {self.folder}" + (f" (outcome {outcome})" if outcome else "")
        if self.stop_driver and outcome:
            return (f"golive: outcome {outcome}; the driver stopped; record: {self.folder / 'record.toml'}  "
                    f"{self.folder / 'record.md'}")
        if self.stop_driver:
            return f"golive: the driver stopped; carry on with: golive resume {self.folder}"
        return ("golive: detached; the driver goes on" + (f" (outcome {outcome})" if outcome else "")
                + f"; attach again with: golive attach {self.folder}")

    # ------------------------------------------------------------------ commands

    async def _send(self, command: str, **args: Any) -> dict[str, Any]:
        if self.broken:
            raise Refused(self.broken)
        if self._writer is None:
            raise Refused("not attached to the driver yet")
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        self._writer.write(proto.encode({"type": "command", "id": ident, "command": command, "args": args}))
        reply = await future
        if not reply.get("ok"):
            raise Refused(reply.get("refused") or "refused by the driver")
        return reply

    # ``by`` is accepted for the screens' sake and never sent: the driver names the person from the kernel.
    async def proceed(self, by: str | None = None) -> None:
        await self._send("proceed")

    async def override(self, reason: str, by: str | None = None) -> None:
        await self._send("override", reason=reason)

    async def tick(self, check_id: str, checked: bool = True, note: str = "", by: str | None = None) -> None:
        await self._send("tick", check_id=check_id, checked=checked, note=note)

    async def note(self, text: str, by: str | None = None) -> None:
        await self._send("note", text=text)

    async def sign(self, role: str, name: str | None = None) -> None:
        if name and name != self.operator:
            raise Refused(f"the driver signs off as the Unix user at this seat ({self.operator}), not {name}: "
                          "the person who signs logs in as themselves")
        await self._send("sign", role=role)

    async def signature(self, signature: dict[str, str]) -> None:
        """A role's SSHSIG made at this seat (driver.cosign.make_signature); the driver checks and stores it."""
        await self._send("signature", **signature)

    async def approve(self, role: str = "", note: str = "", by: str | None = None) -> None:
        await self._send("approve", role=role, note=note)

    async def abort(self, reason: str, by: str | None = None) -> None:
        await self._send("abort", reason=reason)

    async def decline_rollback(self, reason: str, by: str | None = None) -> None:
        await self._send("decline_rollback", reason=reason)

    async def run_action(self, by: str | None = None) -> None:
        await self._send("run_action")

    async def rollback(self, by: str | None = None, reason: str = "", trigger: str = "", plan: str = "") -> None:
        await self._send("rollback", reason=reason, trigger=trigger, plan=plan)

    async def fire_trigger(self, trigger_id: str, reason: str, by: str | None = None) -> None:
        await self._send("fire_trigger", trigger_id=trigger_id, reason=reason)

    async def resume_paused(self, note: str, by: str | None = None) -> None:
        await self._send("resume_paused", note=note)

    async def confirm_step(self, step: str, note: str = "", by: str | None = None) -> None:
        await self._send("confirm_step", step=step, note=note)

    def write_record(self) -> tuple[Path, Path]:
        """The driver writes it (it holds the journal); the paths are where it lands."""
        if self._writer is None or self.broken:
            raise Refused(self.broken or "not attached to the driver yet")
        self.record_paths = (self.folder / "record.toml", self.folder / "record.md")
        if self._stop is not None and self._stop.is_set():
            return self.record_paths   # leaving: the driver writes its draft itself when it stops
        asyncio.ensure_future(self._send("write_record")).add_done_callback(_quiet)
        return self.record_paths


def _quiet(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()   # a refused draft shows in the driver's log; nothing to raise here
