"""Draw the frozen payee sample for the hand-labelled individuals test (issue 14).

    .venv/bin/python tests/data/payees/build_sample.py            # writes unlabelled_payees.csv here

Reads every ledger of the five original bodies (`shared/data/spend/`) and the 86-body corpus
(`shared/data/spend-corpus/`), totals spend per (body, published payee name) and draws:

1. `top_spend`: the biggest payees, a fair spread over bodies: each body's 1st-ranked payee, then
   each body's 2nd, ... (bodies in a seeded random order within a rank) until TOP_N names.
2. `random`: RANDOM_N more distinct names, drawn without replacement (seed SEED) with weight
   `1/sqrt(names in body) * 1/sqrt(|spend £| + 100)`: the first factor stops the big ledgers
   swamping the small ones, the second favours small payees, where individuals hide (a £100
   payee is drawn ~70 times as often as a £1m one).
3. `random` too: up to SHAPE_N[shape] more names per surface shape in SHAPES (comma-separated,
   a title word, a refund word, initials before or after a word, one word + comma + a name,
   a title at the end), drawn uniformly (same seed) from the names left. Personal payees are
   rare past the £250/£500 thresholds most bodies publish at, so this makes sure the person
   formats the data holds (`SMITH, JANE`, `SMITH JANE MRS`, `J A Smith`, `SMITH J`) are in the
   list. The shapes are plain
   surface patterns written here, not the detector's rules; they also catch organisations
   (`INFIELD MS LLP`, `TLT LLP`), which is the point: hard cases on both sides.

Names are taken exactly as published (trimmed) and are unique in the list (compared case- and
space-insensitively; a name's first draw wins). `spend_pence` is the name's total in its body.
Ledgers are read with `cwbtools.ingest` where it reads them; the layouts it cannot read yet (or
where it picks a supplier-code column) are read directly, with the supplier and amount headers
chosen by eye (MANUAL below). Only names and amounts are used: the detector's flags are never
read here, so drawing cannot lean on what the tool says.

The labelled list (labelled_payees.csv) is the frozen artefact: a rerun reproduces this draw only
while the readers read the ledgers as they did when it was drawn (cwbtools as of issue 14).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cwbtools.ingest import amounts_to_pence, ingest_paths
from cwbtools.paths import shared_data_dir

SEED = 14
TOP_N = 150
RANDOM_N = 450
SHAPES = {
    "comma": r"^[A-Za-z'\-. ]+,\s*[A-Za-z'\-. ]+$",
    "title": r"(?i)(?:^|[\s.,(])(?:mr|mrs|ms|miss|dr|rev|mx)(?=[\s.,)]|$)",
    "refund": r"(?i)refund|repay|deposit|reimburse|overpay",
    "initials_first": r"^[A-Za-z](?:[.\s]+[A-Za-z]){0,2}\.?\s+[A-Za-z'\-]{2,}$",
    "initials_last": r"^[A-Za-z'\-]{2,},?\s+[A-Za-z](?:[.\s]+[A-Za-z]){0,2}\.?$",
    "surname_comma": r"^[A-Za-z'\-]+,\s*[A-Za-z'\-]+(?:\s+[A-Za-z'\-]+)?\.?$",
    "title_last": r"(?i)\s(?:mr|mrs|ms|miss|dr)\.?$",
}
SHAPE_N = {"comma": 15, "title": 20, "refund": 10, "initials_first": 15, "initials_last": 15,
           "surname_comma": 6, "title_last": 5}
ORIGINAL = ["oxford", "greater-manchester-2019", "hyndburn", "lancashire-pcc", "lancashire-fire"]
HERE = Path(__file__).resolve().parent

# body -> (supplier header(s), amount header(s)), picked by eye from the files: ingest cannot read
# these yet, reads a supplier-code column (`Supplier`) where the name is in `Supplier(T)`, or
# (hounslow) takes `IrrecoverableVATAmount`, all zeros, for the amount.
MANUAL = {
    "barking-dagenham": (["Supplier"], ["Gross"]),
    "bury": (["Supplier"], ["Invoiced"]),
    "cheshire-west-chester": (["Supplier ID(T)"], ["Net Amount"]),
    "dcms": (["Supplier"], ["Amount"]),
    "durham-pcc": (["Supplier"], ["Amount"]),
    "hartlepool": (["Supplier"], ["Net Value"]),
    "lewisham": (["SUPPLIER"], ["£ SPEND (EXCLUDING VAT)"]),
    "slough": (["Vendor Name"], ["Amount"]),
    "thames-valley-pcc": (["Supplier_Name", "Vendor Name"], ["Invoice_Line_Net_Amount", "SumOfAmount"]),
    "thurrock": (["Beneficiary"], ["Amounts"]),
    "wolverhampton": (["Supplier ID(T)"], ["Amount"]),
    "bedford": (["Supplier(T)"], ["Amount"]),
    "coventry": (["Supplier(T)"], ["Amount"]),
    "rutland": (["Supplier Name(T)"], ["Amount"]),
    "hounslow": (["BeneficiaryName"], ["Amount"]),
}


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet (a CSV is one) as strings, no header; {} for what is not a table (a PDF)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        for enc in ("utf-8-sig", "cp1252"):
            try:
                return {"": pd.read_csv(path, header=None, dtype=str, encoding=enc, keep_default_na=False)}
            except UnicodeDecodeError:
                continue
    try:
        return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception:  # e.g. hartlepool_id45.xlsx is a PDF
        return {}


def read_manual(folder: Path, suppliers: list[str], amounts: list[str]) -> pd.DataFrame:
    """(supplier_name, amount_pence) rows of every sheet whose header row (in the first 30 rows)
    holds one of `suppliers` and one of `amounts`."""
    want_s = {s.strip().lower() for s in suppliers}
    want_a = {a.strip().lower() for a in amounts}
    parts = []
    for path in sorted(folder.iterdir()):
        for sheet in _sheets(path).values():
            for i in range(min(30, len(sheet))):
                cells = [str(c).strip().lower() if c is not None else "" for c in sheet.iloc[i].tolist()]
                js = next((j for j, c in enumerate(cells) if c in want_s), None)
                ja = next((j for j, c in enumerate(cells) if c in want_a), None)
                if js is not None and ja is not None:
                    body = sheet.iloc[i + 1:]
                    parts.append(pd.DataFrame({"supplier_name": body.iloc[:, js].astype(object).values,
                                               "amount_pence": amounts_to_pence(body.iloc[:, ja].astype(object)).values}))
                    break
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["supplier_name", "amount_pence"])


def read_body(folder: Path) -> pd.DataFrame:
    if folder.name in MANUAL:
        rows = read_manual(folder, *MANUAL[folder.name])
    else:
        rows = ingest_paths([folder], anchor=folder.name).transactions[["supplier_name", "amount_pence"]]
    rows = rows.dropna(subset=["supplier_name"]).copy()
    rows["name"] = rows["supplier_name"].astype(str).str.strip()
    rows = rows[rows["name"].ne("") & ~rows["name"].str.lower().isin(["nan", "none"])]
    rows["amount_pence"] = pd.to_numeric(rows["amount_pence"], errors="coerce").fillna(0).astype("int64")
    return rows.groupby("name", as_index=False)["amount_pence"].sum().rename(columns={"amount_pence": "spend_pence"})


def payee_totals(data: Path) -> pd.DataFrame:
    """One row per (source, name) with its total spend in pence, over every readable body."""
    folders = [data / "spend" / b for b in ORIGINAL]
    folders += sorted(p for p in (data / "spend-corpus").iterdir() if p.is_dir())
    out = []
    for folder in folders:
        t = read_body(folder)  # fails loudly: a skipped body would silently change the draw
        t.insert(0, "source", f"{folder.parent.name}/{folder.name}")
        out.append(t)
        print(f"{folder.name}: {len(t)} names", file=sys.stderr)
    return pd.concat(out, ignore_index=True)


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def draw(totals: pd.DataFrame, seed: int = SEED, top_n: int = TOP_N, random_n: int = RANDOM_N) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = totals.copy()
    t["key"] = t["name"].map(_key)
    t["rank"] = t.groupby("source")["spend_pence"].rank(method="first", ascending=False).astype(int)
    order = {s: i for i, s in enumerate(rng.permutation(sorted(t["source"].unique())))}
    t["body_order"] = t["source"].map(order)
    seen, picked = set(), []
    for row in t.sort_values(["rank", "body_order"]).itertuples(index=False):
        if len(picked) == top_n:
            break
        if row.key not in seen:
            seen.add(row.key)
            picked.append((row.name, row.source, row.spend_pence, "top_spend"))
    pool = t[~t["key"].isin(seen)].drop_duplicates("key")  # a name's first body keeps it
    n_body = pool.groupby("source")["name"].transform("size")
    w = 1 / np.sqrt(n_body) / np.sqrt(pool["spend_pence"].abs() / 100 + 100)
    idx = rng.choice(len(pool), size=min(random_n, len(pool)), replace=False, p=(w / w.sum()).to_numpy())
    for row in pool.iloc[np.sort(idx)].itertuples(index=False):
        seen.add(row.key)
        picked.append((row.name, row.source, row.spend_pence, "random"))
    for shape, pattern in SHAPES.items():
        left = pool[~pool["key"].isin(seen) & pool["name"].str.contains(pattern, regex=True)]
        take = rng.choice(len(left), size=min(SHAPE_N[shape], len(left)), replace=False)
        for row in left.iloc[np.sort(take)].itertuples(index=False):
            seen.add(row.key)
            picked.append((row.name, row.source, row.spend_pence, "random"))
    return pd.DataFrame(picked, columns=["name", "source", "spend_pence", "drawn_by"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data folder (default: CWB_DATA or ../shared/data)")
    ap.add_argument("--out", type=Path, default=HERE / "unlabelled_payees.csv")
    args = ap.parse_args(argv)
    sample = draw(payee_totals(args.data or shared_data_dir()))
    for col in ("label", "public_kind", "note"):
        sample[col] = ""
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        w.writerow(sample.columns)
        w.writerows(sample.itertuples(index=False))
    print(f"wrote {len(sample)} names to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
