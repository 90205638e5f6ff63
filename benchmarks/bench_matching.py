"""Supplier matching, measured: accuracy against a publisher's own matches, and speed at scale.

Accuracy (Greater Manchester 2019 by default, or any ledgers with the same publisher columns):
the publisher's `company_number`, `charity_number`, `company_name`, `clean_name`, `naked_name` are
dropped; suppliers are resolved from `beneficiary_name` alone against a BasicCompanyData-format
register of every company the publisher matched plus N synthetic near-duplicate distractors
(`register_fixture.py`), and the Gender Pay Gap, Co-operatives UK and charity lists. On rows with
`match_method > 0`, spend-weighted (absolute pence):

* precision: of the £ matched to a company number, the share matched to the publisher's number
  (rows where the publisher has no company number count as wrong);
* recall: of the £ the publisher matched to a company number, the share matched to that number.

Then a timing run: 100k query names against a 5M-name register (synthetic, name_norm given as the
built `registers.parquet` holds it), index build + exact + fuzzy.

    .venv/bin/python benchmarks/bench_matching.py                      # full: 1M distractors + 5M timing
    .venv/bin/python benchmarks/bench_matching.py --distractors 50000 --boroughs bolton --skip-timing
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import register_fixture as rf  # noqa: E402

from cwbtools.paths import repo_root, shared_data_dir  # noqa: E402
from cwbtools.suppliers import (
    matching,  # noqa: E402
    resolve_suppliers,  # noqa: E402
)

PRECISION_TARGET, RECALL_TARGET = 0.98, 0.90


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_lists(shared: Path) -> pd.DataFrame:
    """Gender Pay Gap, Co-operatives UK and charities, as the reference build reads them."""
    try:
        from cwbtools.reference.registers import build_open_registers

        regs = build_open_registers(shared / "reference")
        if not {"gender_pay_gap", "coops_uk", "charity_commission"} <= set(regs["source"]):
            regs = build_open_registers(shared)
    except Exception:  # noqa: BLE001 - reference stage not importable: use the fixture's reader
        regs = rf.open_registers(shared)
    return regs[regs["source"].isin(["gender_pay_gap", "coops_uk", "charity_commission"])].reset_index(drop=True)


def register_path(paths: list[Path], n: int, seed: int, out: Path) -> Path:
    stem = "-".join(p.stem for p in paths)
    return out / f"basic_company_data_{stem}_{n}_{seed}.csv"


def evaluate(tx: pd.DataFrame, suppliers: pd.DataFrame) -> dict:
    s = suppliers.set_index("supplier_key")
    t = tx.assign(
        got=tx["supplier_key"].map(s["company_number"]).astype("string"),
        layer=tx["supplier_key"].map(s["resolved_by"]),
        score=tx["supplier_key"].map(s["match_score"]),
        pence=tx["amount_pence"].abs(),
    )
    scored = t[t["match_method"] != "0"]
    name_layers = ["exact_name", "fuzzy_name"]
    matched = scored[scored["got"].notna() & scored["layer"].isin(name_layers)]
    right = matched["got"] == matched["truth_company_number"]
    precision = matched["pence"][right.fillna(False)].sum() / max(matched["pence"].sum(), 1)
    truth = scored[scored["truth_company_number"].notna()]
    hit = (truth["got"] == truth["truth_company_number"]).fillna(False) & truth["layer"].isin(name_layers)
    recall = truth["pence"][hit].sum() / max(truth["pence"].sum(), 1)
    by_layer = scored.groupby(scored["layer"].fillna("?")).apply(
        lambda g: pd.Series(
            {
                "pounds": g["pence"].sum() / 100,
                "right_share": g["pence"][(g["got"] == g["truth_company_number"]).fillna(False)].sum()
                / max(g["pence"][g["got"].notna()].sum(), 1),
            }
        ),
        include_groups=False,
    )
    fuzzy = matched[matched["layer"] == "fuzzy_name"]
    bands = pd.cut(fuzzy["score"], [0, 92, 95, 97.5, 100.1], right=False)
    band_table = fuzzy.groupby(bands, observed=True).apply(
        lambda g: pd.Series(
            {
                "pounds": g["pence"].sum() / 100,
                "precision": g["pence"][(g["got"] == g["truth_company_number"]).fillna(False)].sum()
                / max(g["pence"].sum(), 1),
            }
        ),
        include_groups=False,
    )
    unmatched_mm0 = t[(t["match_method"] == "0") & t["got"].notna() & t["layer"].isin(name_layers)]["pence"].sum()
    return {
        "precision": float(precision),
        "recall": float(recall),
        "by_layer": by_layer,
        "bands": band_table,
        "matched_pounds": matched["pence"].sum() / 100,
        "truth_pounds": truth["pence"].sum() / 100,
        "matched_on_unscored_pounds": unmatched_mm0 / 100,
    }


def accuracy_run(boroughs: list[str], n_distractors: int, seed: int, out: Path, shared: Path) -> dict:
    paths = rf.gm_ledger_paths(shared, tuple(boroughs))
    out.mkdir(parents=True, exist_ok=True)
    csv = register_path(paths, n_distractors, seed, out)
    t0 = time.time()
    if not csv.exists():
        counts = rf.write_basic_company_data(paths, csv, n_distractors, shared, seed=seed)
        print(f"register: {counts} -> {csv} ({time.time() - t0:.0f}s)")
    lists = open_lists(shared)
    tx = rf.ledger_transactions(paths)
    t1, c1 = time.time(), time.process_time()
    res = resolve_suppliers(tx, registers=lists, companies=csv, review_dir=out / "review")
    elapsed, cpu = time.time() - t1, time.process_time() - c1
    from cwbtools.suppliers import supplier_key

    tx["supplier_key"] = supplier_key(tx)
    result = evaluate(tx, res.suppliers)
    result.update(
        seconds=elapsed,
        cpu_seconds=cpu,
        suppliers=len(res.suppliers),
        review=len(res.review),
        payments=len(tx),
        register_rows=n_distractors,
        coverage=res.coverage,
    )
    return result


def synthetic_register(n: int, seed: int, shared: Path) -> pd.DataFrame:
    """`n` distinct synthetic names from real register words (Zipf-weighted), as `name_norm`."""
    lists = rf.open_registers(shared)
    words = pd.Series(" ".join(lists["name_norm"]).split()).value_counts()
    vocab = words.index.to_numpy()
    p = 1.0 / np.arange(1, len(vocab) + 1) ** 0.8
    p /= p.sum()
    rng = np.random.default_rng(seed)
    lengths = rng.choice([1, 2, 3, 4, 5], size=int(n * 1.15), p=[0.05, 0.35, 0.35, 0.17, 0.08])
    picks = rng.choice(len(vocab), size=int(lengths.sum()), p=p)
    cuts = np.cumsum(lengths)[:-1]
    names = [" ".join(vocab[c]) for c in np.split(picks, cuts)]
    names = pd.unique(pd.Series(names))[:n]
    return pd.DataFrame(
        {
            "source": "companies_house",
            "name": names,
            "name_norm": names,
            "company_number": [f"T{i:07d}" for i in range(len(names))],
        }
    )


def perturb(names: list[str], rng: random.Random) -> list[str]:
    out = []
    for name in names:
        w = name.split()
        r = rng.random()
        if r < 0.25 and w:
            i = rng.randrange(len(w))
            if len(w[i]) > 3:
                j = rng.randrange(1, len(w[i]))
                w[i] = w[i][:j] + w[i][j + 1 :]
        elif r < 0.45:
            w = w + [rng.choice(["bolton", "rents", "3", "homecare", "north"])]
        elif r < 0.6 and len(w[-1]) > 4:
            w[-1] = w[-1][: len(w[-1]) - 2]
        out.append(" ".join(w) + rng.choice([" ltd", " limited", "", " plc"]))
    return out


def timing_run(n_queries: int, n_register: int, seed: int, shared: Path) -> dict:
    t0 = time.time()
    reg = synthetic_register(n_register, seed, shared)
    made = time.time() - t0
    rng = random.Random(seed)
    sample = reg["name_norm"].sample(int(n_queries * 0.7), random_state=seed).tolist()
    novel = synthetic_register(int(n_queries * 0.3), seed + 1, shared)["name_norm"].tolist()
    queries = perturb(sample, rng) + novel
    from cwbtools.identifiers import supplier_name

    q = pd.DataFrame({"qid": np.arange(len(queries)), "name": queries})
    q["name_norm"] = q["name"].map(supplier_name)
    t1, c1 = time.time(), time.process_time()
    index = matching.build_index(reg)
    t2 = time.time()
    ex = matching.exact_matches(index, q)
    t3 = time.time()
    fz = matching.fuzzy_matches(index, q[~q["qid"].isin(ex["qid"])])
    t4 = time.time()
    cpu = time.process_time() - c1
    return {
        "cpu_s": cpu,
        "register": len(reg),
        "queries": len(q),
        "make_s": made,
        "index_s": t2 - t1,
        "exact_s": t3 - t2,
        "fuzzy_s": t4 - t3,
        "total_s": t4 - t1,
        "exact": len(ex),
        "fuzzy_accept": int((fz["decision"] == "accept").sum()),
        "fuzzy_review": int((fz["decision"] == "review").sum()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boroughs", nargs="+", default=["bolton", "oldham", "salford"])
    ap.add_argument("--distractors", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--timing-queries", type=int, default=100_000)
    ap.add_argument("--timing-register", type=int, default=5_000_000)
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("--out", default=str(repo_root() / "benchmarks" / "out" / "matching"))
    args = ap.parse_args(argv)
    shared = shared_data_dir()
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f}")
    ok = True
    if not args.skip_accuracy:
        r = accuracy_run(args.boroughs, args.distractors, args.seed, Path(args.out), shared)
        pd.set_option("display.width", 160)
        print(
            f"accuracy: {' '.join(args.boroughs)}, {r['payments']} payments, {r['suppliers']} suppliers, "
            f"register = matched companies + {args.distractors:,} distractors + open lists"
        )
        print(
            f"  precision {r['precision']:.4f} (target {PRECISION_TARGET})  recall {r['recall']:.4f} "
            f"(target {RECALL_TARGET})"
        )
        print(
            f"  £ matched to a company on scored rows {r['matched_pounds']:,.0f}; £ publisher matched "
            f"{r['truth_pounds']:,.0f}; £ we matched where the publisher did not {r['matched_on_unscored_pounds']:,.0f}"
        )
        print(
            f"  resolve time {r['seconds']:.1f}s wall, {r['cpu_seconds']:.1f}s CPU (incl. reading the register CSV); peak RSS {peak_mb():,.0f} MB; "
            f"{r['review']} candidates to review"
        )
        print("  by layer (scored rows):\n" + r["by_layer"].to_string())
        print("  fuzzy accepts by score band:\n" + r["bands"].to_string())
        ok = r["precision"] >= PRECISION_TARGET and r["recall"] >= RECALL_TARGET
    if not args.skip_timing:
        t = timing_run(args.timing_queries, args.timing_register, args.seed, shared)
        print(
            f"timing: {t['queries']:,} names vs {t['register']:,} register names: index {t['index_s']:.1f}s, "
            f"exact {t['exact_s']:.1f}s, fuzzy {t['fuzzy_s']:.1f}s, total {t['total_s']:.1f}s wall, {t['cpu_s']:.1f}s CPU (target < 120s); "
            f"{t['exact']:,} exact, {t['fuzzy_accept']:,} fuzzy accepted, {t['fuzzy_review']:,} to review; "
            f"peak RSS {peak_mb():,.0f} MB"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
