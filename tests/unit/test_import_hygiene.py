"""The core runs without Textual, and without the Kubernetes client unless a runbook uses Kubernetes; the way to the
mission screen's first frame loads only what that frame needs, and a seat loads it while its driver starts."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ["golive.console.runbook", "golive.console.engine", "golive.console.scheduler", "golive.console.journal",
        "golive.console.record",
        "golive.console.session", "golive.console.reporter", "golive.console.cli", "golive.console.cmd_run",
        "golive.console.cmd_lint", "golive.checks",
        "golive.checks.command", "golive.checks.manual"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_core_imports_without_textual():
    modules = _modules_after("".join(f"import {m}\n" for m in CORE))
    assert "textual" not in modules
    assert not any(m.startswith("textual.") for m in modules)


def test_the_core_does_not_import_the_kubernetes_client():
    modules = _modules_after("".join(f"import {m}\n" for m in CORE))
    assert "kubernetes" not in modules


def test_a_headless_run_without_kubernetes_never_imports_the_client(tmp_path):
    code = (
        "import sys\nfrom golive.console.cli import main\n"
        f"rc = main(['run', 'examples/local-smoke.toml', '--headless', '--json', '--answers', "
        f"'examples/local-smoke.answers.toml', '--session-dir', {str(tmp_path / 's')!r}])\n"
        "assert rc == 0, rc\n"
    )
    modules = _modules_after(code)
    assert "kubernetes" not in modules and "textual" not in modules


def test_the_path_to_the_mission_screens_first_frame_imports_no_network_client_importer_or_signing():
    # what a seat at a driver and a follower load before the screen draws; each of these costs start-up time and
    # comes in only when a source, `golive import` or a signature needs it
    modules = _modules_after("import golive.console.driver.process, golive.console.driver.client\n"
                             "import golive.screens.app, golive.console.follower\n")
    heavy = {"kubernetes", "httpx", "asyncpg", "aiohttp", "sshsig", "tomli_w", "golive.console.importer",
             "golive.console.record", "golive.console.signing", "golive.console.ssh_keygen", "golive.sandbox"}
    assert "golive.screens.mission" in modules
    assert sorted(heavy & modules) == []


def test_a_seat_loads_the_screen_while_its_driver_starts_not_after(tmp_path):
    # two processes on two cores: the screen's imports overlap the driver's start instead of following it
    code = (
        "import argparse, sys\n"
        "from golive.console.driver import process\n"
        "seen = []\n"
        "process.spawn = lambda args, folder: None\n"
        "process.wait_ready = lambda proc, folder, offset: seen.append('golive.screens.app' in sys.modules) or 'x'\n"
        f"args = argparse.Namespace(command='resume', session_dir={str(tmp_path)!r})\n"
        "assert process.launch_and_attach(args, None) == 2\n"
        "print('screen loaded while waiting:', seen)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "screen loaded while waiting: [True]" in out.stdout, out.stderr
