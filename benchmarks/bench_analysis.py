"""Speed of the in-memory baseline and change measures on 500k synthetic spend rows (labelled synthetic).

Run: .venv/bin/python benchmarks/bench_analysis.py
"""

import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "tests" / "analysis"))
import numpy as np
import pandas as pd

from cwbtools.analysis import baseline, change, concentration, trend, uncertainty

n = 500_000
rng = np.random.default_rng(0)
geo = rng.choice(["place", "wider", "outside", "unlocated"], n, p=[0.1, 0.3, 0.4, 0.2])
located = geo != "unlocated"
years = rng.choice(["2018/19", "2019/20", "2020/21", "2021/22"], n)
sp = pd.DataFrame(
    {
        "anchor": rng.choice(["A", "B", "C"], n),
        "anchor_kind": "council",
        "financial_year": years,
        "payment_date": pd.to_datetime(
            [f"{int(y[:4]) + (m < 3)}-{(m + 3) % 12 + 1:02d}-15" for y, m in zip(years, rng.integers(0, 12, n))]
        ),
        "amount_pence": rng.integers(100, 10_000_000, n).astype("int64"),
        "supplier_key": pd.array([f"s{i}" for i in rng.integers(0, 30000, n)], dtype="string"),
        "supplier_name": "X",
        "supplier_type": rng.choice(["sme", "large", "vcse", "unknown"], n),
        "individual": False,
        "lad_code": np.where(located, "E1", None),
        "ward_code": None,
        "lsoa_code": None,
        "imd_decile": pd.array(np.where(located, rng.integers(1, 11, n), 0), dtype="Int64"),
        "sic_code": None,
        "sic_section": rng.choice(list("CFGNQ"), n),
        "sic_division": "10",
        "sic_inferred": False,
        "expense_category": None,
        "resolved_by": "x",
        "located": located,
        "geo": geo,
        "deprived": None,
        "in_place": geo == "place",
        "in_wider": np.isin(geo, ["place", "wider"]),
    }
)
sp.loc[~located, "imd_decile"] = pd.NA
for name, f in [
    ("measures_by_year", lambda: change.measures_by_year(sp, deprived_deciles=(1, 2))),
    ("headline", lambda: baseline.headline(sp, (1, 2))),
    ("spend_by_lad", lambda: baseline.spend_by_lad(sp, by_anchor=True)),
    ("spend_by_sector", lambda: baseline.spend_by_sector(sp, "division")),
    ("top_suppliers", lambda: concentration.top_suppliers(sp)),
    ("concentration", lambda: concentration.supplier_concentration(sp)),
    (
        "bootstrap 1000",
        lambda: uncertainty.bootstrap_shares(sp[sp.financial_year == "2019/20"], deprived_deciles=(1, 2)),
    ),
    (
        "bootstrap by year 500",
        lambda: uncertainty.bootstrap_shares(sp, n_boot=500, by_anchor=False, by_year=True, deprived_deciles=(1, 2)),
    ),
    ("decompose", lambda: change.decompose_local_change(sp, "2018/19", "2021/22", by_anchor=True)),
    ("shift_share", lambda: change.shift_share(sp, "2018/19", "2021/22")),
    ("trend monthly", lambda: trend.local_share_trend(sp, policy_start="2020-04-01")),
    ("churn", lambda: change.supplier_churn(sp, "2018/19", "2021/22")),
]:
    t = time.perf_counter()
    f()
    print(f"{name}: {time.perf_counter() - t:.2f}s")
