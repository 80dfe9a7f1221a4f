"""`golive history` rows from records on disk."""

from __future__ import annotations

from pathlib import Path

from golive.console.cmd_history import rows


def test_a_review_without_a_role_is_listed_not_a_crash(tmp_path: Path):
    folder = tmp_path / "s1"
    folder.mkdir()
    (folder / "record.toml").write_text('[record]\nstarted = "2026-12-01T10:00:00Z"\noutcome = "GO"\n')
    (folder / "reviews.toml").write_text('[[review]]\nname = "Ada"\n\n[[review]]\nrole = "cab"\n')
    [row] = rows(tmp_path)
    assert row["review"] == "reviewed by ?, cab"
