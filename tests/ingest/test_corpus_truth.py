"""The corpus truth table (tests/data/corpus) reproduces from its own script and notes.

Checks truth.py, not cwbtools: a handful of files covering the main layout traps are recounted and
must match truth.csv exactly, and the money parser is pinned on the forms found in the corpus.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.realdata

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"

# one per trap: preamble + cp1252, blank line after every row + BOM, title rows + total below,
# sheet per month, ~1M-row declared dimension, mixed encoding, CR/CRLF, .xls, .ods
SAMPLE = [
    "barnsley/exp-ex-gbp500-apr-23.csv",
    "cambridge-city/spending_fy2024_25.csv",
    "lewisham/2023_05.xlsx",
    "peterborough/Quarter1-FY2324.xlsx",
    "gmca/gmca-spend-500-transparency-q1.xlsx",
    "brent/mar_may_2023.csv",
    "hampshire-iow-pcc/Transparency-Payments-2024-04.xls",
    "thames-valley-pcc/Transparency-Report-April-2020.ods",
]


@pytest.fixture(scope="module")
def truth():
    spec = importlib.util.spec_from_file_location("corpus_truth", CORPUS / "truth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _published() -> dict[tuple[str, str], dict]:
    with (CORPUS / "truth.csv").open(newline="", encoding="utf-8") as fh:
        return {(r["file"], r["sheet"]): r for r in csv.DictReader(fh)}


def test_truth_table_covers_every_corpus_file(shared_data):
    with (shared_data / "spend-corpus" / "FILES.csv").open(newline="") as fh:
        listed = {f"{r['slug']}/{r['file']}" for r in csv.DictReader(fh)}
    assert {f for f, _ in _published()} == listed


@pytest.mark.parametrize("file", SAMPLE)
def test_sample_reproduces_truth_csv(truth, shared_data, file):
    root = shared_data / "spend-corpus"
    published = _published()
    notes = [n for n in truth.load_notes() if n.file == file]
    assert notes
    for note in notes:
        for row, _ in truth.truth_rows(root, note):
            want = published[(row["file"], row["sheet"])]
            assert (row["payment_rows"], row["total_pence"]) == (int(want["payment_rows"]), int(want["total_pence"]))


def test_published_grand_totals_agree(truth, shared_data):
    # Lewisham's own grand-total row (below the table, blank supplier) must equal our sum.
    [note] = [n for n in truth.load_notes() if n.file == "lewisham/2023_05.xlsx"]
    [(row, _)] = truth.truth_rows(shared_data / "spend-corpus", note)
    assert row["total_pence"] == 5_377_987_430


@pytest.mark.parametrize(
    ("cell", "pence"),
    [
        ("£1,000.00", 100_000),
        ("(12.50)", -1_250),
        ("12.50-", -1_250),
        ("-£3.10", -310),
        ("1,234.5 CR", -123_450),
        (" -   ", 0),
        (851.5699999999999, 85_157),
        (7, 700),
        ("4525.889999999999", 452_589),
    ],
)
def test_money_forms(truth, cell, pence):
    assert truth.to_pence(cell) == pence


@pytest.mark.parametrize("cell", ["N/A", "12.345.6", "0.005"])
def test_non_money_is_refused(truth, cell):
    with pytest.raises(ValueError):
        truth.to_pence(cell)
