"""The driver's socket server: every seat gets a snapshot, then the stream of changes; commands come back.
The person at each seat is the Unix user the kernel names for the connection (SO_PEERCRED), never a flag."""

from __future__ import annotations

import asyncio
import os
import pwd
import socket
import struct
from collections import deque
from pathlib import Path
from typing import Any

from golive.console import roles
from golive.console.driver import protocol as proto
from golive.console.engine import Refused
from golive.console.journal import JOURNAL_NAME, read_journal
from golive.console.session import SEAT

QUEUE_MAX = 2000        # lines waiting for one seat; beyond this it gets a fresh snapshot instead
FLUSH_LINES = 200       # samples waiting for one seat that are written without waiting for SAMPLE_FLUSH
HELLO_WAIT = 10.0       # seconds a client has to say hello
OUTCOME_IDLE = 3600.0   # after the outcome, the driver ends once no seat has been attached this long
SAMPLE_FLUSH = 0.05     # seconds samples wait for one write per seat (well inside the 100 ms latency goal)


def peer_identity(sock: socket.socket) -> tuple[int, int, str]:
    """(pid, uid, login name) of the process at the other end, from the kernel."""
    pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                         struct.calcsize("3i")))
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = f"uid-{uid}"
    return pid, uid, name


def open_to_group(folder: Path, sock: Path, group: str | None) -> None:
    """``[runbook] group``: the socket (0660) and session folder (0770) become the group's, so its members can
    take seats; without it both stay the lead's alone. What a member may do is still the roles' business."""
    if not group:
        return
    import grp

    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise ValueError(f"[runbook] group = {group!r}: no such group on this host") from None
    for path, mode in ((folder, 0o770), (sock, 0o660)):
        os.chown(path, -1, gid)
        os.chmod(path, mode)


class Seat:
    """One attached client: a bounded queue of lines and the task that writes them."""

    def __init__(self, server: "DriverServer", writer: asyncio.StreamWriter, name: str, user: str, pid: int,
                 mode: str):
        self.server, self.writer, self.name, self.user, self.pid, self.mode = server, writer, name, user, pid, mode
        self.out: deque[bytes] = deque()
        self.resync = False
        self.wake = asyncio.Event()
        self.closed = False
        self.finishing = False   # write what is due, then ``last`` (an error line), then stop
        self.last = b""

    def send(self, line: bytes, urgent: bool = True) -> None:
        """Queue a line; ``urgent`` wakes the writer now (with whatever samples wait before it, in order)."""
        if self.closed:
            return
        if len(self.out) >= QUEUE_MAX:
            # a slow seat never slows the driver: drop its backlog and send the whole picture when it catches up
            self.out.clear()
            self.resync = True
            urgent = True
        else:
            self.out.append(line)
        if urgent or len(self.out) >= FLUSH_LINES:
            self.wake.set()

    async def pump(self) -> None:
        try:
            await self._pump()
        except (ConnectionError, OSError):
            self.server._drop(self)   # a seat that went away is just gone

    async def _pump(self) -> None:
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            if self.resync:
                self.resync = False
                self.out.clear()   # the snapshot holds all of it; built with no await in between
                self.writer.write(proto.encode(self.server.snapshot()))
            batch: list[bytes] = []
            while self.out and len(batch) < 200:
                batch.append(self.out.popleft())
            if batch:
                self.writer.write(b"".join(batch))
            if self.out or self.resync:
                self.wake.set()
            await self.writer.drain()
            if self.finishing and not self.out and not self.resync:
                self.writer.write(self.last)
                await self.writer.drain()
                return


class DriverServer:
    """Serves one Session on ``folder/driver.sock`` (mode 0600)."""

    def __init__(self, session: Any, folder: Path | None = None):
        self.session = session
        self.folder = Path(folder or session.folder)
        self.path = self.folder / proto.SOCKET_NAME
        self.seats: list[Seat] = []
        self._count = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._clients: set[asyncio.Task] = set()   # one per connection, made by asyncio's server
        self.events: list[dict[str, Any]] = []
        self._idle_since: float | None = None
        self._flush: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ life

    async def start(self) -> None:
        self.events = []
        for event in read_journal(self.folder / JOURNAL_NAME).events:
            self._keep(proto.clean(event))
        self.session.subscribe(self._hear)
        if self.path.exists() or self.path.is_symlink():
            self.path.unlink()   # a dead driver's socket: the journal lock says nobody else drives this session
        old = os.umask(0o177)
        try:
            with proto.socket_address(self.folder) as address:
                self._server = await asyncio.start_unix_server(self._client, path=address,
                                                               limit=proto.MAX_LINE + 2)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        open_to_group(self.folder, self.path, getattr(self.session.runbook.meta, "group", None))
        self._spawn(self._watch_idle())

    async def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        for seat in list(self.seats):
            self._drop(seat)
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._clients:
            # their writers are closed: let each connection's task end by itself, since a cancelled one makes
            # asyncio's stream server print a CancelledError traceback into driver.log at shutdown
            await asyncio.wait(list(self._clients), timeout=2.0)
        try:
            self.path.unlink()
        except OSError:
            pass

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _watch_idle(self) -> None:
        while True:
            await asyncio.sleep(5.0)
            if self.session.engine.state.outcome is None or self.seats:
                self._idle_since = None
                continue
            now = self.session.clock()
            self._idle_since = self._idle_since or now
            if now - self._idle_since >= OUTCOME_IDLE:
                self.session.stop()

    # ------------------------------------------------------------------ what seats see

    def snapshot(self) -> dict[str, Any]:
        st = self.session.engine.state
        live = {cs.id: {"value": cs.value, "detail": cs.detail, "last_at": cs.last_at, "min": cs.min,
                        "max": cs.max, "count": cs.count, "errors": cs.errors, "history": list(cs.history),
                        "series": cs.series} for cs in st.checks.values()}
        triggers = {ts.id: {"condition": ts.condition} for ts in st.triggers.values()}
        return proto.clean({"type": "snapshot", "events": self.events, "live": live, "triggers": triggers,
                            "pods": st.pods, "seats": [s.user for s in self.seats if s.mode != "status"]})

    def status(self) -> dict[str, Any]:
        st, meta = self.session.engine.state, self.session.runbook.meta
        phase = self.session.engine.active_phase()
        return {"type": "status", "golive": proto.VERSION, "folder": str(self.folder.resolve()),
                "pid": os.getpid(), "service": meta.service, "version": meta.version,
                "phase": phase.id if phase else "", "outcome": st.outcome or "", "lead": st.operator,
                "seats": [s.user for s in self.seats if s.mode != "status"]}

    def _keep(self, data: dict[str, Any]) -> None:
        """Remember an event for the snapshot; of a run of heartbeats only the latest (a quiet day is ~17k)."""
        if data.get("type") == "heartbeat" and self.events and self.events[-1].get("type") == "heartbeat":
            self.events[-1] = data
        else:
            self.events.append(data)

    def _hear(self, kind: str, payload: Any) -> None:
        if kind == "event":
            data = proto.clean(payload.to_dict())
            self._keep(data)
            message = {"type": "event", "event": data}
        elif kind == "sample":
            message = {"type": "sample", "sample": proto.clean({
                "check_id": payload.check_id, "at": payload.at, "value": payload.value, "ok": payload.ok,
                "error": payload.error, "no_data": payload.no_data, "detail": payload.detail,
                "series": payload.series, "extra": payload.extra})}
        elif kind == "output":
            message = {"type": "output", "action": payload[0], "line": payload[1]}
        elif kind == "history":
            cs = self.session.engine.state.checks.get(payload)
            message = {"type": "history", "check": payload, "points": proto.clean(list(cs.history) if cs else [])}
        elif kind == "confirm_step":   # a rollback step with confirm = true waits: each seat's screen asks
            message = {"type": "confirm_step", "step": payload[0], "command": payload[1]}
        else:
            return
        try:
            line = proto.encode(message)
        except (TypeError, ValueError):
            return   # something that cannot travel is not worth stopping the driver for
        # samples are most of the lines (500 checks: ~33 a second): gathered into one write per seat every
        # SAMPLE_FLUSH instead of a wake-up and a write per seat per sample; anything people act on goes now
        urgent = kind != "sample"
        for seat in self.seats:
            seat.send(line, urgent)
        if not urgent and self.seats:
            self._flush_soon()

    def _flush_soon(self) -> None:
        if self._flush is not None:
            return
        try:
            self._flush = asyncio.get_running_loop().call_later(SAMPLE_FLUSH, self._flush_samples)
        except RuntimeError:   # no loop (a fold outside the driver): nothing to wait for
            self._flush_samples()

    def _flush_samples(self) -> None:
        self._flush = None
        for seat in self.seats:
            if seat.out:
                seat.wake.set()

    # ------------------------------------------------------------------ one client

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seat: Seat | None = None
        pump: asyncio.Task | None = None
        me = asyncio.current_task()
        if me is not None:
            self._clients.add(me)
            me.add_done_callback(self._clients.discard)
        try:
            pid, _uid, user = peer_identity(writer.get_extra_info("socket"))
            line = await asyncio.wait_for(reader.readline(), HELLO_WAIT)
            mode = proto.check_hello(proto.decode(line))
            if mode == "status":
                writer.write(proto.encode(self.status()))
                await writer.drain()
                return
            self._count += 1
            seat = Seat(self, writer, f"seat-{self._count}", user, pid, mode)
            writer.write(proto.encode({"type": "hello", "golive": proto.VERSION, "seat": seat.name, "user": user,
                                       "mode": mode, "folder": str(self.folder.resolve())}))
            seat.resync = True   # the first thing it gets is the snapshot
            self.seats.append(seat)
            pump = self._spawn(seat.pump())
            seat.wake.set()
            while not seat.closed:
                line = await reader.readline()
                if not line.endswith(b"\n"):
                    return   # the client went away (a truncated last line is no command)
                ident, name, args = proto.check_command(proto.decode(line))
                self._spawn(self._command(seat, ident, name, args))
            pump.cancel()
        except proto.ProtocolError as exc:
            await self._refuse(writer, str(exc), seat, pump)
        except ValueError:   # the stream's own limit: a line without its end within MAX_LINE
            await self._refuse(writer, f"line longer than {proto.MAX_LINE} bytes", seat, pump)
        except asyncio.TimeoutError:
            await self._refuse(writer, f"no hello within {HELLO_WAIT:g}s")
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            if seat is not None:
                self._drop(seat)
            writer.close()

    async def _refuse(self, writer: asyncio.StreamWriter, text: str, seat: Seat | None = None,
                      pump: asyncio.Task | None = None) -> None:
        """One error line, after whatever the seat was already due (its hello, its snapshot), then the drop."""
        if seat is not None and pump is not None and not pump.done():
            seat.last, seat.finishing = proto.encode(proto.error(text)), True
            seat.wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(pump), 2.0)
            except (asyncio.TimeoutError, ConnectionError, OSError):
                pass
            return
        try:
            writer.write(proto.encode(proto.error(text)))
            await asyncio.wait_for(writer.drain(), 1.0)
        except (ConnectionError, OSError, asyncio.TimeoutError):
            pass

    def _drop(self, seat: Seat) -> None:
        seat.closed = True
        seat.wake.set()
        if seat in self.seats:
            self.seats.remove(seat)
        seat.writer.close()

    async def _command(self, seat: Seat, ident: Any, name: str, args: dict[str, Any]) -> None:
        SEAT.set(f"{seat.name} pid {seat.pid}")   # this task's context: every event it journals names the seat
        try:
            extra = await self._dispatch(seat, name, args) or {}
            reply = {"type": "reply", "id": ident, "ok": True, **extra}
        except Refused as exc:
            reply = {"type": "reply", "id": ident, "ok": False, "refused": str(exc)}
        except Exception as exc:   # the driver never falls over for one command
            reply = {"type": "reply", "id": ident, "ok": False, "refused": f"{type(exc).__name__}: {exc}"}
        seat.send(proto.encode(reply))

    async def _dispatch(self, seat: Seat, name: str, a: dict[str, Any]) -> dict[str, Any] | None:
        s, by = self.session, seat.user
        if seat.mode == "watch":
            raise Refused("read-only: golive watch cannot act; attach with golive attach to drive")
        outsider = roles.outsider_refusal(s.runbook, by, s.engine.state.operator)
        # tick, approve, sign, signature and fire_trigger say who may themselves
        if outsider and name not in ("tick", "approve", "sign", "signature", "fire_trigger"):
            raise Refused(outsider)
        if name == "proceed":
            await s.proceed(by=by)
        elif name == "override":
            await s.override(a["reason"], by=by)
        elif name == "tick":
            await s.tick(a["check_id"], a.get("checked", True), a.get("note", ""), by=by)
        elif name == "note":
            await s.note(a["text"], by=by)
        elif name == "sign":
            await s.sign(a["role"], by)
        elif name == "signature":   # a co-signer's SSHSIG, made at its seat: checked, then stored as golive sign does
            from golive.console.driver.cosign import accept_signature

            record = (s.record_paths or (self.folder / "record.toml",))[0]
            return await asyncio.to_thread(accept_signature, s, record, by, a)
        elif name == "approve":
            await s.approve(a.get("role", ""), a.get("note", ""), by=by)
        elif name == "abort":
            await s.abort(a["reason"], by=by)
        elif name == "rollback":
            await s.rollback(by, reason=a.get("reason", ""), trigger=a.get("trigger", ""), plan=a.get("plan", ""))
        elif name == "fire_trigger":
            await s.fire_trigger(a["trigger_id"], a["reason"], by=by)
        elif name == "resume_paused":
            await s.resume_paused(a["note"], by=by)
        elif name == "confirm_step":   # who may: as for rollback (the lead or a role member, never an outsider)
            await s.confirm_step(a["step"], a.get("note", ""), by=by)
        elif name == "decline_rollback":
            await s.decline_rollback(a["reason"], by=by)
        elif name == "run_action":
            await s.run_action(by)
        elif name == "write_record":
            save = getattr(s, "save_record", None)   # off the loop when the session has a disk writer
            paths = await save() if save is not None else s.write_record()
            return {"paths": [str(p) for p in paths]}
        elif name == "stop":
            s.stop()
        return None
