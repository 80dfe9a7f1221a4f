"""Write the README's screenshots: docs/screenshot.svg (the fixed mid-canary scenario) and, with --demo,
docs/demo.svg (`golive demo` itself, caught while its canary runs at 25 %)."""

from __future__ import annotations

# Usage: python -m tests.ui.make_screenshot [PATH] | --demo [PATH]
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZE = (140, 44)


async def save(path: Path) -> None:
    from golive.screens.app import GoliveApp
    from tests.ui.scenario import scripted

    with tempfile.TemporaryDirectory() as tmp:
        app = GoliveApp(lambda listeners=(): scripted(Path(tmp) / "session", "mid-canary", listeners=listeners),
                        theme="golive-dark")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            app.title = "golive run payments-canary.toml"
            app.save_screenshot(filename=path.name, path=str(path.parent))


async def save_demo(path: Path) -> None:
    """The demo driven by its own answers (as --headless does) while the screen shows it."""
    from golive.console.cmd_demo import demo_answers, demo_runbook_path
    from golive.console.runbook import load_runbook
    from golive.console.session import Session
    from golive.sandbox.demo_world import DemoWorld
    from golive.screens.app import GoliveApp

    with DemoWorld("good", speed=4) as world, tempfile.TemporaryDirectory() as tmp:
        runbook = load_runbook(demo_runbook_path(), world.variables)
        holder: list[Session] = []

        def make_session(listeners=()):
            holder.append(Session.start(runbook, session_dir=Path(tmp) / "s", operator="dana", headless=True,
                                        answers=demo_answers(runbook), overrides=world.variables,
                                        listeners=listeners))
            return holder[0]

        app = GoliveApp(make_session, theme="golive-dark")
        async with app.run_test(size=SIZE) as pilot:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                await pilot.pause(0.5)
                st = holder[0].engine.state if holder else None
                if st and st.active == 2 and sum(len(r) for r in st.pods.values()) and \
                        time.time() - (st.active_phase.started or 0) > 3:
                    break
            await pilot.pause(1.2)
            app.title = "golive demo"
            app.save_screenshot(filename=path.name, path=str(path.parent))


def main() -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    demo = "--demo" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--demo"]
    path = Path(args[0]) if args else REPO / "docs" / ("demo.svg" if demo else "screenshot.svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(save_demo(path) if demo else save(path))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
