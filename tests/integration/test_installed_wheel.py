"""The wheel as a user installs it: one top-level name, every subpackage, and golive working outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "seeds" / "002_dfb2076afd9a8508.txt"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: the build uses this environment's setuptools and needs no network
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, text=True)
    (built,) = out.glob("golive-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv outside the checkout with only the wheel in it (its dependencies come from
    this environment's site-packages, added by path: its .pth files, the checkout's editable finder
    among them, are not read from there)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "golive_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / "golive"), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=240, stdin=subprocess.DEVNULL)


def test_the_wheel_installs_one_top_level_name(wheel):
    names = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    assert names == {"golive", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}


def test_the_wheel_holds_every_subpackage_and_the_bundled_data(wheel):
    members = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for top in ("console", "checks", "screens", "themes", "sandbox")
               for p in (ROOT / top).rglob("*.py")}
    missing = sorted(s for s in sources if f"golive/{s}" not in members)
    assert not missing, f"not in the wheel: {missing}"
    for example in (ROOT / "examples").glob("*.toml"):
        assert f"golive/examples/{example.name}" in members
    assert any(m.startswith("golive/themes/") and m.endswith(".tcss") for m in members)


def test_golive_runs_from_the_wheel_outside_the_checkout(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import golive.console.cli as c; print(c.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.strip()
    assert where.startswith(str(installed)), where

    assert run(installed, "--help", cwd=tmp_path).returncode == 0

    example = next((installed / "lib").glob("python3*/site-packages/golive/examples/payments-canary.toml"))
    lint = run(installed, "lint", str(example), cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    imported = run(installed, "import", str(SEED), "-o", str(tmp_path / "imported.toml"), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert run(installed, "lint", str(tmp_path / "imported.toml"), cwd=tmp_path).returncode == 0

    demo = run(installed, "demo", "--headless", "--speed", "60", "--session-dir", str(tmp_path / "demo"),
               cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert 'outcome = "GO"' in (tmp_path / "demo" / "record.toml").read_text()
