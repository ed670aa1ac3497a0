"""Regenerate the implemented-actions table of docs/emulator.md from the emulator's handlers.

    .venv/bin/python scripts/refresh_emulator_docs.py

``tests/emulator/test_docs.py`` fails while the table is stale.
"""

from __future__ import annotations

from pathlib import Path

from baton_alibaba_cloud.emulator.actions_table import replace_in

DOC = Path(__file__).resolve().parents[1] / "docs" / "emulator.md"


def main() -> int:
    changed = replace_in(DOC)
    print(f"{DOC}: {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
