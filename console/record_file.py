"""Writing record.toml and record.md: under the record lock, re-reading what is there, never losing a
signature; and rendering a session's record from its journal, the one source every writer shares.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable

import tomli_w

from golive.console.files import RecordLock, write_atomic
from golive.console.signed_body import UNSIGNED_KEYS, body_of, canonical_bytes

Warn = Callable[[str], None]


def dump_record(doc: dict[str, Any]) -> str:
    """record.toml's text: the top-level tables in the document's order, ``[record]`` first.

    tomli_w writes short arrays of tables inline, and all inline values before any table, so a record
    would start ``decision = [...]``; each top-level entry is written as its own table here instead.
    """
    parts: list[str] = []
    for key, value in doc.items():
        if isinstance(value, dict):
            parts.append(tomli_w.dumps({key: value}, multiline_strings=key in UNSIGNED_KEYS))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                text = tomli_w.dumps({key: item}, multiline_strings=key in UNSIGNED_KEYS)
                header = f"[{key}]\n"
                if not text.startswith(header):
                    return tomli_w.dumps(doc)
                parts.append(f"[[{key}]]\n" + text[len(header):])
        elif value == []:
            continue
        else:
            return tomli_w.dumps(doc)
    text = "\n".join(p.rstrip("\n") + "\n" for p in parts)
    # the layout is ours, the values must be the document's: anything unusual falls back to plain tomli_w
    return text if tomllib.loads(text) == {k: v for k, v in doc.items() if v != []} else tomli_w.dumps(doc)


def _read_old(path: Path, on_warning: Warn | None) -> dict[str, Any]:
    """The record on disk; one that cannot be read is kept aside (it may hold signatures), never overwritten."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        aside = path.with_name(f"{path.name}.unreadable")
        try:
            path.replace(aside)
        except OSError:
            raise OSError(getattr(exc, "errno", None), f"{path}: cannot read the record to keep its signatures, "
                                                       "nor move it aside") from None
        if on_warning:
            why = exc.strerror if isinstance(exc, OSError) else "not a TOML record"
            on_warning(f"{path} could not be read ({why}); kept as {aside.name}, a new one written")
        return {}


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Where two bodies differ, as field paths (``record.outcome``, ``phase``)."""
    keys = []
    for key in dict.fromkeys([*body_of(old), *body_of(new)]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys += [f"{key}.{k}" for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]
        else:
            keys.append(key)
    return keys


def write_record(folder: Path, record: dict[str, Any], on_warning: Warn | None = None) -> tuple[Path, Path]:
    """Write record.toml and record.md atomically, under the record lock, keeping every stored signature.

    What is on disk is re-read under the lock. When it is signed and its body differs from ``record``
    (rendered by another Golive, or edited), the signed body is kept as it is — a person signed it — with
    the sign-off status refreshed, and ``on_warning`` hears which fields the journal renders differently.
    Raises OSError (with the file's name) when the folder cannot be written.
    """
    from golive.console.record import render_markdown

    folder = Path(folder)
    toml_path, md_path = folder / "record.toml", folder / "record.md"
    with RecordLock(folder):
        old = _read_old(toml_path, on_warning)
        out = dict(record)
        if old.get("signature"):
            if canonical_bytes(old) != canonical_bytes(record):
                if on_warning:
                    changed = ", ".join(_changed_keys(old, record)[:5])
                    on_warning(f"{toml_path} is signed: its body is kept as signed; the journal now renders "
                               f"it differently in {changed}")
                out = body_of(old)
            out["signature"] = old["signature"]
        signed = {s.get("role") for s in out.get("signature", [])}
        roles = out["record"].get("signoff", [])
        out["signature_status"] = {"missing": [r for r in roles if r not in signed],
                                   **record.get("signature_status", {})}
        text = dump_record(out)
        _write(toml_path, text.encode("utf-8"))
        # rendered from the file as written, so `golive verify --markdown` finds exactly this rendering
        _write(md_path, render_markdown(tomllib.loads(text)).encode("utf-8"))
    return toml_path, md_path


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: cannot write: {exc.strerror}") from None


def replay_engine(runbook: Any, raw_events: list[dict], anchor: int | None = None) -> Any:
    """A fresh engine folded from the journal's events alone: what any later reader can re-derive.

    With ``anchor``, only the lines up to it count, and after it only the sign-offs: a resume that follows
    the outcome must not change what the record says happened.
    """
    from golive.console import events as ev
    from golive.console.engine import Engine

    engine = Engine(runbook)
    upto = len(raw_events) if anchor is None else anchor
    for i, raw in enumerate(raw_events):
        if i < upto or raw.get("type") == "signoff":
            engine.apply(ev.Event.from_dict(raw))
    return engine


def record_from_journal(runbook: Any, raw_events: list[dict], head: str, live: Any = None) -> dict[str, Any]:
    """The record of a session from its journal (``live``, the driving engine, for a draft: its figures are
    newer than the journal's last summary). A decided record is always the journal's rendering, so the
    session, ``golive report`` and ``golive verify --journal`` agree on every byte of the body.
    """
    from golive.console.record import build_record, journal_anchor

    anchor = journal_anchor(raw_events, head)
    decided = any(e.get("type") == "outcome" for e in raw_events)
    engine = replay_engine(runbook, raw_events, anchor[1]) if decided or live is None else live
    return build_record(engine, *anchor, raw_events=raw_events, final_head=head)


def write_session_record(folder: Path, engine: Any, on_warning: Warn | None = None) -> tuple[Path, Path]:
    """The driving session's record.toml and record.md, rendered from its (synced) journal."""
    from golive.console.journal import read_journal

    replay = read_journal(Path(folder) / "journal.jsonl")
    return write_record(folder, record_from_journal(engine.runbook, replay.events, replay.head, live=engine),
                        on_warning)
