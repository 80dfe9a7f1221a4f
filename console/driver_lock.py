"""Whether the process named in a session's ``driver.lock`` is still alive: how `golive watch` tells a gone driver."""

from __future__ import annotations

import os
from pathlib import Path

from golive.console.journal import LOCK_NAME


def lock_holder(folder: Path) -> tuple[int, str] | None:
    """(pid, host) written by the driver that last took the lock, or None when there is none to read."""
    try:
        words = (Path(folder) / LOCK_NAME).read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return None
    if len(words) != 3 or not words[0].isdigit():
        return None
    return int(words[0]), words[1]


def pid_alive(pid: int) -> bool:
    """True for a running process; a zombie (killed, not yet reaped) is gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True   # someone else's process: alive
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True   # no /proc to ask: kill(0) said it exists
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def driver_alive(folder: Path) -> bool | None:
    """False when the lock's driver ran on this host and its process is gone; True when it runs; None when
    that cannot be told (no lock yet, another host)."""
    holder = lock_holder(folder)
    if holder is None:
        return None
    pid, host = holder
    if host != os.uname().nodename:
        return None
    return pid_alive(pid)
