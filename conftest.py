"""Root conftest: loads every fixture module under tests/fixtures/ as a plugin."""

import pkgutil
from pathlib import Path

pytest_plugins = sorted(
    f"tests.fixtures.{m.name}"
    for m in pkgutil.iter_modules([str(Path(__file__).parent / "tests" / "fixtures")])
    if not m.name.startswith("_")
)
