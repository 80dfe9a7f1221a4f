"""Writing files so a crash leaves the old one or the new one, never half of either."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file, fsync, rename, fsync of the folder.

    Keeps the file's mode when it exists. Raises OSError; the temp file is removed.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        folder = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:  # a full disk: name the file it was writing
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


LOCK_WAIT = 30.0


class LockTimeout(OSError):
    """Another writer held the record's lock for longer than we wait."""


class RecordLock:
    """An exclusive flock on a record's folder, taken by every writer of record.toml (golive report, golive
    sign, the session's own sign-offs), so none of them can lose another's write. Re-read under it.
    """

    def __init__(self, path: Path, wait: float = LOCK_WAIT):
        path = Path(path)
        self.folder = (path if path.is_dir() else path.parent).resolve()
        self.wait = wait

    def __enter__(self) -> "RecordLock":
        import fcntl
        import time

        self.fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    raise LockTimeout(f"{self.folder}: another golive is still writing this record") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the flock
