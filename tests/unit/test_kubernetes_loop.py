"""The loop thread the Kubernetes source runs its client on: where coroutines run, cancelling, stopping."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest

from golive.checks.kubernetes.loop import LoopThread


def test_a_coroutine_handed_over_runs_on_the_loop_thread_and_its_answer_comes_back():
    async def where() -> tuple[int, asyncio.AbstractEventLoop]:
        return threading.get_ident(), asyncio.get_running_loop()

    async def scenario():
        thread = LoopThread("golive-test-loop")
        try:
            ran_on, loop = await thread.run(where())
        finally:
            await thread.stop()
        return threading.get_ident(), asyncio.get_running_loop(), ran_on, loop, thread

    caller, caller_loop, ran_on, loop, thread = asyncio.run(scenario())

    assert ran_on != caller and loop is thread.loop and loop is not caller_loop
    assert loop.is_closed()


def test_a_caller_giving_up_cancels_the_coroutine_on_the_loop_thread():
    async def scenario():
        thread = LoopThread("golive-test-loop")
        started, cancelled = threading.Event(), threading.Event()

        async def endless() -> None:
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        try:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(thread.run(endless()), timeout=0.2)
            # the cancellation crosses to the other loop: wait for it there, without blocking this one
            for _ in range(500):
                if cancelled.is_set():
                    break
                await asyncio.sleep(0.01)
        finally:
            await thread.stop()
        return started.is_set(), cancelled.is_set()

    assert asyncio.run(scenario()) == (True, True)


def test_stopping_cancels_what_still_runs_ends_the_thread_and_refuses_new_work():
    cleaned = threading.Event()

    async def watch_forever() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    async def scenario():
        thread = LoopThread("golive-test-loop")
        thread.loop.call_soon_threadsafe(lambda: thread.loop.create_task(watch_forever()))
        await thread.run(asyncio.sleep(0))
        await thread.stop()
        refused = asyncio.sleep(0)
        with pytest.raises(RuntimeError):
            thread.run(refused)
        return [t.name for t in threading.enumerate() if t.name == "golive-test-loop"], refused

    threads, refused = asyncio.run(scenario())

    assert threads == [] and cleaned.is_set()
    assert inspect.getcoroutinestate(refused) == inspect.CORO_CLOSED  # closed, not left "never awaited"
