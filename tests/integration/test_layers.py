"""The import contracts in pyproject.toml hold on the tree, and catch a deliberate violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
PACKAGES = ["console", "checks", "screens", "themes", "sandbox"]


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # found before the checkout's editable install
    return subprocess.run([LINT_IMPORTS, "--no-cache", str(ROOT / "pyproject.toml")], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_the_tree_keeps_every_import_contract():
    res = lint_imports(ROOT)
    assert res.returncode == 0, res.stdout[-3000:]
    assert "0 broken" in res.stdout


def copy_of_the_tree(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / "golive" / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_engine_importing_textual_breaks_the_contract(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    with open(tree / "golive" / "console" / "engine.py", "a") as f:
        f.write("\nimport textual.app  # a deliberate violation\n")
    res = lint_imports(tree, pythonpath=tree)
    assert res.returncode != 0
    assert "golive.console is not allowed to import textual" in res.stdout


def test_a_screen_importing_httpx_breaks_the_contract(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    with open(tree / "golive" / "screens" / "gate_bar.py", "a") as f:
        f.write("\nimport httpx  # a deliberate violation\n")
    res = lint_imports(tree, pythonpath=tree)
    assert res.returncode != 0
    assert "golive.screens is not allowed to import httpx" in res.stdout
