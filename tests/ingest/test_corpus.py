"""Issue 17: every spend-corpus file ingests with no configuration and agrees with the truth table.

`tests/data/corpus/truth.csv` was counted without cwbtools (see its README). The corpus is ingested
once per run (`corpus` fixture), one `ingest_paths` call per file so that one failure does not hide
the rest. A file that fails goes in `XFAIL` (strict) with its reason; none does today.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cwbtools.errors import CwbError
from cwbtools.ingest import ingest_paths
from cwbtools.ingest.columns import normalise_header

pytestmark = pytest.mark.realdata

TRUTH = Path(__file__).resolve().parents[1] / "data" / "corpus" / "truth.csv"
MIN_KEPT = 0.995  # issue 17: at least 99.5% of a file's payment rows kept

# file -> (checks that fail today, why). Strict: a fix that makes one pass must remove it here.
# Empty since issue 17: every corpus file ingests and agrees with the truth table.
XFAIL: dict[str, tuple[tuple[str, ...], str]] = {}


def _truth_rows() -> list[dict]:
    with TRUTH.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


TRUTH_ROWS = _truth_rows()


@dataclass
class Table:
    """One sheet (or CSV) as ingest read it, split by whether the payee was given."""

    named_rows: int = 0
    named_pence: int = 0
    unnamed_rows: int = 0  # kept with a blank payee (a name withheld beside a supplier id)
    unnamed_pence: int = 0
    supplier_column: str | None = None


@dataclass
class FileRead:
    error: str | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    recon: dict | None = None


def _read(path: Path, anchor: str) -> FileRead:
    try:
        result = ingest_paths([path], anchor=anchor)
    except CwbError as exc:
        return FileRead(error=str(exc))
    tables: dict[str, Table] = {}
    tx = result.transactions
    sheet = tx["sheet"].fillna("").astype(str)
    named = tx["supplier_name"].notna() & (tx["supplier_name"].astype(str).str.strip() != "")
    for s, g in tx.groupby(sheet, sort=False):
        n = named[g.index]
        t = tables.setdefault(str(s), Table())
        t.named_rows, t.named_pence = int(n.sum()), int(g["amount_pence"][n].sum())
        t.unnamed_rows, t.unnamed_pence = int((~n).sum()), int(g["amount_pence"][~n].sum())
    maps = result.column_maps
    for rec in maps[maps["field"] == "supplier_name"].itertuples(index=False):
        s = "" if rec.sheet is None or rec.sheet != rec.sheet else str(rec.sheet)
        tables.setdefault(s, Table()).supplier_column = rec.column
    [recon] = result.reconciliation.to_dict("records")
    return FileRead(tables=tables, recon=recon)


@pytest.fixture(scope="session")
def corpus(shared_data: Path) -> dict[str, FileRead]:
    """Every corpus file ingested once: file (`slug/name`) -> what was read, or the error."""
    root = shared_data / "spend-corpus"
    files = list(dict.fromkeys(r["file"] for r in TRUTH_ROWS))
    start = time.perf_counter()
    out = {f: _read(root / f, anchor=f.split("/")[0]) for f in files}
    print(f"\ncorpus fixture: {len(files)} files ingested in {time.perf_counter() - start:.1f} s")
    return out


def _params(check: str, *, ledgers_only: bool = True) -> list:
    out = []
    for row in TRUTH_ROWS:
        if ledgers_only and row["kind"] != "ledger":
            continue
        checks, reason = XFAIL.get(row["file"], ((), ""))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if check in checks else []
        out.append(pytest.param(row, id=row["file"] + (f"[{row['sheet']}]" if row["sheet"] else ""), marks=marks))
    return out


def _table(corpus: dict[str, FileRead], row: dict) -> Table:
    read = corpus[row["file"]]
    assert read.error is None, read.error
    assert row["sheet"] in read.tables, f"sheet {row['sheet']!r} not read; read {sorted(read.tables)}"
    return read.tables[row["sheet"]]


@pytest.mark.parametrize("row", _params("ingests", ledgers_only=False))
def test_file_ingests_or_names_itself(corpus, row):
    """A ledger ingests with no configuration; a non-ledger stops with one line naming the file."""
    read = corpus[row["file"]]
    if row["kind"] == "not_ledger":
        assert read.error is not None
        assert "\n" not in read.error.strip()
        assert Path(row["file"]).name in read.error
        # ...and says what the file is instead (the corpus's one non-ledger is a PDF).
        assert "is a PDF" in read.error or "is a web page" in read.error, read.error
    else:
        _table(corpus, row)


@pytest.mark.parametrize("row", _params("counts"))
def test_payment_rows_and_total_match_truth(corpus, row):
    """Like with like: truth counts only rows with a payee, so the reader's kept rows with a blank
    payee (a name withheld beside a supplier id, kept as redacted) are left out of the comparison,
    and there may be no more of them than truth's `no_payee_rows`. Of the rest, at least 99.5% of
    truth's payment rows and never more, and the same total to the penny."""
    t = _table(corpus, row)
    want_rows, want_pence = int(row["payment_rows"]), int(row["total_pence"])
    assert t.unnamed_rows <= int(row["no_payee_rows"])
    assert MIN_KEPT * want_rows <= t.named_rows <= want_rows
    assert t.named_pence == want_pence


@pytest.mark.parametrize("row", _params("supplier"))
def test_supplier_column_is_the_one_a_person_picks(corpus, row):
    t = _table(corpus, row)
    assert normalise_header(t.supplier_column) == normalise_header(row["supplier_column"])


@pytest.mark.parametrize("row", _params("balances"))
def test_reconciliation_balances_to_the_penny(corpus, row):
    """Per file: read = kept + set aside, in rows and in pence."""
    _table(corpus, row)
    r = corpus[row["file"]].recon
    assert r["rows_read"] == r["rows_kept"] + r["rows_set_aside"]
    assert r["pence_read"] == r["pence_kept"] + r["pence_set_aside"]
