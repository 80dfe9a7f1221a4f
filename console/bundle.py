"""The audit bundle: a session's runbook, journal, record, reviews and signatures in one tar.gz with a
SHA-256 manifest (`golive export`), and checking the whole of it offline (`golive verify --bundle`).

The manifest is ``SHA256SUMS`` in ``sha256sum`` format, so ``sha256sum -c`` checks it without Golive too.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MANIFEST = "SHA256SUMS"
# what a session folder holds that an auditor asks for; record.json is rendered when the folder has none
MEMBERS = ("runbook.toml", "journal.jsonl", "record.toml", "record.json", "record.md", "reviews.toml")
KEPT_FOLDERS = ("outputs", "signatures")          # action outputs and detached signatures, when kept
_LINE = re.compile(r"^([0-9a-f]{64})  ([^\n]+)$")


class BundleError(Exception):
    """Bad input: the folder cannot be exported, or the bundle file cannot be opened at all."""


def _collect(folder: Path) -> dict[str, bytes]:
    if not (folder / "journal.jsonl").is_file():
        raise BundleError(f"{folder}: no journal.jsonl: not a session folder")
    if not (folder / "record.toml").is_file():
        raise BundleError(f"{folder}: no record.toml yet: write it with golive report {folder}")
    files: dict[str, bytes] = {}
    try:
        for name in MEMBERS:
            if (folder / name).is_file():
                files[name] = (folder / name).read_bytes()
        if "record.json" not in files:
            record = tomllib.loads(files["record.toml"].decode("utf-8"))
            files["record.json"] = (json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n").encode()
        for sub in KEPT_FOLDERS:
            for path in sorted((folder / sub).rglob("*")) if (folder / sub).is_dir() else []:
                if path.is_file() and not path.is_symlink():
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
        for path in sorted(folder.glob("*.sig")):
            files[path.name] = path.read_bytes()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BundleError(f"{folder}: cannot read the session: {getattr(exc, 'strerror', None) or exc}") from None
    return files


def manifest_text(files: dict[str, bytes], prefix: str) -> str:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {prefix}/{name}\n" for name, data in sorted(files.items()))


def export_bundle(folder: Path, out: Path) -> list[str]:
    """Write ``out`` (tar.gz) from session ``folder``; returns the member names. Raises BundleError.

    The same folder gives the same bytes: fixed times, owners and modes, members in name order.
    """
    folder = Path(folder)
    files = _collect(folder)
    prefix = folder.resolve().name
    files_and_manifest = {MANIFEST: manifest_text(files, prefix).encode(), **files}
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name in [MANIFEST, *sorted(files)]:
            info = tarfile.TarInfo(f"{prefix}/{name}")
            info.size, info.mode, info.mtime = len(files_and_manifest[name]), 0o644, 0
            tar.addfile(info, io.BytesIO(files_and_manifest[name]))
    try:
        Path(out).write_bytes(buffer.getvalue())
    except OSError as exc:
        raise BundleError(f"{out}: cannot write the bundle: {exc.strerror}") from None
    return [f"{prefix}/{n}" for n in [MANIFEST, *sorted(files)]]


@dataclass
class BundleReport:
    """One row per thing checked: (what, ok, detail)."""

    path: Path
    rows: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(ok for _, ok, _ in self.rows)

    def add(self, what: str, ok: bool, detail: str) -> None:
        self.rows.append((what, ok, detail))

    def verdict(self) -> str:
        if self.ok:
            return f"VERIFIED: {len(self.rows)} checks passed"
        return "NOT VERIFIED: " + "; ".join(f"{what}: {detail}" for what, ok, detail in self.rows if not ok)


def _read_members(path: Path, report: BundleReport) -> dict[str, bytes] | None:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                name = info.name
                if not info.isfile() or name.startswith("/") or ".." in name.split("/"):
                    report.add("bundle", False, f"member {name!r} is not a plain file inside the bundle")
                    return None
                if name in members:
                    report.add("bundle", False, f"member {name} appears twice")
                    return None
                handle = tar.extractfile(info)
                members[name] = handle.read() if handle else b""
            while tar.fileobj is not None and tar.fileobj.read(1 << 16):
                pass  # read to the end, so gzip checks its CRC over every byte
    except FileNotFoundError:
        raise BundleError(f"{path}: no such file") from None
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        report.add("bundle", False, f"damaged: {exc}")
        return None
    return members


def _check_manifest(members: dict[str, bytes], report: BundleReport) -> str | None:
    """The members' common folder when the manifest is whole and every digest matches; else None."""
    manifests = [n for n in members if n.split("/")[-1] == MANIFEST and n.count("/") == 1]
    if len(manifests) != 1:
        report.add("manifest", False, f"expected one <folder>/{MANIFEST}, found {len(manifests)}")
        return None
    prefix = manifests[0].split("/")[0]
    try:
        text = members[manifests[0]].decode("ascii")
    except UnicodeDecodeError:
        report.add("manifest", False, f"{MANIFEST} is not ASCII text")
        return None
    listed: dict[str, str] = {}
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 2:
        report.add("manifest", False, f"{MANIFEST} must end with one newline after its last line")
        return None
    for number, line in enumerate(lines[:-1], 1):
        m = _LINE.match(line)
        if not m or m.group(2) in listed:
            report.add("manifest", False, f"{MANIFEST}:{number}: not '<sha256>  <path>' or a path listed twice")
            return None
        listed[m.group(2)] = m.group(1)
    problems = []
    for name, digest in listed.items():
        if name not in members:
            problems.append(f"{name} is listed but missing")
        elif hashlib.sha256(members[name]).hexdigest() != digest:
            problems.append(f"{name} changed (SHA-256 differs)")
    problems += [f"{name} is not in the manifest" for name in members if name not in listed and name != manifests[0]]
    if problems:
        report.add("manifest", False, "; ".join(problems))
        return None
    report.add("manifest", True, f"{len(listed)} files, every SHA-256 as listed")
    return prefix


def _check_journal(folder: Path, record: dict, report: BundleReport) -> None:
    from golive.console.journal import JournalError, read_journal

    try:
        replay = read_journal(folder / "journal.jsonl")
    except JournalError as exc:
        report.add("journal", False, str(exc))
        return
    head, count = record.get("journal_sha256"), record.get("journal_events")
    events = replay.events
    if not isinstance(count, int) or not 1 <= count <= len(events):
        report.add("journal", False, f"the record is anchored at line {count!r}; the journal has {len(events)}")
        return
    at = replay.head if count == len(events) else events[count]["prev"]
    if at != head:
        report.add("journal", False, f"line {count} ends the chain in {at[:12]}…; the record says {str(head)[:12]}…")
        return
    report.add("journal", True, f"chain whole, {len(events)} events, the record's anchor (line {count}) matches")


def verify_bundle(path: Path, allowed_signers: Path | None = None, now: datetime | None = None) -> BundleReport:
    """Check a bundle offline: the manifest, the journal's chain against the record, the runbook's digest, and
    with ``allowed_signers`` every signature and review. Raises BundleError when the file cannot be opened."""
    report = BundleReport(Path(path))
    members = _read_members(Path(path), report)
    if members is None:
        return report
    prefix = _check_manifest(members, report)
    if prefix is None:
        return report
    files = {name[len(prefix) + 1:]: data for name, data in members.items()}
    for needed in ("journal.jsonl", "record.toml"):
        if needed not in files:
            report.add("bundle", False, f"no {needed}")
            return report
    with tempfile.TemporaryDirectory(prefix="golive-bundle-") as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        try:
            record = tomllib.loads(files["record.toml"].decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            report.add("record", False, f"record.toml is not TOML: {exc}")
            return report
        head = record.get("record", {})
        _check_journal(folder, head, report)
        if "runbook.toml" in files:
            digest = hashlib.sha256(files["runbook.toml"]).hexdigest()
            report.add("runbook", digest == head.get("runbook_sha256"),
                       "SHA-256 as the record says" if digest == head.get("runbook_sha256")
                       else "runbook.toml is not the runbook the record names (SHA-256 differs)")
        if "record.json" in files:
            _check_json(files["record.json"], record, report)
        if allowed_signers is not None:
            _check_signatures(folder, Path(allowed_signers), now, report)
    return report


def _check_json(data: bytes, record: dict, report: BundleReport) -> None:
    """record.json must say what the signed body of record.toml says: the manifest alone is not signed."""
    from golive.console.signed_body import body_of

    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        report.add("record.json", False, f"not JSON: {exc}")
        return
    want = json.loads(json.dumps(body_of(record), default=str))
    same = isinstance(parsed, dict) and body_of(parsed) == want
    report.add("record.json", same, "says what record.toml's signed body says" if same
               else "differs from record.toml's signed body")


def _check_signatures(folder: Path, allowed_signers: Path, now: datetime | None, report: BundleReport) -> None:
    from golive.console.signing import RecordInputError, verify_record

    try:
        result = verify_record(folder / "record.toml", allowed_signers, folder / "journal.jsonl", now)
    except RecordInputError as exc:
        raise BundleError(str(exc)) from None
    for row in result.rows:
        report.add(f"signature {row.role}", row.status == "valid", f"{row.status}: {row.detail}")
    if not result.rows:
        report.add("signatures", False, "the record names no role to sign it")
    if (folder / "reviews.toml").is_file():
        from golive.console.review import verify_reviews

        for role, ok, detail in verify_reviews(folder, allowed_signers, now):
            report.add(f"review {role}", ok, detail)


def run_verify(args, now: datetime | None) -> int:
    """`golive verify --bundle BUNDLE [--allowed-signers FILE]`: a row per check, exit 0 only when all hold."""
    import sys

    if args.bundle is None or args.record is not None:
        print("golive: verify needs RECORD --allowed-signers FILE, or --bundle BUNDLE", file=sys.stderr)
        return 2
    try:
        report = verify_bundle(args.bundle, args.allowed_signers, now)
    except BundleError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for what, ok, detail in report.rows:
        console.print(Text.assemble(("✓ " if ok else "✗ ", "bold green" if ok else "bold red"), f"{what}: ",
                                    detail))
    if args.allowed_signers is None:
        console.print("signatures not checked: give --allowed-signers FILE")
    console.print(Text(("✓ " if report.ok else "✗ ") + report.verdict(),
                       style="bold green" if report.ok else "bold red"))
    return 0 if report.ok else 1
