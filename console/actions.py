"""Runs phase actions and the rollback: argv lists (a shell only when the runbook says so), with a timeout."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from golive.console.redact import scrub

TAIL_LINES = 20
TAIL_BYTES = 4000


@dataclass(frozen=True)
class ActionResult:
    exit_code: int | None
    duration: float
    output_tail: str
    output_sha256: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.error


async def run_action(action: Any, on_output: Callable[[str], None] | None = None) -> ActionResult:
    """Run an Action, streaming each output line to ``on_output``.

    Returns the exit code (None when it could not start or timed out), the
    duration, the last lines of stdout+stderr and the SHA-256 of all output.
    Never raises for a failing command.
    """
    started = time.monotonic()
    digest = hashlib.sha256()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    env = {**os.environ, **action.env} if action.env else None
    try:
        proc = await asyncio.create_subprocess_exec(
            *action.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, cwd=action.cwd, env=env, start_new_session=True,
        )
    except OSError as exc:
        return ActionResult(None, time.monotonic() - started, "", digest.hexdigest(),
                            error=scrub(f"cannot run {action.argv[0]}: {exc.strerror or exc}"))

    async def pump() -> None:
        assert proc.stdout is not None
        while True:
            line = await proc.stdout.readline()
            if not line:
                return
            digest.update(line)
            # scrubbed line by line, before the tail is cut: a cut secret would no longer match
            text = scrub(line.decode("utf-8", "replace").rstrip("\n"))
            tail.append(text)
            if on_output is not None:
                on_output(text)

    error = ""
    both = asyncio.gather(pump(), proc.wait())
    try:
        await asyncio.wait_for(both, timeout=action.timeout)
    except asyncio.TimeoutError:
        error = f"timed out after {action.timeout:g}s"
        _kill_group(proc.pid)
        await proc.wait()
    except asyncio.CancelledError:
        _kill_group(proc.pid)
        # a cancelled gather ends with CancelledError as its exception, which wait_for never reads: read it here,
        # or asyncio prints "exception was never retrieved" with a traceback on a stopping run's stderr
        both.add_done_callback(lambda f: f.cancelled() or f.exception())
        raise
    text = "\n".join(tail)
    if len(text) > TAIL_BYTES:
        text = text[-TAIL_BYTES:]
    return ActionResult(None if error else proc.returncode, time.monotonic() - started, text,
                        digest.hexdigest(), error)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
