"""The Preston demo: SYNTHETIC ledgers for the six anchors of the CLES 2012/13 study.

What is real: the method, the suppliers' postcodes (drawn, seeded, from the ONS postcode lookup:
inside Preston, elsewhere in Lancashire, elsewhere in the UK), the SIC codes, and the totals CLES
(2012/13) and Preston City Council (2016/17) published. What is synthetic: every ledger line,
every supplier name (all start with `Demo`, so none can be mistaken for a real firm), and every
split below the published totals (per anchor, sector, size, deprivation), which is illustrative.

CLES measured procurement. The published totals are the *procurement base* (`analysis.base`); on
top of it each ledger holds what a real anchor's ledger holds and CLES did not count (`ON_TOP`):
payments to other public bodies, to HMRC and the pension fund, precepts, levies, pooled budgets,
housing benefit paid to landlords, rate refunds, the anchor's payments to itself and to the other
anchors, and a few redacted payments to individuals. Those payees are real bodies under the names
the registers give them, so the same rules that set them aside in a real ledger set them aside
here: nothing anywhere depends on a config being synthetic.

The ledgers are written as transparency-code CSVs with per-anchor creditor files and a crosswalk,
and go through the same ingest, resolution and analysis as real data. The amounts are allocated in
whole pence so that the pipeline reproduces the published totals exactly. See docs/DEMO.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CwbError
from ..identifiers import supplier_name as normalise_name
from ..reference.registers import COMPANIES_HOUSE_HEADER
from .demo_calibration import (  # noqa: F401 - the calibration, re-exported for tests and the CLI
    ACTIVE,
    ANCHORS,
    CGA,
    CNC,
    DEMO_SLUG,
    HMRC,
    HOUSING_BENEFIT,
    LANCASHIRE,
    LANDLORD_TRADES,
    LC,
    LCC,
    ON_TOP,
    OUTSIDE_HUBS,
    PAYMENT_SIZE,
    PCC,
    PENSION_FUND,
    POOL_SIZE,
    PRC,
    PRESTON,
    PUBLISHED,
    RATE_REFUNDED,
    RATE_REFUNDS,
    REDACTED,
    SEED,
    SIZE_MIX,
    STAMP,
    STEMS,
    TRADES,
    UTILITY_TRADES,
    VCSE_TRADES,
    YEARS,
    DemoAnchor,
    M,
    OnTop,
    _m,
)


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """`total` pence in whole pence in proportion to `weights` (largest remainder): sums exactly."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return base


def _allocate(year: str) -> pd.DataFrame:
    """Anchor x geography pence for one year, exactly matching the published place and Lancashire
    totals: place and rest-of-Lancashire columns scaled to the published figures, the outside
    column taking each anchor's remainder."""
    target = PUBLISHED[year]
    totals = np.array([a.total[year] for a in ANCHORS], dtype=np.int64)
    if int(totals.sum()) != target["total"]:
        raise AssertionError(f"anchor totals for {year} do not add up to the published total")
    place = _split(target["place"], totals * np.array([a.place_weight[year] for a in ANCHORS]))
    rest = _split(target["wider"] - target["place"], totals * np.array([a.wider_weight[year] for a in ANCHORS]))
    outside = totals - place - rest
    if (outside < 0).any():
        raise AssertionError(f"illustrative weights leave an anchor with negative leakage in {year}")
    return pd.DataFrame({"anchor": [a.name for a in ANCHORS], "place": place, "wider": rest, "outside": outside})


def demo_postcodes() -> pd.DataFrame:
    """The built postcode lookup (CONTRACTS §2), only the districts the demo draws from: a few
    hundred thousand of its 2.6M rows."""
    from ..paths import reference_dir

    path = reference_dir() / "postcodes.parquet"
    if not path.exists():
        raise CwbError(f"the demo draws real postcodes from {path}; run `cwb reference build` first")
    wanted = sorted(set(LANCASHIRE) | set(OUTSIDE_HUBS))
    return pd.read_parquet(path, columns=["postcode", "lad_code", "terminated"], filters=[("lad_code", "in", wanted)])


def _postcode_pools(postcodes: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    wanted = sorted(set(LANCASHIRE) | set(OUTSIDE_HUBS))
    if postcodes is None:
        postcodes = demo_postcodes()
    frame = postcodes[["postcode", "lad_code"] + (["terminated"] if "terminated" in postcodes else [])]
    frame = frame[frame["lad_code"].isin(wanted)]
    if "terminated" in frame:
        frame = frame[~frame["terminated"].fillna(False).astype(bool)]
    frame = frame[frame["postcode"].notna() & frame["lad_code"].notna()]
    frame = frame.astype({"postcode": str, "lad_code": str})
    pools = {
        "place": frame[frame["lad_code"] == PRESTON],
        "wider": frame[frame["lad_code"].isin(LANCASHIRE) & (frame["lad_code"] != PRESTON)],
        "outside": frame[frame["lad_code"].isin(OUTSIDE_HUBS)],
    }
    for geo, pool in pools.items():
        if len(pool) < POOL_SIZE[geo]:
            raise CwbError(
                f"the postcode lookup has too few live postcodes for the demo's {geo} suppliers "
                "(run `cwb reference build`)"
            )
    # Sorted so that the seeded draw does not depend on the lookup's row order.
    return {g: p.sort_values("postcode").reset_index(drop=True) for g, p in pools.items()}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_suppliers(postcodes: pd.DataFrame | None = None, seed: int = SEED) -> pd.DataFrame:
    """The synthetic supplier pools: name, real postcode, SIC code, type, where they are."""
    rng = np.random.default_rng(seed)
    pools = _postcode_pools(postcodes)
    rows, used = [], set()
    stems = list(STEMS)
    for geo in ("place", "wider", "outside", "landlord"):
        pool = pools["place" if geo == "landlord" else geo]
        if geo == "outside":
            # Weighted by hub, so leaked spend sits mostly in London, Manchester, Leeds, ...
            hubs = [h for h in OUTSIDE_HUBS if (pool["lad_code"] == h).any()]
            hub_w = np.array([OUTSIDE_HUBS[h] for h in hubs], dtype=float)
            chosen_hubs = rng.choice(hubs, size=POOL_SIZE[geo], p=hub_w / hub_w.sum())
            by_hub = {h: idx.to_numpy() for h, idx in pool.groupby("lad_code").groups.items()}
            picks = [int(rng.choice(np.sort(by_hub[hub]))) for hub in chosen_hubs]
        else:
            picks = rng.choice(len(pool), size=POOL_SIZE[geo], replace=False).tolist()
        mix = SIZE_MIX.get(geo, {"sme": 1.0})
        kinds = rng.choice(list(mix), size=POOL_SIZE[geo], p=np.array(list(mix.values())) / sum(mix.values()))
        for i, (pick, kind) in enumerate(zip(picks, kinds)):
            trades = (
                LANDLORD_TRADES
                if geo == "landlord"
                else {"vcse": VCSE_TRADES, "utility": UTILITY_TRADES}.get(kind, TRADES)
            )
            sic, trade, expense = trades[int(rng.integers(len(trades)))]
            suffix = {
                "sme": "Ltd",
                "large": "plc" if rng.random() < 0.4 else "Group Ltd",
                "vcse": "CIC",
                "utility": "plc",
            }[kind]
            # Unique by the matching key, not the spelling: `X Ltd` and `X plc` are one supplier
            # to resolution, and two demo suppliers must never merge.
            while True:
                stem = stems[int(rng.integers(len(stems)))]
                name = " ".join(x for x in ("Demo", stem, trade, suffix) if x)
                if normalise_name(name) not in used:
                    break
                stem2 = stems[int(rng.integers(len(stems)))]
                name = " ".join(x for x in ("Demo", stem, stem2, trade, suffix) if x)
                if normalise_name(name) not in used:
                    break
            used.add(normalise_name(name))
            rows.append(
                {
                    "pool": geo,
                    "pool_index": i,
                    "supplier_name": name,
                    "company_number": f"ZZ{len(rows) + 1:06d}",
                    "postcode": pool.at[pick, "postcode"],
                    "lad_code": pool.at[pick, "lad_code"],
                    "sic_code": sic,
                    "supplier_type": "large" if kind == "utility" else kind,
                    "expense_type": expense,
                }
            )
    return pd.DataFrame(rows)


# Companies House BasicCompanyData as published; the demo fills the columns resolution reads.
CH_HEADER = COMPANIES_HOUSE_HEADER
_ACCOUNTS = {
    "sme": ["MICRO ENTITY", "SMALL", "TOTAL EXEMPTION FULL", "MEDIUM"],
    "large": ["FULL", "GROUP"],
    "vcse": ["SMALL", "MICRO ENTITY"],
}
_CATEGORY = {"sme": "Private Limited Company", "large": "Private Limited Company", "vcse": "Community Interest Company"}


def companies_house_file(suppliers: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """The demo's companies (every `Demo` supplier) as a BasicCompanyData file, so that
    resolution finds their SIC code and size by company number, exactly as with the real file.
    Numbers carry the prefix `ZZ`, which Companies House does not use: no real company matches."""
    rng = np.random.default_rng(seed + 2)
    try:
        from ..reference import load_sic

        sic = load_sic()
        described = dict(zip(sic["sic_code"].astype(str), sic["sic_description"].astype(str)))
    except Exception:  # noqa: BLE001 - the description is decoration; the code is what is read
        described = {}
    rows = []
    for sup in suppliers[suppliers["company_number"].notna()].itertuples(index=False):
        row = dict.fromkeys((h.strip() for h in CH_HEADER), "")
        kind = sup.supplier_type
        category = "Public Limited Company" if sup.supplier_name.endswith("plc") else _CATEGORY[kind]
        row.update(
            {
                "CompanyName": sup.supplier_name.upper(),
                "CompanyNumber": sup.company_number,
                "RegAddress.PostCode": sup.postcode,
                "RegAddress.Country": "United Kingdom",
                "CompanyCategory": category,
                "CompanyStatus": "Active",
                "CountryOfOrigin": "United Kingdom",
                "Accounts.AccountCategory": _ACCOUNTS[kind][int(rng.integers(len(_ACCOUNTS[kind])))],
                "SICCode.SicText_1": f"{sup.sic_code} - {described.get(sup.sic_code, 'see SIC 2007')}",
            }
        )
        rows.append([row[h.strip()] for h in CH_HEADER])
    return pd.DataFrame(rows, columns=CH_HEADER)


def _financial_year_dates(year: str, n: int, rng: np.random.Generator) -> list[dt.date]:
    start = dt.date(int(year[:4]), 4, 1)
    days = (dt.date(int(year[:4]) + 1, 4, 1) - start).days
    return [start + dt.timedelta(days=int(d)) for d in np.sort(rng.integers(0, days, size=n))]


def on_top_lines(suppliers: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """What each ledger holds beyond the procurement base, a line per payee and year: `ON_TOP`,
    housing benefit to the Demo landlords, rate refunds to Demo firms in Preston, and the
    redacted payments to individuals (`supplier_name` None). Columns: anchor, financial_year,
    supplier_name, pence, expense_type, payments (a year; None: one per £80k)."""
    rng = np.random.default_rng(seed + 3)
    out = [(t.anchor, y, t.payee, int(p), t.expense, t.payments) for t in ON_TOP for y, p in t.pence.items()]
    landlords = suppliers[suppliers["pool"] == "landlord"]
    for year in YEARS:
        weights = rng.uniform(0.5, 1.5, len(landlords))
        for name, pence in zip(landlords["supplier_name"], _split(HOUSING_BENEFIT[year], weights)):
            out.append((PCC, year, name, int(pence), "Housing Benefit Payments to Landlords", 12))
        lo, hi = ACTIVE["place"][year]
        firms = suppliers[(suppliers["pool"] == "place") & suppliers["pool_index"].between(lo, hi - 1)]
        picked = firms.iloc[np.sort(rng.choice(len(firms), size=RATE_REFUNDED, replace=False))]
        for name, pence in zip(
            picked["supplier_name"], _split(RATE_REFUNDS[year], rng.uniform(0.2, 1.8, RATE_REFUNDED))
        ):
            out.append((PCC, year, name, int(pence), "NNDR Refunds", 1))
        for anchor in ANCHORS:
            if anchor.individuals:
                people = _split(
                    int(rng.integers(400_00, 2_500_00)) * anchor.individuals, rng.uniform(0.5, 1.5, anchor.individuals)
                )
                out += [(anchor.name, year, None, int(p), "Payments to Individuals", 1) for p in people]
    return pd.DataFrame(out, columns=["anchor", "financial_year", "supplier_name", "pence", "expense_type", "payments"])


def make_payments(suppliers: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Every synthetic payment: anchor, year, supplier, date, amount (pence), expense type. The
    base pools' payments add up to the published totals exactly (`_allocate`); `on_top_lines`
    come on top of them."""
    rng = np.random.default_rng(seed + 1)
    out = []
    for year in YEARS:
        alloc = _allocate(year).set_index("anchor")
        for anchor in ANCHORS:
            for geo in ("place", "wider", "outside"):
                amount = int(alloc.at[anchor.name, geo])
                lo, hi = ACTIVE[geo][year]
                pool = suppliers[(suppliers["pool"] == geo) & suppliers["pool_index"].between(lo, hi - 1)]
                # Bigger anchors buy from more of the pool; a long tail, as real ledgers show.
                k = int(np.clip(amount / (1_500_000_00 if geo == "outside" else 400_000_00), 6, len(pool)))
                chosen = pool.iloc[np.sort(rng.choice(len(pool), size=k, replace=False))]
                weights = rng.pareto(1.3, size=k) + 0.05
                weights = np.where(chosen["supplier_type"].to_numpy() == "large", weights * 3, weights)
                for (_, sup), pence in zip(chosen.iterrows(), _split(amount, weights)):
                    if pence > 0:
                        out.append((anchor.name, year, sup["supplier_name"], int(pence), sup["expense_type"], None))
    frame = pd.DataFrame(
        out, columns=["anchor", "financial_year", "supplier_name", "pence", "expense_type", "payments"]
    )
    frame = pd.concat([frame, on_top_lines(suppliers, seed)], ignore_index=True)
    rows = []
    for anchor, year, name, pence, expense, n in frame.itertuples(index=False):
        if n is None or pd.isna(n):
            n = int(np.clip(round(pence / PAYMENT_SIZE), 1, 36))
        parts = _split(pence, rng.uniform(0.3, 1.7, int(n)))
        for date, part in zip(_financial_year_dates(year, int(n), rng), parts):
            rows.append((anchor, year, name, date, int(part), expense))
    columns = ["anchor", "financial_year", "supplier_name", "payment_date", "amount_pence", "expense_type"]
    payments = pd.DataFrame(rows, columns=columns)
    payments = payments.sort_values(["anchor", "payment_date", "amount_pence"], kind="stable").reset_index(drop=True)
    return payments


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def demo_dir() -> Path:
    from ..paths import processed_dir

    return processed_dir() / "demo" / DEMO_SLUG


def write_demo(out_dir: str | Path | None = None, postcodes: pd.DataFrame | None = None, seed: int = SEED) -> Path:
    """Write the synthetic ledgers, creditor files and crosswalk (deterministic for a seed and a
    postcode lookup). Layout: `ledgers/<anchor>/<anchor>-<year>-SYNTHETIC.csv`,
    `creditors/<anchor>.csv`, `crosswalk.csv`, `companies.csv`, `generator.json`, `README.txt`."""
    out = Path(out_dir) if out_dir else demo_dir()
    suppliers = make_suppliers(postcodes, seed)
    payments = make_payments(suppliers, seed)
    by_name = suppliers.set_index("supplier_name")
    postcode_of = {**{t.payee: t.postcode or "" for t in ON_TOP}, **by_name["postcode"].to_dict()}
    for anchor in ANCHORS:
        ledger_dir = out / "ledgers" / anchor.slug
        ledger_dir.mkdir(parents=True, exist_ok=True)
        mine = payments[payments["anchor"] == anchor.name]
        names = sorted(n for n in mine["supplier_name"].dropna().unique())
        ids = {n: f"{anchor.code}{i:05d}" for i, n in enumerate(names, start=10001)}
        for year in YEARS:
            rows = mine[mine["financial_year"] == year].reset_index(drop=True)
            is_person = rows["supplier_name"].isna()
            ledger = pd.DataFrame(
                {
                    "Body Name": anchor.name,
                    "Payment Date": [d.strftime("%d/%m/%Y") for d in rows["payment_date"]],
                    "Transaction Number": [f"{anchor.code}-{year[:4]}-{i:06d}" for i in range(1, len(rows) + 1)],
                    "Net Amount": [_pounds(p) for p in rows["amount_pence"]],
                    "Supplier Name": rows["supplier_name"].where(~is_person, REDACTED),
                    "Supplier ID": rows["supplier_name"].map(ids).where(~is_person, ""),
                    "Expense Type": rows["expense_type"],
                    "Service Area": "SYNTHETIC DEMO",
                }
            )
            ledger.to_csv(
                ledger_dir / f"{anchor.slug}-{year.replace('/', '-')}-SYNTHETIC.csv", index=False, lineterminator="\n"
            )
        creditors = pd.DataFrame(
            {
                "Supplier ID": [ids[n] for n in names],
                "Supplier Name": names,
                "Postcode": [postcode_of[n] for n in names],
            }
        )
        (out / "creditors").mkdir(parents=True, exist_ok=True)
        creditors.to_csv(out / "creditors" / f"{anchor.slug}.csv", index=False, lineterminator="\n")
    used = suppliers[suppliers["supplier_name"].isin(payments["supplier_name"].dropna())].sort_values("supplier_name")
    crosswalk = used[["supplier_name", "company_number", "postcode", "supplier_type", "sic_code"]]
    crosswalk.to_csv(out / "crosswalk.csv", index=False, lineterminator="\n")
    companies_house_file(used, seed).to_csv(out / "companies.csv", index=False, lineterminator="\n")
    (out / STAMP).write_text(json.dumps({"generator": generator_key(seed), "seed": seed}) + "\n", encoding="utf-8")
    (out / "README.txt").write_text(
        "SYNTHETIC DEMONSTRATION DATA - NOT REAL PAYMENTS.\n"
        f"Written by `cwb demo` (cwbtools.city.demo, seed {seed}). Ledgers for the six anchors of the CLES 2012/13\n"
        "Preston study: their procurement is calibrated to the totals CLES and Preston City Council\n"
        "published; payments to public bodies, HMRC, the pension fund, precepts, housing benefit and\n"
        "individuals come on top, as in a real ledger (illustrative amounts). Supplier names are invented\n"
        "(all begin 'Demo'); their postcodes are real, drawn from the ONS postcode lookup. Public bodies\n"
        "are real ones under their register names. See docs/DEMO.md.\n",
        encoding="utf-8",
    )
    return out


def generator_key(seed: int = SEED) -> str:
    """What the demo files depend on: this module and its calibration, the seed and the reference tables it reads."""
    from ..paths import reference_dir

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(__file__).with_name("demo_calibration.py").read_bytes())
    h.update(str(seed).encode())
    try:
        state = json.loads((reference_dir() / "build_state.json").read_text())
        h.update(json.dumps([state.get(k, {}).get("fingerprint") for k in ("postcodes", "sic")]).encode())
    except (OSError, ValueError, AttributeError):
        pass
    return h.hexdigest()[:16]


def _written_by_this_generator(out: Path) -> bool:
    try:
        return json.loads((out / STAMP).read_text())["generator"] == generator_key()
    except (OSError, ValueError, KeyError, TypeError):
        return False


def ensure_demo(config=None) -> Path | None:
    """Write the demo ledgers where the demo config expects them, unless this generator wrote them
    there already: ledgers an older generator wrote would silently give its figures. Any other
    synthetic config brings its own inputs."""
    missing = config.missing_inputs(optional=False) if config is not None else []
    if config is not None and config.slug != DEMO_SLUG:
        if not missing:
            return None
        raise CwbError(
            f"{config.source_path}: synthetic config {config.slug!r} has missing inputs and "
            f"only the {DEMO_SLUG!r} demo can be generated: " + "; ".join(missing)
        )
    out = demo_dir()
    if config is None or missing or not _written_by_this_generator(out):
        write_demo(out)
    return out
