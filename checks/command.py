"""Command checks: run an argv list; pass on exit 0, or compare a number parsed from stdout.

Returns ``Sample(ok=...)`` on exit status alone, or ``Sample.number`` when the
check has ``pass``; a non-zero exit with ``pass`` set, a missing number, a
command that cannot start or outlives its timeout are ERROR samples.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from typing import Any

from golive.checks.base import Sample
from golive.console.redact import clip

_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.IGNORECASE)
OUTPUT_LIMIT = 1 << 20


def parse_number(stdout: str) -> float | None:
    """The first number on the last non-empty line of output (``42``, ``0.3%`` → 0.3, ``NaN``)."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if not lines:
        return None
    m = _NUMBER.search(lines[-1])
    return float(m.group(0)) if m else None


class CommandSource:
    kind = "command"

    async def sample(self, check: Any) -> Sample:
        argv = ["/bin/sh", "-c", check.run] if isinstance(check.run, str) else list(check.run)
        if check.shell and not isinstance(check.run, str):
            argv = ["/bin/sh", "-c", " ".join(check.run)]
        env = {**os.environ, **check.env} if check.env else None
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, cwd=check.cwd, env=env, start_new_session=True,
            )
        except OSError as exc:
            return Sample.failed(check.id, time.time(), f"cannot run {argv[0]}: {exc.strerror or exc}")
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=check.timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await proc.wait()
            if isinstance(exc, asyncio.CancelledError):
                raise
            return Sample.failed(check.id, time.time(), f"timed out after {check.timeout:g}s")
        at = time.time()
        stdout = out[:OUTPUT_LIMIT].decode("utf-8", "replace")
        stderr_line = next((ln for ln in reversed(err.decode("utf-8", "replace").splitlines()) if ln.strip()), "")
        code = proc.returncode
        # a trigger compares its number with `fire`, a check with `pass`; without either, the exit status decides
        numeric = check.pass_ is not None or getattr(check, "fire", None) is not None
        if not numeric:
            if code == 0:
                return Sample(check_id=check.id, at=at, ok=True, detail="exit 0")
            why = f"exit {code}" + (f": {clip(stderr_line, 200)}" if stderr_line else "")
            return Sample(check_id=check.id, at=at, ok=False, detail=why)
        if code != 0:
            return Sample.failed(check.id, at, f"exit {code}" + (f": {clip(stderr_line, 200)}" if stderr_line else ""))
        value = parse_number(stdout)
        if value is None:
            return Sample.failed(check.id, at, "no number in the command's output")
        return Sample.number(check.id, at, value)

    async def close(self) -> None:
        return None


def create(name: str, target: Any, *, on_change=None, on_log=None) -> CommandSource:
    return CommandSource()
