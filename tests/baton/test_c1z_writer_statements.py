"""The writer's statements: any batch size is written whole and in order, with few distinct
statement sizes (each size is a prepared statement the connection caches)."""

from __future__ import annotations

from pathlib import Path

from baton_alibaba_cloud.baton import types
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import ROWS_PER_STATEMENT, C1zWriter, _statement_parts


def test_parts_keep_order_and_use_few_sizes() -> None:
    sizes: set[int] = set()
    for n in range(0, 1001):
        parts = list(_statement_parts(list(range(n)), ROWS_PER_STATEMENT))
        assert [x for part in parts for x in part] == list(range(n))
        sizes |= {len(part) for part in parts}
    assert sizes == {ROWS_PER_STATEMENT} | {1 << k for k in range(8)}  # 250, 128, ..., 1


def test_batches_of_every_size_are_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.c1z"
    written: set[str] = set()
    with C1zWriter.open(path) as writer:
        count = 0
        for size in (1, 3, 250, 251, 263, 499, 1000, 1001, 7):
            batch = [types.resource("user", f"u{count + i}", "u") for i in range(size)]
            writer.put_resources(batch)
            written |= {r.id.resource for r in batch}
            count += size
        writer.commit()
    with C1zReader.open(path) as reader:
        assert {r.id.resource for r in reader.resources("user")} == written
