"""Text whose UTF-8 was read as cp1252 is repaired; ordinary accented text is left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golive.console.importer import import_checklist
from golive.console.importer.mojibake import repair_mojibake


def mangle(text: str, keep_undefined: bool = True) -> str:
    """What a cp1252 reader makes of UTF-8: undefined bytes kept as C1 controls, or dropped."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            if keep_undefined:
                out.append(chr(byte))
    return "".join(out)


@pytest.mark.parametrize(("damaged", "meant"), [
    ("âœ… done", "✅ done"), ("ðŸš€ launch", "🚀 launch"), ("a â€” b", "a — b"), ("cafÃ©", "café"),
    ("â€œquotedâ€ ", "“quoted” "), ("Critical â†’ PagerDuty", "Critical → PagerDuty"), ("â”œâ”€ Status", "├─ Status"),
])
def test_known_mojibake_is_repaired(damaged, meant):
    assert repair_mojibake(damaged).text == meant


@pytest.mark.parametrize("text", ["café au lait", "Müller naïve Ångström", "€5 — “fine” ✅ 🚀", "½ × ¼ ± 3°"])
def test_correct_text_is_left_alone(text):
    repair = repair_mojibake(text)
    assert repair.text == text and repair.restored == 0


def test_an_emoji_whose_lost_byte_cannot_be_told_is_dropped_and_counted():
    damaged = mangle("🏆 Deployment", keep_undefined=False)  # 🏆's third byte is undefined in cp1252
    assert damaged.startswith("ðŸ†")
    repair = repair_mojibake(damaged)
    assert repair.text == " Deployment" and repair.dropped == 1


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_mangled_through_cp1252_comes_back_exactly(text):
    assert repair_mojibake(mangle(text)).text == text


def test_a_damaged_checklist_imports_with_clean_titles_and_the_repair_in_the_summary():
    checklist = mangle("# 🚀 Go-live — payments\n\n## ✅ Pre-flight\n- [ ] Change approved — CAB ✅\n")
    result = import_checklist(checklist.encode("utf-8"), "damaged.md")
    assert result.runbook.runbook.name == "Go-live — payments"
    assert result.runbook.phases[0].title == "Pre-flight"
    assert result.runbook.phases[0].checks[0].title == "Change approved — CAB"
    assert result.summary.repaired == 5
    assert any("repaired 5 characters" in line for line in result.summary.lines())
