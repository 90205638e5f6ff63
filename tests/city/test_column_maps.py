"""What was read from each ledger file (issue 17): the city build keeps every file's column map
beside its reconciliation, and the report shows it one row per table."""

from __future__ import annotations

import pandas as pd
import pytest

from cwbtools.city import spend as cache
from cwbtools.config import load_config
from cwbtools.paths import configs_dir
from cwbtools.report.context import maps_by_file, open_report
from cwbtools.schema import COLUMN_MAP_COLUMNS

CORE = {"supplier_name", "amount", "payment_date"}


def _ledger_files(config) -> set[tuple[str, str]]:
    """(anchor, file name) of every ledger file the config names (supplier sheets are not ingested)."""
    return {
        (anchor.name, path.name)
        for anchor in config.anchors
        if not anchor.supplier_sheet
        for _, paths in config.ledger_files(anchor)
        for path in paths
    }


def _check_covers_every_file(config) -> pd.DataFrame:
    maps = cache.city_column_maps(config)
    assert list(maps.columns) == ["anchor", *COLUMN_MAP_COLUMNS]
    assert set(zip(maps["anchor"], maps["source_file"], strict=True)) == _ledger_files(config)
    # Every table read names its payee, amount and date columns, each found one known way.
    tables = maps.groupby(["anchor", "source_file", "sheet", "header_row"], dropna=False)["field"]
    core = tables.agg(lambda f: len(CORE & set(f)))
    assert (core == len(CORE)).all(), core[core < len(CORE)]
    assert set(maps["read_from"]) <= {"header", "content", "override", "earlier_file"}
    assert (maps["column_number"] >= 1).all()
    # Beside the reconciliation: the same files, under the same names.
    rec = cache.city_reconciliation(config)
    kept = rec[rec["rows_kept"] > 0]
    assert set(zip(kept["anchor"], kept["source_file"], strict=True)) <= set(
        zip(maps["anchor"], maps["source_file"], strict=True)
    )
    return maps


def test_maps_by_file_one_row_per_table_by_hand():
    rows = [
        ("A", "a.csv", "", 3, "supplier_name", "Payee", 2, "override", ""),
        ("A", "a.csv", "", 3, "amount", "Net", 5, "header", "net read beside gross and VAT"),
        ("A", "a.csv", "", 3, "payment_date", "Date", 1, "header", ""),
        ("A", "a.csv", "", 3, "supplier_id", "Vendor No", 4, "header", "not shown"),
        ("B", "b.xlsx", "Apr", None, "supplier_name", "column 2", 2, "content", ""),
        ("B", "b.xlsx", "Apr", None, "amount", "column 3", 3, "content", ""),
        ("B", "b.xlsx", "Apr", None, "payment_date", "column 1", 1, "content", ""),
    ]
    maps = pd.DataFrame(rows, columns=["anchor", *COLUMN_MAP_COLUMNS]).astype({"header_row": "Int64"})
    out = maps_by_file(maps)
    assert len(out) == 2
    a, b = out.iloc[0], out.iloc[1]
    assert (a["payee_column"], a["amount_column"], a["date_column"]) == (
        "Payee (column 2)",
        "Net (column 5)",
        "Date (column 1)",
    )
    assert a["read_from"] == "payee: override; amount: header; date: header"
    assert a["note"] == "net read beside gross and VAT"  # notes on other fields are not shown
    assert a["header_row"] == 3
    assert (b["sheet"], b["payee_column"], b["read_from"], b["note"]) == ("Apr", "column 2", "content", "")
    assert pd.isna(b["header_row"])
    assert maps_by_file(maps.iloc[:0]).empty


@pytest.mark.realdata
def test_demo_city_keeps_a_column_map_for_every_ledger_file(built_reference):
    config = load_config(configs_dir() / "preston-demo.yml")
    maps = _check_covers_every_file(config)
    assert (cache.city_dir(config) / "column_maps.csv").exists()
    payee = maps[maps["field"] == "supplier_name"]
    assert set(payee["column"]) == {"Supplier Name"} and set(payee["read_from"]) == {"header"}
    shown = open_report(configs_dir() / "preston-demo.yml").column_maps
    assert len(shown) == len(payee) == len(_ledger_files(config))


@pytest.mark.realdata
def test_oxford_column_maps_name_its_columns(built_reference, spend_dir):
    config = load_config(configs_dir() / "oxford.yml")
    maps = _check_covers_every_file(config)
    by_field = maps.set_index(["source_file", "field"])["column"]
    # Oxford renamed its columns in 2016 (`supplier_name`, `paid_date`) and dropped one in 2017.
    assert by_field[("expenditure-over-500-apr-jun-2014.csv", "supplier_name")] == "Supplier Name"
    assert by_field[("expenditure-over-500-apr-jun-2016.csv", "supplier_name")] == "supplier_name"
    assert by_field[("expenditure-over-500-apr-jun-2016.csv", "payment_date")] == "paid_date"
    shown = maps_by_file(maps).set_index("source_file")
    assert shown.loc["expenditure-over-500-apr-jun-2017.csv", "payee_column"] == "Supplier Name (column 9)"
    assert shown.loc["expenditure-over-500-apr-jun-2014.csv", "amount_column"] == "Amount (column 7)"
