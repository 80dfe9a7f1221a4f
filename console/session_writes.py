"""The session's write path, mixed into Session: events are journaled by the disk writer thread while the loop
runs on, and an event is folded, heard and reacted to only once its line is written (a human one fsync'd)."""

from __future__ import annotations

import collections
import contextvars
import copy
from pathlib import Path
from typing import Any, Callable

from golive.console import events as ev
from golive.console.engine import Refused
from golive.console.writer import DiskWriter, Job, settle


def _engine_copy(engine: Any) -> Any:
    """A copy of the engine a record job may read on the writer thread while the loop folds on (the runbook is
    frozen, so it is shared)."""
    return copy.deepcopy(engine, {id(engine.runbook): engine.runbook})


class DiskPipeline:
    """Methods of Session (``self`` is the Session). Without a writer (before ``run``, after it, in tests that
    never run) every write is done in place, as before; with one, ``submit`` only stages the lines."""

    journal: Any
    engine: Any
    folder: Path
    record_paths: tuple[Path, Path] | None
    _failure: BaseException | None
    _writer: DiskWriter | None = None
    _last_job: Job | None = None
    _samples_waiting: collections.deque
    _fail: Callable[[BaseException], None]
    _land: Callable[[ev.Event], None]
    _observe: Callable[[Any], None]
    _notify: Callable[[str, Any], None]
    _journaled: Callable[[ev.Event], None]

    # ------------------------------------------------------------------ the writer's life

    def _start_writer(self) -> None:
        """From here on the disk work of this session runs on its writer thread (call on the running loop)."""
        if self._writer is None:
            self._samples_waiting = collections.deque()
            self._writer = DiskWriter(on_idle=self._observe_waiting)

    def _stop_writer(self) -> None:
        """Write what is queued (blocking, as shutdown may), hand it back, and go back to writing in place."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._last_job = None

    # ------------------------------------------------------------------ journal lines

    def _write_event(self, event: ev.Event, land: Callable[[ev.Event], None]) -> None:
        """Journal ``event`` (fsync'd when human) and then ``land`` it: at once without a writer, else when the
        writer thread has written it. A line that cannot be written is never landed: the session fails."""
        if self._writer is None:
            self.journal.append(event.to_dict(), sync=event.human)
            self._journaled(event)
            land(event)
            return
        stored, body = self.journal.stage(event.to_dict())
        self._journaled(event)
        context = contextvars.copy_context()   # what it leads to is journaled with the same seat, as before

        def landed(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._fail(error)
                return
            try:
                context.run(land, event)
            except Exception as exc:  # what submit's caller would have seen: the session stops with it
                self._fail(exc)

        self._last_job = self._writer.submit(self.journal.write_staged, stored["seq"], body, event.human,
                                             on_done=landed)

    def _then(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once everything submitted so far has landed (at once when nothing is in flight)."""
        job = self._last_job
        if self._writer is None or job is None or job.future is None or job.future.done():
            fn()
            return
        before = job.on_done

        def chained(result: Any, error: BaseException | None) -> None:
            if before is not None:
                before(result, error)
            if error is None:
                fn()

        job.on_done = chained

    def writes_pending(self) -> int:
        """Lines and records submitted to the writer and not yet landed."""
        return self._writer.pending if self._writer is not None else 0

    async def _settled(self) -> None:
        """Wait until nothing is in flight, so what the engine says includes every event submitted so far."""
        while self._writer is not None and self._writer.pending:
            await self._writer.drained()

    async def _durable(self, settle_all: bool = True) -> None:
        """Wait until what was submitted so far is on disk and folded, and (``settle_all``) what it led to (a
        record) too; raise its error."""
        error = await settle(self._last_job) if self._writer is not None else None
        if settle_all:
            await self._settled()
        failure = error or self._failure
        if failure is not None:
            raise failure

    async def _command(self, make: Callable[[], list[ev.Event]]) -> None:
        """A command: decided on the state with every earlier event in it, returning once its events are on
        disk (a human one fsync'd) and folded — so whoever gave it hears "done" only then."""
        await self._settled()
        self.submit(make())  # type: ignore[attr-defined]
        await self._durable()

    def _in_turn(self, make: Callable[[], list[ev.Event]], refused: Callable[[Refused], None]) -> None:
        """Submit ``make()`` now (no writer), or as a command once every event before it has landed, so answers
        given one after another are each decided on the state the one before left. ``refused`` hears a
        refusal."""
        if self._writer is None:
            try:
                self.submit(make())  # type: ignore[attr-defined]
            except Refused as exc:
                refused(exc)
            return

        async def in_turn() -> None:
            try:
                await self._command(make)
            except Refused as exc:
                refused(exc)

        self._spawn(in_turn())  # type: ignore[attr-defined]

    def _sync_soon(self) -> None:
        """fsync the machine lines written so far, on the writer thread."""
        if self._writer is None:
            self.journal.sync()
            return

        def synced(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._fail(error)

        self._last_job = self._writer.submit(self.journal.sync, on_done=synced)

    # ------------------------------------------------------------------ samples

    def on_sample(self, sample: Any) -> None:
        """A sample is observed on a state with every submitted event in it: while lines are in flight it waits."""
        if self._writer is not None and (self._writer.pending or self._samples_waiting):
            self._samples_waiting.append(sample)
            return
        self._observe(sample)

    def _observe_waiting(self) -> None:
        while self._writer is not None and self._samples_waiting and not self._writer.pending:
            self._observe(self._samples_waiting.popleft())

    # ------------------------------------------------------------------ the record

    def write_record(self) -> tuple[Path, Path]:
        """Write record.toml and record.md now (blocking; with a writer, behind every line queued before)."""
        if self._writer is None:
            self.record_paths = self._render_record(self.engine)
            return self.record_paths
        job = self._writer.submit(self._render_record, self._record_engine())
        self._last_job = job
        job.finished.wait()
        if job.error is not None:
            raise job.error
        self.record_paths = job.result
        return job.result

    def _record_soon(self) -> None:
        """Queue the record's rendering and writing behind the lines queued so far; a failure stops the session."""
        if self._writer is None:
            self.write_record()
            return

        def written(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._fail(error)
            else:
                self.record_paths = result

        self._last_job = self._writer.submit(self._render_record, self._record_engine(), on_done=written)

    async def save_record(self) -> tuple[Path, Path]:
        """Write the record (a draft, asked for) off the loop and return its paths; raises OSError naming the
        file — to the one who asked: unlike the outcome's record, a draft that fails does not stop the go-live."""
        await self._settled()
        if self._writer is None:
            return self.write_record()
        job = self._writer.submit(self._render_record, self._record_engine())
        self._last_job = job
        error = await settle(job)
        if error is not None:
            raise error
        self.record_paths = job.result
        return job.result

    def _record_engine(self) -> Any:
        # a decided record is rendered from the journal alone; a draft reads the live figures, copied here
        return self.engine if self.engine.state.outcome is not None else _engine_copy(self.engine)

    def _render_record(self, engine: Any) -> tuple[Path, Path]:
        from golive.console.record_file import write_session_record

        self.journal.sync()
        return write_session_record(self.folder, engine)
