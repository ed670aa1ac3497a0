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
