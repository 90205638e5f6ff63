"""The Preston demo: SYNTHETIC ledgers for the six anchors of the CLES 2012/13 study.

What is real: the method, the suppliers' postcodes (drawn, seeded, from the ONS postcode lookup:
inside Preston, elsewhere in Lancashire, elsewhere in the UK), the SIC codes, and the totals CLES
(2012/13) and Preston City Council (2016/17) published. What is synthetic: every ledger line,
every supplier name (all start with `Demo`, so none can be mistaken for a real firm), and every
split below the published totals (per anchor, sector, size, deprivation), which is illustrative.

The ledgers are written as transparency-code CSVs with per-anchor creditor files and a crosswalk,
and go through the same ingest, resolution and analysis as real data. The amounts are allocated in
whole pence so that the pipeline reproduces the published totals exactly. See docs/DEMO.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CwbError
from ..identifiers import supplier_name as normalise_name

DEMO_SLUG = "preston-demo"
SEED = 20130331
YEARS = ["2012/13", "2016/17"]
PRESTON = "E07000123"
# Lancashire County Council's twelve districts: CLES's "Lancashire" for Preston.
LANCASHIRE = [
    "E07000117",
    "E07000118",
    "E07000119",
    "E07000120",
    "E07000121",
    "E07000122",
    "E07000123",
    "E07000124",
    "E07000125",
    "E07000126",
    "E07000127",
    "E07000128",
]
# Where leaked spend goes, weighted towards the big cities where national suppliers sit.
OUTSIDE_HUBS = {
    "E09000001": 6,
    "E09000033": 8,
    "E08000003": 8,
    "E08000035": 5,
    "E08000025": 5,
    "E08000012": 4,
    "E06000023": 3,
    "E08000019": 3,
    "E06000008": 3,
    "E06000009": 3,
    "E08000001": 2,
    "E08000010": 2,
    "E06000049": 1,
    "E06000018": 2,
    "E08000021": 2,
    "E07000178": 1,
    "S12000049": 1,
    "W06000015": 1,
}

# Published figures (pence). 2012/13: CLES; 2016/17: Preston City Council / CLES.
PUBLISHED = {
    "2012/13": {"total": 750_000_000_00, "place": 38_300_000_00, "wider": 292_000_000_00},
    "2016/17": {"total": 617_000_000_00, "place": 112_300_000_00, "wider": 488_700_000_00},
}


@dataclass(frozen=True)
class DemoAnchor:
    name: str
    slug: str
    code: str
    total: dict[str, int]  # pence per year (illustrative split of the published total)
    place_weight: dict[str, float]  # share of its spend in Preston, before scaling to the total
    wider_weight: dict[str, float]  # share in the rest of Lancashire, before scaling
    individuals: int = 0  # payments to individuals per year (unlocated, never named)


M = 100_000_000  # £1m in pence
ANCHORS = [
    DemoAnchor(
        "Preston City Council",
        "preston-city-council",
        "PCC",
        {"2012/13": 52 * M, "2016/17": 50 * M},
        {"2012/13": 0.20, "2016/17": 0.35},
        {"2012/13": 0.25, "2016/17": 0.45},
        individuals=5,
    ),
    DemoAnchor(
        "Lancashire County Council",
        "lancashire-county-council",
        "LCC",
        {"2012/13": 560 * M, "2016/17": 447 * M},
        {"2012/13": 0.03, "2016/17": 0.15},
        {"2012/13": 0.36, "2016/17": 0.62},
        individuals=8,
    ),
    DemoAnchor(
        "Lancashire Constabulary",
        "lancashire-constabulary",
        "LC",
        {"2012/13": 72 * M, "2016/17": 64 * M},
        {"2012/13": 0.05, "2016/17": 0.15},
        {"2012/13": 0.30, "2016/17": 0.60},
        individuals=3,
    ),
    DemoAnchor(
        "Preston's College",
        "prestons-college",
        "PRC",
        {"2012/13": 19 * M, "2016/17": 13 * M},
        {"2012/13": 0.12, "2016/17": 0.30},
        {"2012/13": 0.25, "2016/17": 0.50},
    ),
    DemoAnchor(
        "Cardinal Newman College",
        "cardinal-newman-college",
        "CNC",
        {"2012/13": 7 * M, "2016/17": 6 * M},
        {"2012/13": 0.10, "2016/17": 0.25},
        {"2012/13": 0.25, "2016/17": 0.50},
    ),
    DemoAnchor(
        "Community Gateway Association",
        "community-gateway-association",
        "CGA",
        {"2012/13": 40 * M, "2016/17": 37 * M},
        {"2012/13": 0.15, "2016/17": 0.35},
        {"2012/13": 0.35, "2016/17": 0.50},
        individuals=4,
    ),
]

# (SIC 2007 code, trade words, expense type). Real codes; the mix is illustrative.
TRADES = [
    ("41201", "Construction", "Capital Works"),
    ("43220", "Plumbing and Heating", "Repairs and Maintenance"),
    ("43210", "Electrical Contractors", "Repairs and Maintenance"),
    ("43390", "Building Finishers", "Repairs and Maintenance"),
    ("43999", "Roofing", "Repairs and Maintenance"),
    ("56290", "Catering", "Catering"),
    ("81210", "Cleaning Services", "Cleaning"),
    ("81300", "Grounds Maintenance", "Grounds Maintenance"),
    ("62020", "IT Services", "ICT"),
    ("69102", "Solicitors", "Legal Fees"),
    ("70229", "Consulting", "Consultancy"),
    ("71111", "Architects", "Professional Fees"),
    ("71122", "Engineering Consultants", "Professional Fees"),
    ("49410", "Haulage", "Transport"),
    ("49390", "Coaches", "Transport"),
    ("38110", "Waste Management", "Waste Disposal"),
    ("18129", "Printers", "Printing and Stationery"),
    ("80100", "Security", "Security"),
    ("81100", "Facilities Management", "Premises"),
    ("45200", "Vehicle Repairs", "Vehicle Maintenance"),
    ("46900", "Wholesale Supplies", "Supplies and Services"),
    ("78200", "Recruitment", "Agency Staff"),
    ("85590", "Training", "Training"),
    ("87900", "Residential Care", "Social Care Placements"),
    ("88100", "Home Care", "Social Care Placements"),
    ("47410", "Office Technology", "ICT Equipment"),
]
VCSE_TRADES = [
    ("88990", "Community Trust", "Voluntary Sector Grants"),
    ("94990", "Community Association", "Voluntary Sector Grants"),
    ("88100", "Care Cooperative", "Social Care Placements"),
    ("85590", "Learning Trust", "Training"),
]
PUBLIC_TRADES = [
    ("84110", "Borough Council", "Payments to Other Public Bodies"),
    ("86101", "NHS Foundation Trust", "Payments to Other Public Bodies"),
]
UTILITY_TRADES = [("35140", "Energy Supply", "Utilities - Electricity"), ("36000", "Water Supply", "Utilities - Water")]

STEMS = """Alder Ashworth Bamber Barton Beacon Birchall Bowland Brindle Brockholes Calder Carrfield
Castleford Cedar Claughton Clayhill Colne Croston Darwen Deepdale Dunsop Eaves Elmridge Fairhaven
Farington Fernlea Fishwick Forton Garstang Gisburn Goosnargh Grimsargh Hambleton Hawthorne Heapey
Hesketh Holme Hoghton Inglewhite Ingol Kirkland Langho Larkhill Lea Longridge Lostock Lune Marsh
Mellor Millbrook Moorside Nateby Newsham Oakenclough Orrell Parbold Pendle Penwortham Pilling
Preesall Quernmore Ribbleton Ribchester Rivington Roach Rufford Salwick Samlesbury Scorton
Silverdale Slaidburn Staining Stonyhurst Sunderland Tarleton Thornley Tockholes Tunstead Ulnes
Walmer Warton Whalley Wharles Whitestake Whittle Winmarleigh Withnell Woodplumpton Wrea Wyre
Yealand""".split()

SIZE_MIX = {  # supplier type shares by where the supplier is (illustrative)
    "place": {"sme": 0.68, "vcse": 0.16, "large": 0.08, "public": 0.08},
    "wider": {"sme": 0.56, "vcse": 0.10, "large": 0.24, "public": 0.10},
    "outside": {"sme": 0.28, "vcse": 0.04, "large": 0.60, "public": 0.05, "utility": 0.03},
}
POOL_SIZE = {"place": 320, "wider": 560, "outside": 620}
# Which of each pool trade in each year: suppliers lost after 2012/13 and gained by 2016/17.
ACTIVE = {
    "place": {"2012/13": (0, 200), "2016/17": (45, 320)},
    "wider": {"2012/13": (0, 430), "2016/17": (60, 560)},
    "outside": {"2012/13": (0, 620), "2016/17": (30, 600)},
}
REDACTED = "Redacted personal data"
PAYMENT_SIZE = 80_000_00  # about one payment per £80k of a supplier's year, 1 to 36 a year


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
    for geo in ("place", "wider", "outside"):
        pool = pools[geo]
        if geo == "outside":
            # Weighted by hub, so leaked spend sits mostly in London, Manchester, Leeds, ...
            hubs = [h for h in OUTSIDE_HUBS if (pool["lad_code"] == h).any()]
            hub_w = np.array([OUTSIDE_HUBS[h] for h in hubs], dtype=float)
            chosen_hubs = rng.choice(hubs, size=POOL_SIZE[geo], p=hub_w / hub_w.sum())
            by_hub = {h: idx.to_numpy() for h, idx in pool.groupby("lad_code").groups.items()}
            picks = [int(rng.choice(np.sort(by_hub[hub]))) for hub in chosen_hubs]
        else:
            picks = rng.choice(len(pool), size=POOL_SIZE[geo], replace=False).tolist()
        mix = SIZE_MIX[geo]
        kinds = rng.choice(list(mix), size=POOL_SIZE[geo], p=np.array(list(mix.values())) / sum(mix.values()))
        for i, (pick, kind) in enumerate(zip(picks, kinds)):
            trades = {"vcse": VCSE_TRADES, "public": PUBLIC_TRADES, "utility": UTILITY_TRADES}.get(kind, TRADES)
            sic, trade, expense = trades[int(rng.integers(len(trades)))]
            suffix = {
                "sme": "Ltd",
                "large": "plc" if rng.random() < 0.4 else "Group Ltd",
                "vcse": "CIC",
                "public": "",
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
                    "company_number": None if kind == "public" else f"ZZ{len(rows) + 1:06d}",
                    "postcode": pool.at[pick, "postcode"],
                    "lad_code": pool.at[pick, "lad_code"],
                    "sic_code": sic,
                    "supplier_type": "large" if kind == "utility" else kind,
                    "expense_type": expense,
                }
            )
    return pd.DataFrame(rows)


# Companies House BasicCompanyData, as published (leading spaces included); the demo fills the
# columns resolution reads and leaves the rest blank.
CH_HEADER = (
    [
        "CompanyName",
        " CompanyNumber",
        "RegAddress.CareOf",
        "RegAddress.POBox",
        "RegAddress.AddressLine1",
        " RegAddress.AddressLine2",
        "RegAddress.PostTown",
        "RegAddress.County",
        "RegAddress.Country",
        "RegAddress.PostCode",
        "CompanyCategory",
        "CompanyStatus",
        "CountryOfOrigin",
        "DissolutionDate",
        "IncorporationDate",
        "Accounts.AccountRefDay",
        "Accounts.AccountRefMonth",
        "Accounts.NextDueDate",
        "Accounts.LastMadeUpDate",
        "Accounts.AccountCategory",
        "Returns.NextDueDate",
        "Returns.LastMadeUpDate",
        "Mortgages.NumMortCharges",
        "Mortgages.NumMortOutstanding",
        "Mortgages.NumMortPartSatisfied",
        "Mortgages.NumMortSatisfied",
        "SICCode.SicText_1",
        "SICCode.SicText_2",
        "SICCode.SicText_3",
        "SICCode.SicText_4",
        "LimitedPartnerships.NumGenPartners",
        "LimitedPartnerships.NumLimPartners",
        "URI",
    ]
    + [f" PreviousName_{i}.{f}" for i in range(1, 11) for f in ("CONDATE", "CompanyName")]
    + [" ConfStmtNextDueDate", " ConfStmtLastMadeUpDate"]
)
CH_HEADER = [h if h.startswith(" ") or h == "CompanyName" else " " + h for h in CH_HEADER]
_ACCOUNTS = {
    "sme": ["MICRO ENTITY", "SMALL", "TOTAL EXEMPTION FULL", "MEDIUM"],
    "large": ["FULL", "GROUP"],
    "vcse": ["SMALL", "MICRO ENTITY"],
}
_CATEGORY = {"sme": "Private Limited Company", "large": "Private Limited Company", "vcse": "Community Interest Company"}


def companies_house_file(suppliers: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """The demo's companies (every supplier but public bodies) as a BasicCompanyData file, so that
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


def make_payments(suppliers: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Every synthetic payment: anchor, year, supplier, date, amount (pence), reference."""
    rng = np.random.default_rng(seed + 1)
    out = []
    for year in YEARS:
        alloc = _allocate(year).set_index("anchor")
        for anchor in ANCHORS:
            for geo in ("place", "wider", "outside"):
                amount = int(alloc.at[anchor.name, geo])
                if geo == "outside" and anchor.individuals:
                    # Small payments to individuals come out of the anchor's leakage: they are
                    # unlocated, and CLES's leakage is everything not with a Lancashire supplier.
                    ind = _split(
                        int(rng.integers(400_00, 2_500_00)) * anchor.individuals,
                        rng.uniform(0.5, 1.5, anchor.individuals),
                    )
                    for pence in ind:
                        out.append((anchor.name, year, None, int(pence)))
                    amount -= int(ind.sum())
                lo, hi = ACTIVE[geo][year]
                pool = suppliers[(suppliers["pool"] == geo) & suppliers["pool_index"].between(lo, hi - 1)]
                # Bigger anchors buy from more of the pool; a long tail, as real ledgers show.
                k = int(np.clip(amount / (1_500_000_00 if geo == "outside" else 400_000_00), 6, len(pool)))
                chosen = pool.iloc[np.sort(rng.choice(len(pool), size=k, replace=False))]
                weights = rng.pareto(1.3, size=k) + 0.05
                weights = np.where(chosen["supplier_type"].to_numpy() == "large", weights * 3, weights)
                for (_, sup), pence in zip(chosen.iterrows(), _split(amount, weights)):
                    if pence > 0:
                        out.append((anchor.name, year, sup["supplier_name"], int(pence)))
    frame = pd.DataFrame(out, columns=["anchor", "financial_year", "supplier_name", "pence"])
    rows = []
    for anchor, year, name, pence in frame.itertuples(index=False):
        n = 1 if name is None else int(np.clip(round(pence / PAYMENT_SIZE), 1, 36))
        parts = _split(pence, rng.uniform(0.3, 1.7, n))
        for date, part in zip(_financial_year_dates(year, n, rng), parts):
            rows.append((anchor, year, name, date, int(part)))
    payments = pd.DataFrame(rows, columns=["anchor", "financial_year", "supplier_name", "payment_date", "amount_pence"])
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
    `creditors/<anchor>.csv`, `crosswalk.csv`, `README.txt`."""
    out = Path(out_dir) if out_dir else demo_dir()
    suppliers = make_suppliers(postcodes, seed)
    payments = make_payments(suppliers, seed)
    by_name = suppliers.set_index("supplier_name")
    for anchor in ANCHORS:
        ledger_dir = out / "ledgers" / anchor.slug
        ledger_dir.mkdir(parents=True, exist_ok=True)
        mine = payments[payments["anchor"] == anchor.name]
        names = sorted(n for n in mine["supplier_name"].dropna().unique())
        ids = {n: f"{anchor.code}{i:05d}" for i, n in enumerate(names, start=10001)}
        for year in YEARS:
            rows = mine[mine["financial_year"] == year].reset_index(drop=True)
            is_person = rows["supplier_name"].isna()
            expense = rows["supplier_name"].map(by_name["expense_type"]).fillna("Payments to Individuals")
            ledger = pd.DataFrame(
                {
                    "Body Name": anchor.name,
                    "Payment Date": [d.strftime("%d/%m/%Y") for d in rows["payment_date"]],
                    "Transaction Number": [f"{anchor.code}-{year[:4]}-{i:06d}" for i in range(1, len(rows) + 1)],
                    "Net Amount": [_pounds(p) for p in rows["amount_pence"]],
                    "Supplier Name": rows["supplier_name"].where(~is_person, REDACTED),
                    "Supplier ID": rows["supplier_name"].map(ids).where(~is_person, ""),
                    "Expense Type": expense,
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
                "Postcode": [by_name.at[n, "postcode"] for n in names],
            }
        )
        (out / "creditors").mkdir(parents=True, exist_ok=True)
        creditors.to_csv(out / "creditors" / f"{anchor.slug}.csv", index=False, lineterminator="\n")
    used = suppliers[suppliers["supplier_name"].isin(payments["supplier_name"].dropna())].sort_values("supplier_name")
    crosswalk = used[["supplier_name", "company_number", "postcode", "supplier_type", "sic_code"]]
    crosswalk.to_csv(out / "crosswalk.csv", index=False, lineterminator="\n")
    companies_house_file(used, seed).to_csv(out / "companies.csv", index=False, lineterminator="\n")
    (out / "README.txt").write_text(
        "SYNTHETIC DEMONSTRATION DATA - NOT REAL PAYMENTS.\n"
        f"Written by `cwb demo` (cwbtools.city.demo, seed {seed}). Ledgers for the six anchors of the CLES 2012/13\n"
        "Preston study, calibrated to the totals CLES and Preston City Council published. Supplier names\n"
        "are invented (all begin 'Demo'); their postcodes are real, drawn from the ONS postcode lookup.\n"
        "See docs/DEMO.md.\n",
        encoding="utf-8",
    )
    return out


def ensure_demo(config=None) -> Path:
    """Write the demo ledgers where the demo config expects them, unless they are there already."""
    if config is not None and config.slug != DEMO_SLUG:
        raise CwbError(
            f"{config.source_path}: synthetic config {config.slug!r} has missing inputs and "
            f"only the {DEMO_SLUG!r} demo can be generated: " + "; ".join(config.missing_inputs(optional=False))
        )
    out = demo_dir()
    if config is None or config.missing_inputs(optional=False):
        write_demo(out)
    return out
