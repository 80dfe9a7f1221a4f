"""The session journal: append-only JSON lines, hash-chained and fsync'd, the source of truth of a go-live.

Each line is ``{"seq": n, ...event..., "prev": sha256 of the previous line}``; the head is the SHA-256 of the last line.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shlex
import time
from dataclasses import dataclass
from pathlib import Path

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = "driver.lock"
GENESIS = "0" * 64


class JournalError(Exception):
    """The journal cannot be read, verified or written; the message is one line naming ``file:line``."""


class JournalLocked(JournalError):
    """Another process drives the session (it holds ``driver.lock``)."""


@dataclass(frozen=True)
class Replay:
    """What a journal holds: its events (with ``seq`` and ``prev``), its head, and what was repaired."""

    events: list[dict]
    head: str
    warnings: list[str]


def session_folder_name(started: float, service: str, version: str) -> str:
    """``20261122T203000Z-payments-api-v1.2.3``: UTC start, then service and version made filesystem-safe."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    parts = [stamp]
    for text in (service, version):
        # Only [A-Za-z0-9._-] survive; no leading dot or dash so no part is hidden or looks like an option.
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")[:60].strip(".-")
        if safe:
            parts.append(safe)
    return "-".join(parts)


def _parse(body: bytes) -> dict:
    """The JSON object on one line; raises ValueError for bad UTF-8, bad JSON, NaN/Infinity or a non-object."""

    def reject(constant: str) -> object:
        raise ValueError(f"{constant} is not valid JSON")

    try:
        obj = json.loads(body.decode("utf-8"), parse_constant=reject)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 at byte {exc.start}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _Chain:
    """The running state of a verification: last seq and head; ``accept`` raises JournalError naming the line."""

    def __init__(self, name: str):
        self.name, self.seq, self.head = name, 0, GENESIS

    def accept(self, obj: dict, body: bytes) -> None:
        line_no = self.seq + 1
        seq = obj.get("seq")
        if type(seq) is not int or seq != line_no:
            raise JournalError(
                f"{self.name}:{line_no}: bad seq: expected {line_no}, found {seq!r} (a line is missing or out of order)"
            )
        if obj.get("prev") != self.head:
            if line_no == 1:
                raise JournalError(f"{self.name}:1: chain broken: the first line's prev is not 64 zeros")
            raise JournalError(
                f"{self.name}:{line_no}: chain broken: prev does not match the SHA-256 of line {line_no - 1}"
            )
        self.seq, self.head = line_no, hashlib.sha256(body).hexdigest()

    def torn(self) -> str:
        return f"{self.name}:{self.seq + 1}: torn last line dropped (a crash while writing)"


def _scan(path: Path, keep: bool) -> tuple[list[dict], _Chain, list[str], int]:
    """Verify ``path`` line by line; returns (events if keep, chain state, warnings, size of the verified part).

    Only the last line may be torn (no newline, or not a JSON object): it is dropped with a warning.
    """
    chain, events, warnings, good = _Chain(path.name), [], [], 0
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {exc.strerror}") from exc
    with f:
        raw = f.readline()
        while raw:
            following = f.readline()
            if not raw.endswith(b"\n"):
                warnings.append(chain.torn())
                break
            body = raw[:-1]
            try:
                obj = _parse(body)
            except ValueError as exc:
                if not following:
                    warnings.append(chain.torn())
                    break
                raise JournalError(f"{path.name}:{chain.seq + 1}: not valid JSON ({_why(exc)})") from None
            chain.accept(obj, body)
            if keep:
                events.append(obj)
            good += len(raw)
            raw = following
    return events, chain, warnings, good


def read_journal(path: Path) -> Replay:
    """Read and verify a journal without locking it; returns its Replay. Raises JournalError on any damage
    other than a torn last line."""
    events, chain, warnings, _ = _scan(Path(path), keep=True)
    return Replay(events=events, head=chain.head, warnings=warnings)


def verify_chain(path: Path) -> tuple[str, int]:
    """Returns (head, number of lines) of a valid journal, a torn last line not counted; raises JournalError
    naming the first bad line."""
    _, chain, _, _ = _scan(Path(path), keep=False)
    return chain.head, chain.seq


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            os.close(fd)


def _driven_by(folder: Path, fd: int) -> JournalLocked:
    """The error naming who holds the session (driver.lock holds "pid host since")."""
    holder = os.pread(fd, 512, 0).decode("utf-8", "replace").split()
    quoted = shlex.quote(str(folder))
    watch = f"follow it read-only with: golive watch {quoted}"
    if (Path(folder) / "driver.sock").exists():  # a driver answers there: a seat can attach and act
        watch = f"attach to it with: golive attach {quoted}, or {watch}"
    if len(holder) == 3:
        pid, host, since = holder
        return JournalLocked(f"session {folder} is being driven by pid {pid} on {host} since {since}; {watch}")
    return JournalLocked(f"session {folder} is being driven by another process; {watch}")


def ensure_not_driven(folder: Path) -> None:
    """Raise JournalLocked when another process drives the session: a check before a screen opens."""
    try:
        fd = os.open(Path(folder) / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _driven_by(Path(folder), fd) from None
    finally:
        os.close(fd)


def _take_lock(folder: Path) -> int:
    """The fd of ``driver.lock`` held with flock; the kernel drops it when the process dies, even by kill -9."""
    lock_path = folder / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise JournalError(f"{lock_path}: cannot open the session lock: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        error = _driven_by(folder, fd)
        os.close(fd)
        raise error from None
    except OSError as exc:
        os.close(fd)
        raise JournalError(f"{lock_path}: cannot lock the session: {exc.strerror}") from exc
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {os.uname().nodename} {since}\n".encode(), 0)
    except OSError as exc:  # a full disk: say which file, not a bare "[Errno 28]"
        os.close(fd)
        raise JournalError(f"{lock_path}: cannot write the session lock: {exc.strerror}") from exc
    return fd


class Journal:
    """The one writer of a session's journal; holds ``driver.lock`` until ``close``. Not thread-safe: a session
    with a writer thread stages lines on its loop (seq, head) and writes them only on that thread."""

    def __init__(self, folder: Path, fd: int, lock_fd: int, head: str, seq: int, size: int):
        self.folder, self.path = folder, folder / JOURNAL_NAME
        self.head, self.seq = head, seq
        self._fd, self._lock_fd, self._size = fd, lock_fd, size
        self._unsynced = False
        self._failed = ""
        self._broken = ""   # a staged line that could not be written (set by the writer thread)

    @classmethod
    def create(cls, folder: Path) -> "Journal":
        """Start a new journal in ``folder`` (created if needed). Raises JournalLocked, or JournalError if
        the folder already has a journal with events."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"{folder}: cannot create the session folder: {exc.strerror}") from exc
        lock_fd = _take_lock(folder)
        path = folder / JOURNAL_NAME
        fd = -1
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if os.fstat(fd).st_size:
                raise JournalError(f"{path}: already has a journal; use golive resume {shlex.quote(str(folder))}")
            # The file's directory entry must survive a crash as surely as its first fsync'd line.
            _fsync_dir(folder)
            _fsync_dir(folder.resolve().parent)
        except BaseException as exc:
            _close(fd, lock_fd)
            if isinstance(exc, OSError):
                raise JournalError(f"{path}: cannot create the journal: {exc.strerror}") from exc
            raise
        return cls(folder, fd, lock_fd, GENESIS, 0, 0)

    @classmethod
    def resume(cls, folder: Path) -> tuple["Journal", Replay]:
        """Lock, read and verify the journal in ``folder``, cut a torn last line, and open it for appends.

        Returns the journal and what it held. Raises JournalLocked, or JournalError naming the bad line.
        """
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        if not path.is_file():
            raise JournalError(f"{path}: no journal to resume")
        lock_fd, fd = _take_lock(folder), -1
        try:
            events, chain, warnings, good = _scan(path, keep=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            if os.fstat(fd).st_size != good:
                os.ftruncate(fd, good)  # the torn last line: appends go after the last whole one
                os.fsync(fd)
        except BaseException as exc:
            _close(fd, lock_fd)
            if isinstance(exc, OSError):
                raise JournalError(f"{path}: cannot reopen the journal: {exc.strerror}") from exc
            raise
        journal = cls(folder, fd, lock_fd, chain.head, chain.seq, good)
        return journal, Replay(events=events, head=chain.head, warnings=warnings)

    @property
    def unsynced(self) -> bool:
        """True when lines were written since the last fsync."""
        return self._unsynced

    def append(self, event: dict, *, sync: bool) -> dict:
        """Write one event as the next line; returns the stored dict (with seq and prev).

        ``sync=True`` (human events) returns only once the line is fsync'd. Raises JournalError if the event
        is not JSON (NaN included) or the write fails; a failed write leaves no partial line behind.
        """
        seq = self.seq + 1
        stored, body = self._encode(event, seq)
        where = f"{self.path.name}:{seq}"
        try:
            self._write_line(body, sync)
        except OSError as exc:
            self._undo_partial_write(f"{where}: could not write: {exc.strerror}")
            raise JournalError(f"{where}: could not write: {exc.strerror}") from exc
        self.seq, self.head = seq, hashlib.sha256(body).hexdigest()
        self._size += len(body) + 1
        self._unsynced = not sync
        return stored

    def _encode(self, event: dict, seq: int) -> tuple[dict, bytes]:
        """The stored dict and the line (without its newline) of ``event`` as line ``seq``; raises JournalError."""
        where = f"{self.path.name}:{seq}"
        if self._fd < 0:
            raise JournalError(f"{where}: the journal is closed")
        if self._broken:
            raise JournalError(self._broken)
        if self._failed:
            raise JournalError(f"{where}: {self._failed}")
        kind = event.get("type")
        if not isinstance(kind, str) or not kind:
            raise JournalError(f"{where}: an event needs a type, got {kind!r}")
        stored: dict[str, object] = {"seq": seq}
        stored.update((k, v) for k, v in event.items() if k not in ("seq", "prev"))
        stored["prev"] = self.head
        try:
            body = json.dumps(stored, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise JournalError(f"{where}: cannot journal a {kind!r} event: {_why(exc)}") from None
        return stored, body

    def stage(self, event: dict) -> tuple[dict, bytes]:
        """Give ``event`` the next line's seq and prev, and move the head past it, without writing it.

        For the session's writer thread: ``write_staged`` must then get the lines in this order. Returns the
        stored dict and the line; raises JournalError as ``append`` does.
        """
        seq = self.seq + 1
        stored, body = self._encode(event, seq)
        self.seq, self.head = seq, hashlib.sha256(body).hexdigest()
        return stored, body

    def _write_line(self, body: bytes, sync: bool) -> None:
        """``body`` and its newline, whole (a short write goes on), then fsync'd when ``sync``; raises OSError."""
        data = memoryview(body + b"\n")
        while data:
            data = data[os.write(self._fd, data) :]
        if sync:
            os.fsync(self._fd)

    def write_staged(self, seq: int, body: bytes, sync: bool) -> None:
        """Write one staged line (from the writer thread), fsync'd when ``sync``. A failure breaks the journal
        for good: every later line was chained to this one, so none may follow it; each later write and
        stage raises the same JournalError (resume repairs the file)."""
        if self._broken:
            raise JournalError(self._broken)
        where = f"{self.path.name}:{seq}"
        try:
            self._write_line(body, sync)
        except OSError as exc:
            self._broken = f"{where}: could not write: {exc.strerror}"
            self._undo_partial_write(self._broken)
            raise JournalError(self._broken) from exc
        self._size += len(body) + 1
        self._unsynced = not sync   # an fsync covers the lines before it too

    def _undo_partial_write(self, reason: str) -> None:
        # A half-written line followed by good ones would break the chain for every later line; if it cannot be
        # cut, refuse further appends (resume repairs it as a torn last line).
        try:
            os.ftruncate(self._fd, self._size)
        except OSError:
            self._failed = f"{reason}; the journal refuses appends until the session is resumed"

    def sync(self) -> None:
        """fsync the lines written since the last sync (no-op when there are none). Raises JournalError."""
        if self._fd < 0 or not self._unsynced:
            return
        try:
            os.fsync(self._fd)
        except OSError as exc:
            raise JournalError(f"{self.path.name}:{self.seq}: fsync failed: {exc.strerror}") from exc
        self._unsynced = False

    def close(self) -> None:
        """fsync and release the session lock; safe to call twice."""
        if self._fd < 0:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            os.close(self._lock_fd)
            self._fd = self._lock_fd = -1

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JournalFollower:
    """A read-only tail of a journal that another process writes (``golive watch``); takes no lock."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._chain = _Chain(self.path.name)
        self._offset = 0

    @property
    def seq(self) -> int:
        return self._chain.seq

    @property
    def head(self) -> str:
        return self._chain.head

    def read_new(self) -> list[dict]:
        """The complete lines written since the last call, verified against the chain so far.

        A partial last line is left for the next call, and so is an unparsable last line (a resuming driver
        cuts it). Raises JournalError naming the line when the chain breaks or the file shrinks.
        """
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            if self._offset:
                raise JournalError(f"{self.path.name}:{self.seq}: the journal disappeared") from None
            return []  # the driver has not created it yet
        except OSError as exc:
            raise JournalError(f"{self.path}: cannot read the journal: {exc.strerror}") from exc
        with f:
            if os.fstat(f.fileno()).st_size < self._offset:
                raise JournalError(f"{self.path.name}:{self.seq}: the journal shrank below this line (cut or replaced)")
            f.seek(self._offset)
            data = f.read()
        events: list[dict] = []
        pos = 0
        while (end := data.find(b"\n", pos)) >= 0:
            body = data[pos:end]
            try:
                try:
                    obj = _parse(body)
                except ValueError as exc:
                    if end + 1 == len(data):
                        break  # maybe a torn last line, which a resuming driver cuts
                    raise JournalError(f"{self.path.name}:{self.seq + 1}: not valid JSON ({_why(exc)})") from None
                self._chain.accept(obj, body)
            except JournalError:
                if not events:
                    raise
                break  # hand over the good lines first; the next call stops at the bad one again
            events.append(obj)
            pos = end + 1
            self._offset += len(body) + 1
        return events
