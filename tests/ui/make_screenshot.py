"""Write docs/screenshot.svg for the README: the mission screen mid-canary, from the fixed scenario."""

from __future__ import annotations

# Usage: python -m tests.ui.make_screenshot [PATH]

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZE = (140, 44)


async def save(path: Path) -> None:
    from console.app import GoliveApp
    from tests.ui.scenario import scripted

    with tempfile.TemporaryDirectory() as tmp:
        app = GoliveApp(lambda listeners=(): scripted(Path(tmp) / "session", "mid-canary", listeners=listeners),
                        theme="golive-dark")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            app.title = "golive run payments-canary.toml"
            app.save_screenshot(filename=path.name, path=str(path.parent))


def main() -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshot.svg"
    path.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(save(path))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
