"""The credential report kept in memory: only the columns the enrichment reads, the same
values as the whole row."""

from __future__ import annotations

from baton_alibaba_cloud.connector._login import REPORT_COLUMNS
from baton_alibaba_cloud.connector._report import parse_report
from tests.connector.test_report import ALICE, BOB, HEADER, ROOT, b64


def test_kept_columns_are_the_whole_rows_narrowed() -> None:
    pages = [b64(HEADER, ROOT, ALICE), b64(HEADER, BOB)]
    whole = parse_report(pages)
    kept = parse_report(pages, REPORT_COLUMNS)
    assert set(kept) == set(whole) == {"alice@d.onaliyun.com", "bob@d.onaliyun.com"}
    for user, row in kept.items():
        assert row == {k: v for k, v in whole[user].items() if k in REPORT_COLUMNS}
    assert set(kept["bob@d.onaliyun.com"]) == {"password_exist", "mfa_active",
                                               "access_key_1_exist"}


def test_rows_keep_the_cells_their_record_has() -> None:
    """A repeated column name is read from its last column (which bob's short record lacks),
    a record without a user cell is no row, and a flag's text is one string shared by every
    row (the report of each member stays in memory until its users are enriched)."""
    header = "user,mfa_active,password_exist,mfa_active"
    pages = [b64(header, "alice,x,TRUE,FALSE", "bob,y", ",z,TRUE,TRUE", "carol,w,TRUE,FALSE")]
    whole = parse_report(pages)
    kept = parse_report(pages, REPORT_COLUMNS)
    assert dict(whole["alice"]) == {"user": "alice", "mfa_active": "FALSE",
                                    "password_exist": "TRUE"}
    assert dict(whole["bob"]) == {"user": "bob"}
    assert dict(kept["alice"]) == {"password_exist": "TRUE", "mfa_active": "FALSE"}
    assert dict(kept["bob"]) == {} and kept["bob"].get("mfa_active") is None
    assert set(kept) == {"alice", "bob", "carol"}
    assert kept["alice"]["password_exist"] is kept["carol"]["password_exist"]
