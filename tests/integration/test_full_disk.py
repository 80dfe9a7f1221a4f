"""A full disk — at the start, mid-run, at the record — and a journal from a newer Golive: one clear line naming
the file (and the journal line), exit 2, never a traceback. ENOSPC is simulated at the write call."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from golive.console.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = """
[runbook]
name = "disk"
service = "svc"
version = "1"

[[phase]]
id = "p"
timeout = "2s"
action = { run = ["echo", "deploying"], confirm = false }

  [[phase.check]]
  id = "c"
  source = "command"
  run = ["echo", "1"]
  pass = "== 1"
  every = "100ms"
"""

# os.write / os.pwrite on the named kind of file fail with ENOSPC after `allowed` calls
FULL_DISK = """
import errno, os, sys
from pathlib import Path
import golive.console.journal, golive.console.files
allowed, target = int(sys.argv[1]), sys.argv[2]
calls = {{"n": 0}}
real_write, real_pwrite = os.write, os.pwrite

def full(fd, *args):
    name = os.readlink(f"/proc/self/fd/{{fd}}")
    if Path(name).name.startswith(target) or Path(name).name.startswith("." + target):
        calls["n"] += 1
        if calls["n"] > allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return (real_pwrite if len(args) == 2 else real_write)(fd, *args)

class FullOs:
    def __getattr__(self, name):
        return {{"write": full, "pwrite": full}}.get(name) or getattr(os, name)

golive.console.journal.os = golive.console.files.os = FullOs()
from golive.console.cli import main
sys.exit(main(["run", {runbook!r}, "--headless", "--session-dir", {folder!r}]))
"""


def run_on_a_full_disk(tmp_path: Path, target: str, allowed: int) -> subprocess.CompletedProcess:
    tmp_path.mkdir(exist_ok=True)
    runbook = tmp_path / "rb.toml"
    runbook.write_text(RUNBOOK)
    code = textwrap.dedent(FULL_DISK.format(runbook=str(runbook), folder=str(tmp_path / "s")))
    return subprocess.run([sys.executable, "-c", code, str(allowed), target], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)


def test_a_disk_filling_mid_run_is_one_line_naming_the_journal_line_without_a_traceback(tmp_path):
    for allowed in (2, 3, 5):  # during the phase start, the action, a verdict
        res = run_on_a_full_disk(tmp_path / str(allowed), "journal.jsonl", allowed)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr
        assert res.stderr.strip().splitlines()[-1] == (
            f"golive: journal.jsonl:{allowed + 1}: could not write: No space left on device")


def test_a_run_starting_on_a_full_disk_names_the_file_it_could_not_write(tmp_path):
    res = run_on_a_full_disk(tmp_path, "driver.lock", 0)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr == (f"golive: {tmp_path / 's' / 'driver.lock'}: cannot write the session lock: No space left on "
                          "device\n")


def test_a_record_that_cannot_be_written_names_its_file(tmp_path):
    res = run_on_a_full_disk(tmp_path, "record.toml", 0)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1] == (f"golive: {tmp_path / 's' / 'record.toml'}: cannot write: No space "
                                                   "left on device")


def test_a_journal_with_an_unknown_event_type_is_refused_naming_its_line(tmp_path):
    runbook = tmp_path / "rb.toml"
    runbook.write_text(RUNBOOK)
    folder = tmp_path / "s"
    first = subprocess.run([sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless",
                            "--session-dir", str(folder)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert first.returncode == 0, first.stderr
    journal, _ = Journal.resume(folder)
    with journal:
        journal.append({"type": "teleported", "at": 1.0}, sync=True)
        line = journal.seq
    for command in (["resume", str(folder), "--headless"], ["report", str(folder)]):
        res = subprocess.run([sys.executable, "-m", "golive.console.cli", *command], capture_output=True, text=True,
                             cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert f"journal.jsonl:{line}: unknown event type 'teleported'" in res.stderr
