"""This host's running drivers: a per-user folder of one small file each, and the sessions under ./golive-sessions."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from golive.console.driver import protocol as proto


def runtime_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR")
    return Path(base) / "golive" if base else Path(f"/tmp/golive-{os.getuid()}")


def _entry(folder: Path) -> Path:
    return runtime_dir() / (hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16] + ".json")


def register(folder: Path, pid: int) -> None:
    try:
        directory = runtime_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _entry(folder).write_text(json.dumps({"folder": str(Path(folder).resolve()), "pid": pid}))
    except OSError:
        pass   # the list is a convenience; the socket in the session folder is what seats use


def unregister(folder: Path) -> None:
    try:
        _entry(folder).unlink()
    except OSError:
        pass


def candidates(search: Path = Path("golive-sessions")) -> list[Path]:
    """Session folders that may have a driver: the registry's and those under ``search`` with a socket."""
    found: dict[str, Path] = {}
    directory = runtime_dir()
    for entry in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            folder = Path(json.loads(entry.read_text())["folder"])
        except (OSError, ValueError, KeyError, TypeError):
            entry.unlink(missing_ok=True)
            continue
        found[str(folder.resolve())] = folder
    for sock in sorted(search.glob(f"*/{proto.SOCKET_NAME}")) if search.is_dir() else []:
        found.setdefault(str(sock.parent.resolve()), sock.parent)
    return list(found.values())


def running(search: Path = Path("golive-sessions")) -> list[dict[str, Any]]:
    """Each live driver's status; a dead one's registry entry is pruned."""
    from golive.console.driver.client import DriverGone, query_status

    out = []
    for folder in candidates(search):
        try:
            out.append(query_status(folder))
        except DriverGone:
            unregister(folder)
            _prune_socket(folder)
    return out


def _prune_socket(folder: Path) -> None:
    """A socket nobody serves, in a folder no driver holds, is removed."""
    from golive.console.journal import JournalError, ensure_not_driven

    try:
        ensure_not_driven(folder)
        (Path(folder) / proto.SOCKET_NAME).unlink(missing_ok=True)
    except (JournalError, OSError):
        pass
