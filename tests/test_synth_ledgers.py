"""The synthetic ledger generator: shaped like the real ledgers, labelled synthetic, deterministic,
every pound accounted for. Small sizes only; the large ones are benchmarks/bench_scale.py's."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cwbtools.analysis import aggregate as agg
from cwbtools.paths import repo_root

_spec = importlib.util.spec_from_file_location("synth_ledgers", repo_root() / "benchmarks" / "synth_ledgers.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules["synth_ledgers"] = synth
_spec.loader.exec_module(synth)


def _pence(text: str) -> int:
    neg = text.startswith("-")
    pounds, _, pence = text.lstrip("-").replace(",", "").partition(".")
    value = int(pounds) * 100 + int(pence.ljust(2, "0"))
    return -value if neg else value


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    text = raw.decode("cp1252") if b"\xa3" in raw.split(b"\n", 1)[0].split(b"\r", 1)[0] else raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    plan = synth.Plan(rows=9_000, anchors=6, years=3, seed=4, chunk=1_000)
    out = tmp_path_factory.mktemp("synth")
    files = synth.write_csv(plan, out)
    return plan, out, files


def test_files_are_labelled_synthetic_and_sized(small):
    plan, out, files = small
    assert len(files) == 18
    assert all("SYNTHETIC" in f.name and "SYNTHETIC" in f.parent.name for f in files)
    assert "SYNTHETIC" in (out / "README.txt").read_text()
    assert sum(len(_read_csv(f)[1]) for f in files) == 9_000


def test_header_layouts_match_the_real_ledgers(small, spend_dir):
    plan, out, files = small
    real = {
        "hyndburn": spend_dir / "hyndburn" / "1575631095wpdm_1910.csv",
        "oxford": spend_dir / "oxford" / "expenditure-over-500-apr-jun-2014.csv",
        "gm": spend_dir / "greater-manchester-2019" / "bolton_2019.csv",
    }
    seen = set()
    for anchor in range(plan.anchors):
        layout = plan.layout(anchor)
        header, _ = _read_csv(synth.anchor_folder(out, anchor).glob("*.csv").__next__())
        real_header, _ = _read_csv(real[layout])
        assert header == [h.strip() for h in real_header], layout
        seen.add(layout)
    assert len(seen) >= 2


def test_hyndburn_layout_bytes(small):
    plan, out, _ = small
    anchor = next(a for a in range(plan.anchors) if plan.layout(a) == "hyndburn")
    path = next(synth.anchor_folder(out, anchor).glob("*.csv"))
    raw = path.read_bytes()
    assert b"Net Amount(\xa3)" in raw[:200]  # cp1252 pound sign, one byte
    header, rows = _read_csv(path)
    amounts = [r[6] for r in rows]
    assert any("," in a for a in amounts)  # thousands separators, quoted
    assert all(len(r[5]) == 10 and r[5][2] == "/" and r[5][5] == "/" for r in rows)  # dd/mm/yyyy


def test_amounts_dates_credits_and_individuals(small):
    plan, out, files = small
    pence, names = [], []
    for anchor in range(plan.anchors):
        layout = plan.layout(anchor)
        for path in sorted(synth.anchor_folder(out, anchor).glob("*.csv")):
            header, rows = _read_csv(path)
            amount_col = {"hyndburn": 6, "oxford": 6, "gm": 5}[layout]
            name_col = {"hyndburn": 4, "oxford": 9, "gm": 3}[layout]
            date_col = {"hyndburn": 5, "oxford": 4, "gm": 4}[layout]
            fmt = "%Y-%m-%d" if layout == "gm" else "%d/%m/%Y"
            fy = int(path.stem.split("_")[-1][:4])
            d = pd.to_datetime([r[date_col] for r in rows], format=fmt)
            assert d.min() >= pd.Timestamp(fy, 4, 1) and d.max() < pd.Timestamp(fy + 1, 4, 1)
            pence += [_pence(r[amount_col]) for r in rows]
            names += [r[name_col] for r in rows]
    pence = np.array(pence)
    assert 0.01 < (pence < 0).mean() < 0.04  # about 2% credit notes
    assert (np.abs(pence) >= 25_000).all()  # published above the £250 threshold
    redacted = sum(n in ("REDACTED", "Redacted personal data") for n in names)
    people = sum(n.split(" ")[0] in ("Mr", "Mrs", "Ms", "Miss", "Dr") for n in names)
    assert redacted > 0 and people > 0 and (redacted + people) / len(names) < 0.03


def test_supplier_spend_is_concentrated(small):
    """A few suppliers take most of the payments; a long tail takes the rest."""
    plan, out, files = small
    counts = pd.Series(dtype="int64")
    for anchor in range(plan.anchors):
        name_col = {"hyndburn": 4, "oxford": 9, "gm": 3}[plan.layout(anchor)]
        for path in synth.anchor_folder(out, anchor).glob("*.csv"):
            _, rows = _read_csv(path)
            counts = counts.add(pd.Series([r[name_col].upper() for r in rows]).value_counts(), fill_value=0)
    counts = counts.sort_values(ascending=False)
    assert counts.iloc[:20].sum() / counts.sum() > 0.2
    assert (counts == 1).sum() > 0.3 * len(counts)


def test_deterministic(tmp_path):
    plan = synth.Plan(rows=2_000, anchors=2, years=2, seed=11, chunk=300)
    a = synth.write_csv(plan, tmp_path / "a")
    b = synth.write_csv(plan, tmp_path / "b")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in a]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in b]
    other = synth.write_csv(synth.Plan(rows=2_000, anchors=2, years=2, seed=12, chunk=300), tmp_path / "c")
    assert digest != [hashlib.sha256(p.read_bytes()).hexdigest() for p in other]


def test_parquet_mode_reconciles_with_the_aggregates(tmp_path):
    plan = synth.Plan(rows=20_000, anchors=4, years=2, seed=2, chunk=3_000)
    tx_dir, sup_path = synth.write_parquet(plan, tmp_path)
    table = pq.read_table(tx_dir)
    assert table.num_rows == 20_000
    total = int(table.column("amount_pence").to_numpy().sum())
    place, wider = synth.synthetic_lads(plan)
    with agg.open_transactions(tx_dir, sup_path, place, wider) as src:
        by = agg.by_anchor_year(src, (1, 2))
        assert set(by["financial_year"]) == {"2019/20", "2020/21"}
        assert int(by.loc[by["anchor"] == "All anchors", "total_pence"].sum()) == total
        head = agg.headline(src, deprived_deciles=(1, 2))
        assert int(head.loc[0, "wider_pence"] + head.loc[0, "outside_pence"] + head.loc[0, "unlocated_pence"]) == total
        top = agg.top_suppliers(src, 5)
        assert "(payees not named)" in set(agg.top_suppliers(src, 10_000)["supplier_name"])
        assert not top["supplier_name"].str.startswith(("Mr ", "Mrs ", "Ms ", "Dr ")).any()
