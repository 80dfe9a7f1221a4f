"""Write docs/wall-screen.png: `golive serve` over the fixed mid-canary go-live, photographed in headless Chromium.

Usage: python -m tests.e2e.make_wall_screenshot [PATH]   (needs the Debian package chromium)"""

from __future__ import annotations

# The journal is the one the scenario's driver would have written: its human events, then the verdicts and
# summaries the engine derives from the scenario's samples, moved in time so that the go-live ends now.
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from golive.console.follower import Follower
from golive.console.journal import Journal
from golive.console.runbook import load_runbook
from tests.e2e._chromium import Chromium
from tests.e2e.test_wall_screen import WallServer
from tests.ui.scenario import NOW, RUNBOOK, _events, _samples, write_session

REPO = Path(__file__).resolve().parents[2]
VIEWPORT = (1280, 800)
FONT_SIZE = 14
SUMMARY_EVERY = 30.0   # seconds of scenario time between journaled summaries (the sparklines' points)


def canary_journal(folder: Path) -> Path:
    """A session folder holding the mid-canary go-live as journaled by a driver, ending at the present."""
    with tempfile.TemporaryDirectory() as tmp:
        follower = Follower(write_session(Path(tmp) / "s"), clock=lambda: NOW)
        derived: list[dict] = []
        follower.subscribe(lambda kind, payload: derived.append(payload.to_dict()) if kind == "event" else None)
        last = 0.0
        for sample in _samples("mid-canary"):
            follower.observe(sample)
            if sample.at - last >= SUMMARY_EVERY:
                derived.append(follower.engine.summary_event(sample.at).to_dict())
                last = sample.at
    folder.mkdir(parents=True)
    (folder / "runbook.toml").write_text(RUNBOOK, encoding="utf-8")
    events = _events(load_runbook(folder / "runbook.toml").sha256, "mid-canary") + derived
    shift = time.time() - NOW
    with Journal.create(folder) as journal:
        for event in sorted(events, key=lambda e: e["at"]):
            journal.append({**event, "at": event["at"] + shift}, sync=False)
    return folder


async def photograph(folder: Path, path: Path, binary: str, scratch: Path) -> None:
    server = await WallServer(folder, scratch).started()
    browser = await Chromium.start(binary, scratch / "profile")
    try:
        await browser.send("Emulation.setDeviceMetricsOverride", width=VIEWPORT[0], height=VIEWPORT[1],
                           deviceScaleFactor=1, mobile=False)
        await browser.open(f"{server.url}?fontsize={FONT_SIZE}")
        await browser.wait_for_text("Canary 5%", "Event log", "Back-off restarting")
        await asyncio.sleep(1.5)   # the last frames of the first paint
        await browser.screenshot(path)
    finally:
        await browser.close()
        server.stop()


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else REPO / "docs" / "wall-screen.png"
    binary = shutil.which("chromium")
    if not binary:
        print("make_wall_screenshot: needs the Debian package chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = canary_journal(Path(tmp) / "session")
        asyncio.run(photograph(folder, path, binary, Path(tmp)))
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
