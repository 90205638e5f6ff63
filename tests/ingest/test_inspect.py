"""`cwb inspect` shows what ingest would do, writing nothing: here, the sheets it would set aside
whole, decided by the same rules as ingest (`ingest.sheets`)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from cwbtools.ingest import ingest_paths
from cwbtools.ingest.inspect import inspect_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "hostile"))
import make_hostile  # noqa: E402


@pytest.mark.parametrize(
    ("case", "sheet", "reason"),
    [
        (make_hostile.quarter_repeats_months, "Q1 2023-24", "sheet_repeats_others"),
        (make_hostile.hidden_draft_sheet, "Draft", "sheet_hidden"),
    ],
)
def test_inspect_names_the_sheets_ingest_sets_aside(tmp_path, case, sheet, reason):
    case(tmp_path, random.Random(3))
    [book] = list(tmp_path.glob("*.xlsx"))
    text = inspect_text([book])
    assert f"sheet {sheet!r}: would be set aside whole ({reason})" in text
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.parquet"))  # nothing written
    recon = ingest_paths([book], anchor="Inspect Test").reconciliation
    assert int(recon[f"reason_{reason}"].iloc[0]) > 0  # ingest does what inspect said
