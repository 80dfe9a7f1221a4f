"""`golive lint` as a command, in a process of its own: exit 0 when clean, 1 on problems, 2 when unreadable, and
its one summary line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.unit import test_lint_bad_input as hostile
from tests.unit.test_lint import CHECK, HEAD, PHASE

ROOT = Path(__file__).resolve().parents[2]


def _lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive.console.cli", "lint", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_lint_exits_0_when_clean_1_on_problems_2_when_unreadable(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + PHASE + CHECK + "  tresh = 3\n")
    assert _lint("examples/local-smoke.toml", "examples/payments-canary.toml").returncode == 0
    res = _lint(str(bad))
    assert res.returncode == 1 and "bad.toml:17: phase[1].check[1].tresh: unknown field" in res.stderr
    assert "Traceback" not in res.stderr
    res = _lint(str(tmp_path / "missing.toml"))
    assert res.returncode == 2 and "cannot read" in res.stderr
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert _lint(str(binary)).returncode == 2


def test_lint_prints_singular_counts_for_one(tmp_path):
    path = tmp_path / "one.toml"
    text = hostile.HEAD + hostile.PROM.format(url="http://h:1") + hostile.PHASE + hostile.CHECK.format(
        id="c", pass_="< 1") + (
        '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "up"\nfire = "> 1"\n')
    path.write_text(text)
    out = _lint(str(path))
    assert out.returncode == 0 and "ok — 1 phase, 1 check, 1 trigger" in out.stdout
