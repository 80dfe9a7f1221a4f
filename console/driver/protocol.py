"""The driver's wire protocol: newline-delimited JSON objects, a versioned ``hello`` first each way; framing,
validation and message shapes."""

# Client → driver: hello (mode seat | watch | status), then command lines. Driver → client: hello, snapshot,
# then event / sample / output / history changes, confirm_step questions and reply lines; one error line before
# a drop.

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path
from typing import Any, Iterator

VERSION = 1
MAX_LINE = 64 * 1024          # a client line longer than this is dropped with an error
MODES = ("seat", "watch", "status")
SOCKET_NAME = "driver.sock"
LOG_NAME = "driver.log"

# command name -> (argument name -> type); the driver fills in who (the peer's login name) itself
COMMANDS: dict[str, dict[str, type]] = {
    "proceed": {},
    "override": {"reason": str},
    "tick": {"check_id": str, "checked": bool, "note": str},
    "note": {"text": str},
    "sign": {"role": str},
    "signature": {"role": str, "signature": str, "name": str, "principal": str, "signed_at": str},
    "abort": {"reason": str},
    "approve": {"role": str, "note": str},
    "rollback": {"reason": str, "trigger": str, "plan": str},
    "fire_trigger": {"trigger_id": str, "reason": str},
    "resume_paused": {"note": str},
    "confirm_step": {"step": str, "note": str},
    "decline_rollback": {"reason": str},
    "run_action": {},
    "write_record": {},
    "stop": {},
}
REQUIRED: dict[str, tuple[str, ...]] = {"override": ("reason",), "tick": ("check_id",), "note": ("text",),
                                        "sign": ("role",),
                                        "signature": ("role", "signature", "name", "principal", "signed_at"),
                                        "abort": ("reason",), "decline_rollback": ("reason",),
                                        "fire_trigger": ("trigger_id", "reason"), "resume_paused": ("note",),
                                        "confirm_step": ("step",)}


class ProtocolError(ValueError):
    """A line the other end should not have sent; its text is the one-line error sent back."""


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, separators=(",", ":"), default=_plain, allow_nan=False) + "\n").encode()


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return str(value)


def clean(value: Any) -> Any:
    """NaN and ±Inf are not JSON: they travel as null (no data), as the engine reads them anyway."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def decode(line: bytes) -> dict[str, Any]:
    """One line → a JSON object; ProtocolError for anything else (too long, not UTF-8, not JSON, not an object)."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"line longer than {MAX_LINE} bytes")
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProtocolError("line is not UTF-8") from None
    except ValueError as exc:
        # a JSONDecodeError says where; other ValueErrors (an integer too long to convert) only what
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise ProtocolError(f"line is not JSON: {why}") from None
    if not isinstance(data, dict):
        raise ProtocolError("line is not a JSON object")
    return data


def check_hello(data: dict[str, Any]) -> str:
    """The mode a client's hello asks for; ProtocolError for a wrong version or anything but a hello."""
    if data.get("type") != "hello":
        raise ProtocolError("the first line must be a hello")
    if data.get("golive") != VERSION:
        raise ProtocolError(f"protocol version {data.get('golive')!r} not spoken here (this driver speaks {VERSION})")
    mode = data.get("mode", "seat")
    if mode not in MODES:
        raise ProtocolError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    return mode


def check_command(data: dict[str, Any]) -> tuple[Any, str, dict[str, Any]]:
    """(id, command, args) of a command line; ProtocolError for an unknown command or a bad argument."""
    if data.get("type") != "command":
        raise ProtocolError(f"unknown message type {data.get('type')!r}")
    name = data.get("command")
    if name not in COMMANDS:
        raise ProtocolError(f"unknown command {name!r}")
    ident = data.get("id")
    if not isinstance(ident, (int, str)) or isinstance(ident, bool):
        raise ProtocolError("a command needs an id (a number or a string)")
    args = data.get("args", {})
    if not isinstance(args, dict):
        raise ProtocolError(f"{name}: args must be an object")
    spec = COMMANDS[name]
    for key, value in args.items():
        if key not in spec:
            raise ProtocolError(f"{name}: unknown argument {key!r}")
        if not isinstance(value, spec[key]):
            raise ProtocolError(f"{name}: argument {key!r} must be {spec[key].__name__}")
    for key in REQUIRED.get(name, ()):
        if key not in args:
            raise ProtocolError(f"{name}: argument {key!r} is required")
    return ident, name, args


def hello(mode: str) -> dict[str, Any]:
    return {"type": "hello", "golive": VERSION, "mode": mode}


def error(text: str) -> dict[str, Any]:
    return {"type": "error", "golive": VERSION, "error": text}


def decode_trusted(line: bytes) -> dict[str, Any]:
    """A line from the driver: any length, but still one JSON object."""
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"the driver sent a line that is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProtocolError("the driver sent a line that is not a JSON object")
    return data


@contextlib.contextmanager
def socket_address(folder: Path) -> Iterator[str]:
    """The address of ``folder``'s socket for bind or connect: a deep session folder would pass the 108 bytes
    a Unix socket's path may have, so it is reached through an open descriptor of the folder instead."""
    path = str(Path(folder) / SOCKET_NAME)
    if len(path.encode()) < 100:
        yield path
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{SOCKET_NAME}"
    finally:
        os.close(fd)
