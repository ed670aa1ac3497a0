"""One account per file, through the console script: the demo writes its own demo.c1z, a
sync of another account into a file is refused before anything is written (the file stays
byte-identical), and --new-file starts the file afresh."""

from __future__ import annotations

import json
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from tests.cli import accounts
from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, key_flags, run_cli

DEMO_ACCOUNT = "5123456789012345"


def _accounts_of_latest_sync(path: Path) -> set[str]:
    with C1zReader.open(path) as reader:
        return {r.id.resource for r in reader.resources("account")
                if "External" not in r.display_name}


def test_demo_writes_its_own_file_and_another_account_is_refused(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    demo = run_cli(["demo"], tmp_path, env)
    assert demo.code == 0, demo.stderr
    demo_file = tmp_path / "demo.c1z"
    assert demo_file.exists() and not (tmp_path / "sync.c1z").exists()
    assert "inspect grants -f demo.c1z" in demo.stdout
    before = demo_file.read_bytes()

    with emulator(accounts.account()) as emu:
        sync = endpoint_flags(emu) + key_flags(accounts.ROOT_KEY) + ["-f", "demo.c1z"]
        refused = run_cli(sync, tmp_path, env)
        assert refused.code == 1, refused.stderr
        [line] = refused.error_lines
        assert DEMO_ACCOUNT in line and accounts.ACCOUNT_ID in line and "--new-file" in line
        assert demo_file.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.c1z"]  # no leftovers
        listed = {c.action for c in emu.request_log.calls}
        assert not listed & {"ListUsers", "ListGroups", "ListRoles", "ListPolicies"}

        fresh = run_cli([*sync, "--new-file"], tmp_path, env)
        assert fresh.code == 0, fresh.stderr
        again = run_cli(sync, tmp_path, env)  # the same account again: accepted
        assert again.code == 0, again.stderr
    assert _accounts_of_latest_sync(demo_file) == {accounts.ACCOUNT_ID}
    with C1zReader.open(demo_file) as reader:
        runs = reader.sync_runs()
    assert len(runs) == 2  # the fresh sync and the next one; the demo's sync is gone
    stats = run_cli(["inspect", "stats", "-f", "demo.c1z", "-o", "json"], tmp_path, env)
    assert json.loads(stats.stdout)["resources_by_type"]["user"] == 3

    before = demo_file.read_bytes()
    back = run_cli(["demo"], tmp_path, {**env, "BATON_FILE": "demo.c1z"})  # another account's
    assert back.code == 1 and accounts.ACCOUNT_ID in back.error_lines[0]
    assert demo_file.read_bytes() == before
