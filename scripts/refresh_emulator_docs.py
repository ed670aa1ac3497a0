"""Regenerate the generated parts of the emulator's documentation.

- the implemented-actions table of docs/emulator.md, from the emulator's handlers;
- docs/emulator-account.schema.json, the account file format as a JSON Schema.

    .venv/bin/python scripts/refresh_emulator_docs.py

``tests/emulator/test_docs.py`` fails while either is stale.
"""

from __future__ import annotations

from pathlib import Path

from baton_alibaba_cloud.emulator.accounts import json_schema
from baton_alibaba_cloud.emulator.actions_table import replace_in

DOCS = Path(__file__).resolve().parents[1] / "docs"
DOC = DOCS / "emulator.md"
SCHEMA = DOCS / "emulator-account.schema.json"


def main() -> int:
    changed = replace_in(DOC)
    print(f"{DOC}: {'updated' if changed else 'already current'}")
    text = json_schema.render()
    if not SCHEMA.exists() or SCHEMA.read_text(encoding="utf-8") != text:
        SCHEMA.write_text(text, encoding="utf-8")
        print(f"{SCHEMA}: updated")
    else:
        print(f"{SCHEMA}: already current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
