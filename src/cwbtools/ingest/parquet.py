"""The transactions table as Arrow and Parquet: its schema, the pandas dtypes it reads back as,
and the writers (one file, or partitions by anchor and financial year, written in the background).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..schema import LEDGER_FLAG_COLUMNS, TRANSACTION_COLUMNS

STR = pd.StringDtype("pyarrow")  # text columns: Arrow-backed, <NA> for missing


def arrow_schema() -> pa.Schema:
    types = {
        "row_number": pa.int64(),
        "amount_pence": pa.int64(),
        "payment_date": pa.date32(),
        "individual": pa.bool_(),
        "redacted": pa.bool_(),
        **dict.fromkeys(LEDGER_FLAG_COLUMNS, pa.bool_()),
    }
    return pa.schema([(c, types.get(c, pa.string())) for c in TRANSACTION_COLUMNS])


_LARGE_SCHEMA = pa.schema([(f.name, pa.large_string() if f.type == pa.string() else f.type) for f in arrow_schema()])
_PANDAS_TYPES = {pa.string(): STR, pa.large_string(): STR, pa.date32(): pd.ArrowDtype(pa.date32())}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Transactions as pandas: text as Arrow-backed `string`, dates as `date32[pyarrow]`."""
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)


def _empty_transactions() -> pd.DataFrame:
    return to_pandas(_LARGE_SCHEMA.empty_table())


def to_arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df[TRANSACTION_COLUMNS], schema=arrow_schema(), preserve_index=False)


# pandas' own description of the columns, stored with every file so that `pd.read_parquet` gives
# back the dtypes ingest made (Arrow-backed `string`, `date32[pyarrow]`) however the file was written.
_PARQUET_SCHEMA = to_arrow(_empty_transactions()).schema


def for_parquet(kept: pa.Table) -> pa.Table:
    """Chunks as written: text as the contract's `string`, with pandas' metadata."""
    return kept.cast(_PARQUET_SCHEMA)


# Columns nearly unique per payment gain nothing from a dictionary page but pay to build one.
_NO_DICTIONARY = {"row_number", "payment_date", "amount_pence", "transaction_ref", "payment_id", "description"}


# Min/max statistics only where readers filter (DuckDB and pyarrow skip row groups by them): on
# every text column they cost 15% of the write and serve no query.
_STATISTICS = ["anchor", "source_file", "row_number", "payment_date", "financial_year", "amount_pence"]


def _parquet_options(columns) -> dict:
    return {
        "use_dictionary": [c for c in columns if c not in _NO_DICTIONARY],
        "write_statistics": [c for c in _STATISTICS if c in columns],
        # random hex does not compress: snappy on it is time spent for nothing
        "compression": {c: "none" if c == "payment_id" else "snappy" for c in columns},
    }


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, **_parquet_options(table.column_names))


class _ParquetSink:
    """Parquet written on a background thread: Arrow encodes one chunk (it releases the GIL) while
    the next chunk is interpreted. One write in flight at a time, so at most two chunks are held
    and memory stays flat. A write's error is raised in the caller's thread at the next call."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cwb-parquet")
        self._pending: Future | None = None
        self._file: pq.ParquetWriter | None = None
        self.path: Path | None = None
        self.written: list[Path] = []  # partition parts, removed if the run fails

    def _submit(self, fn) -> None:
        self.wait()
        self._pending = self._pool.submit(fn)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def append(self, path: Path, kept: pa.Table) -> None:
        """Add `kept` to the one file `path` as a row group (text cast to the contract's string)."""

        def write() -> None:
            if self._file is None:
                self._file = pq.ParquetWriter(path, _PARQUET_SCHEMA, **_parquet_options(_PARQUET_SCHEMA.names))
                self.path = path
            self._file.write_table(for_parquet(kept))

        self._submit(write)

    def partitions(self, kept: pa.Table, out_dir: Path, anchor: str, part_no: int) -> int:
        """Hive layout: `anchor=<a>/financial_year=<y>/part-N.parquet`, values URI-encoded
        (`financial_year=2019%2F20`), so a hive-aware reader decodes the same strings the files
        hold. Each file also carries every CONTRACTS §1 column, so any part reads alone (with
        pyarrow, read the folder with `partitioning=None`; DuckDB: `hive_partitioning = false`).
        Returns the next part number (decided here, so the names do not wait for the writes)."""
        if not kept.num_rows:
            return part_no
        parts = []
        for fy in sorted(pc.unique(kept["financial_year"]).to_pylist()):
            folder = (
                out_dir
                / "transactions"
                / f"anchor={quote(anchor, safe='')}"
                / f"financial_year={quote(str(fy), safe='')}"
            )
            folder.mkdir(parents=True, exist_ok=True)
            parts.append((fy, folder / f"part-{part_no:05d}.parquet"))
            self.written.append(parts[-1][1])
            part_no += 1

        def write() -> None:
            table = for_parquet(kept)
            for fy, path in parts:
                write_parquet(table.filter(pc.equal(table["financial_year"], fy)), path)

        self._submit(write)
        return part_no

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._file is not None:
                self._file.close()
            self._pool.shutdown()
