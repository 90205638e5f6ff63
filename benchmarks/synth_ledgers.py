"""SYNTHETIC spend ledgers for benchmarks. Nothing written here is real data.

Every file this script writes has `SYNTHETIC` in its name and every anchor is called
`Synthetic Council NNN`, so a generated ledger can never be mistaken for a published one.

The ledgers are shaped like the real ones in `shared/data/spend/`:

- three header layouts, assigned per anchor: Hyndburn (`Net Amount(£)` header in cp1252, quoted
  amounts with thousands separators, `dd/mm/yyyy`), Oxford (`Body Name, ... Supplier Name`, plain
  amounts, `Redacted personal data` payees) and Greater Manchester (ISO dates, company and charity
  numbers, primary SIC);
- supplier names drawn Zipf-like from one national pool (a few suppliers take most payments, a long
  tail), half of each anchor's draws re-ranked so every anchor has its own local favourites;
- log-normal amounts in pence above a publication threshold, about 2% credit notes (negative),
  about 1% payments to private individuals;
- payment dates spread over each UK financial year (April to March), one file per anchor and year.

It streams: each file is written in chunks of at most `--chunk` rows, so memory stays flat whatever
`--rows` is. Deterministic: the same `--seed` and sizes give byte-identical files.

    python benchmarks/synth_ledgers.py --rows 1000000 --anchors 50 --years 5 --out benchmarks/out/csv
    python benchmarks/synth_ledgers.py --rows 30000000 --format parquet --out benchmarks/out/pq

`--format parquet` skips the CSV stage and writes what ingest would hand on (CONTRACTS §1, plus a
`supplier_key` column) partitioned `transactions/anchor=<a>/financial_year=<y>/part-N.parquet`,
with a matching `suppliers.parquet` (CONTRACTS §3): the input of the out-of-core aggregates.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SYNTHETIC_TAG = "SYNTHETIC"
LAYOUTS = ("hyndburn", "oxford", "gm")
# Share of anchors publishing in each layout (Hyndburn-like district ledgers are the commonest).
LAYOUT_WEIGHTS = (0.5, 0.35, 0.15)

_HEADERS = {
    "hyndburn": [
        "Service Cost Centre",
        "Account Detail",
        "Description",
        "HBC ref no",
        "Name",
        "Payment date",
        "Net Amount(\u00a3)",
    ],
    "oxford": [
        "Body Name",
        "Organisational Unit",
        "Expenditure Category",
        "Expenditure Code",
        "Paid Date",
        "Trans No",
        "Amount",
        "Type",
        "Supplier ID",
        "Supplier Name",
    ],
    "gm": [
        "nwod_id_uri_code",
        "nwod_id",
        "org_short_name",
        "beneficiary_name",
        "payment_date",
        "amount",
        "clean_name",
        "naked_name",
        "company_name",
        "company_number",
        "charity_number",
        "sicc_int",
        "match_method",
    ],
}

_W1 = (
    "North",
    "Pennine",
    "Lancashire",
    "Mersey",
    "Thames",
    "Central",
    "Allied",
    "Premier",
    "United",
    "Crown",
    "Apex",
    "Summit",
    "Riverside",
    "Oak",
    "Beacon",
    "Phoenix",
    "Vale",
    "Meridian",
    "Atlas",
    "Kingfisher",
    "Red Rose",
    "Castle",
    "Bridgewater",
    "Eden",
    "Horizon",
    "Trinity",
    "Sterling",
    "Highland",
    "Westfield",
    "Brook",
    "Abbey",
    "Granite",
    "Harbour",
    "Saxon",
    "Victoria",
    "Albion",
    "Heritage",
    "Moorland",
    "Greenway",
    "Lakeside",
)
_W2 = (
    "Building",
    "Property",
    "Care",
    "Fleet",
    "Waste",
    "Digital",
    "Facilities",
    "Legal",
    "Catering",
    "Security",
    "Print",
    "Training",
    "Engineering",
    "Highways",
    "Energy",
    "Cleaning",
    "Recruitment",
    "Software",
    "Housing",
    "Transport",
    "Consulting",
    "Electrical",
    "Roofing",
    "Plumbing",
    "Landscapes",
    "Medical",
    "Office",
    "Signs",
    "Scaffolding",
    "Environmental",
)
_W3 = (
    "Services",
    "Solutions",
    "Supplies",
    "Contractors",
    "Group",
    "Partners",
    "Systems",
    "Associates",
    "Management",
    "Holdings",
    "Trading",
    "Maintenance",
    "Projects",
    "Direct",
    "Consultancy",
    "Works",
    "Networks",
    "Products",
    "Logistics",
    "Centre",
)
_SUFFIX = ("Ltd", "Limited", "Ltd", "Limited", "PLC", "LLP", "", "& Co", "CIC", "Trust")
_FIRST_INITIAL = tuple("ABCDEFGHJKLMNPRSTW")
_SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Wood",
    "Jackson",
    "Clarke",
    "Hussain",
    "Lewis",
    "Harris",
)
_SERVICE = (
    "ENVIRONMENTAL SERVICES",
    "POLICY, CULTURE AND COMMUNICATION",
    "HOUSING BENEFIT ADMIN",
    "WASTE SERVICES",
    "PARKS",
    "CENTRAL ADMIN",
    "REGENERATION",
    "LEISURE",
    "PLANNING",
    "ICT",
    "FINANCE",
    "LEGAL & DEMOCRATIC",
    "CAR PARKS",
    "MARKETS",
    "COMMUNITY SAFETY",
    "ADULT SOCIAL CARE",
    "CHILDREN'S SERVICES",
    "HIGHWAYS",
    "EDUCATION",
)
_CATEGORY = (
    "AGENCY STAFF",
    "HIRED VEHICLE",
    "SOFTWARE LICENCES",
    "BUILDING REPAIRS",
    "CONTRACT PAYMENTS",
    "TRAINING",
    "STATIONERY",
    "GRANTS",
    "ELECTRICITY",
    "CLEANING",
    "CONSULTANCY",
    "RESIDENTIAL CARE",
    "EQUIPMENT",
    "PROFESSIONAL FEES",
    "RENT",
    "VEHICLE REPAIRS",
    "CATERING",
    "SECURITY SERVICES",
    "POSTAGE",
    "INSURANCE",
)
_SIC_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRS")
_SUPPLIER_TYPES = ("sme", "large", "vcse", "public", "unknown")
_SUPPLIER_TYPE_P = (0.55, 0.15, 0.08, 0.07, 0.15)
_GEO_LADS = 330  # synthetic LAD codes E0X000001..: anchor i sits in LAD (i % _GEO_LADS)


@dataclass(frozen=True)
class Plan:
    rows: int
    anchors: int
    years: int
    first_year: int = 2019
    seed: int = 9
    suppliers: int = 0  # 0 = derived from rows
    zipf_s: float = 1.07
    credit_share: float = 0.02
    individual_share: float = 0.01
    chunk: int = 500_000

    @property
    def pool_size(self) -> int:
        if self.suppliers:
            return self.suppliers
        # Real district ledgers have a few thousand suppliers a year; nationally the tail is long.
        return int(min(1_000_000, max(2_000, self.rows // 40)))

    def rows_per_file(self, anchor: int, year: int) -> int:
        files = self.anchors * self.years
        base, extra = divmod(self.rows, files)
        return base + (1 if anchor * self.years + year < extra else 0)

    def fy_label(self, year: int) -> str:
        y = self.first_year + year
        return f"{y}/{(y + 1) % 100:02d}"

    def anchor_name(self, anchor: int) -> str:
        return f"Synthetic Council {anchor + 1:03d}"

    def layout(self, anchor: int) -> str:
        rng = np.random.default_rng([self.seed, anchor, 1])
        return LAYOUTS[int(rng.choice(len(LAYOUTS), p=LAYOUT_WEIGHTS))]


class SupplierPool:
    """The national pool of supplier names and what resolution would know about each."""

    def __init__(self, plan: Plan):
        n = plan.pool_size
        self.size = n
        rng = np.random.default_rng([plan.seed, 2])
        # Shuffled, so the national giants do not all share the first words of the list.
        idx = rng.permutation(n).astype(np.int64)
        a = idx % len(_W1)
        b = (idx // len(_W1)) % len(_W2)
        c = (idx // (len(_W1) * len(_W2))) % len(_W3)
        s = (idx // (len(_W1) * len(_W2) * len(_W3))) % len(_SUFFIX)
        # Beyond 240k combinations a trading-area token keeps every name distinct.
        tail = idx // (len(_W1) * len(_W2) * len(_W3) * len(_SUFFIX))
        parts = [
            pc.take(pa.array(_W1), pa.array(a)),
            pc.take(pa.array(_W2), pa.array(b)),
            pc.take(pa.array(_W3), pa.array(c)),
        ]
        tail_txt = pc.if_else(
            pc.equal(pa.array(tail), 0),
            "",
            pc.binary_join_element_wise("(", pc.cast(pa.array(tail), pa.string()), ")", ""),
        )
        names = pc.binary_join_element_wise(*parts, tail_txt, pc.take(pa.array(_SUFFIX), pa.array(s)), " ")
        self.names = pc.utf8_trim_whitespace(pc.replace_substring(names, "  ", " "))
        ranks = np.arange(1, n + 1, dtype=np.float64)
        w = ranks**-plan.zipf_s
        self.cdf = np.cumsum(w / w.sum())
        self.company_number = np.where(rng.random(n) < 0.7, rng.integers(1, 14_000_000, n), 0)
        self.charity = rng.random(n) < 0.06
        self.sic_section = rng.integers(0, len(_SIC_SECTIONS), n)
        self.supplier_type = rng.choice(len(_SUPPLIER_TYPES), size=n, p=_SUPPLIER_TYPE_P)
        # Most suppliers are found in some LAD; a quarter stay unlocated, as in real resolution.
        self.lad = np.where(rng.random(n) < 0.75, rng.integers(0, _GEO_LADS, n), -1)
        self.imd_decile = rng.integers(1, 11, n)

    def draw(self, rng: np.random.Generator, n: int, anchor: int) -> np.ndarray:
        rank = np.searchsorted(self.cdf, rng.random(n), side="right")
        rank = np.minimum(rank, self.size - 1)
        # Half the draws are re-ranked per anchor (an affine permutation of the pool) so each
        # anchor has local favourites as well as the national giants.
        local = rng.random(n) < 0.5
        mult = _coprime(self.size, 7919 + 2 * anchor)
        shifted = (rank * mult + anchor * 104_729) % self.size
        return np.where(local, shifted, rank)


def _coprime(n: int, start: int) -> int:
    k = start | 1
    while np.gcd(k, n) != 1:
        k += 2
    return k


def _lad_code(i: np.ndarray | int) -> np.ndarray:
    return np.char.add("E0S", np.char.zfill(np.asarray(i).astype(str), 6))


def _gbp_text(pence: np.ndarray, thousands: bool) -> pa.Array:
    """Pence -> `1234.50` or `1,234.50` (credits `-1,234.50`), vectorised in Arrow."""
    mag = np.abs(pence)
    pounds = mag // 100
    frac = pc.utf8_lpad(pc.cast(pa.array(mag % 100), pa.string()), 2, "0")
    if thousands:
        mill, thou, unit = pounds // 1_000_000, (pounds // 1000) % 1000, pounds % 1000
        unit_s = pc.cast(pa.array(unit), pa.string())
        thou_s = pc.cast(pa.array(thou), pa.string())
        mill_s = pc.cast(pa.array(mill), pa.string())
        unit_p = pc.utf8_lpad(unit_s, 3, "0")
        thou_p = pc.utf8_lpad(thou_s, 3, "0")
        whole = pc.if_else(
            pa.array(pounds >= 1_000_000),
            pc.binary_join_element_wise(mill_s, thou_p, unit_p, ","),
            pc.if_else(pa.array(pounds >= 1000), pc.binary_join_element_wise(thou_s, unit_p, ","), unit_s),
        )
    else:
        whole = pc.cast(pa.array(pounds), pa.string())
    text = pc.binary_join_element_wise(whole, frac, ".")
    return pc.if_else(pa.array(pence < 0), pc.binary_join_element_wise("-", text, ""), text)


def _dates(rng: np.random.Generator, n: int, fy_start: int) -> np.ndarray:
    start = np.datetime64(f"{fy_start}-04-01")
    days = (np.datetime64(f"{fy_start + 1}-04-01") - start).astype(int)
    return start + rng.integers(0, days, n).astype("timedelta64[D]")


@dataclass
class Chunk:
    supplier: np.ndarray
    individual: np.ndarray
    redacted: np.ndarray
    pence: np.ndarray
    dates: np.ndarray
    service: np.ndarray
    category: np.ndarray
    ref: np.ndarray


def _chunk(plan: Plan, pool: SupplierPool, anchor: int, year: int, part: int, n: int) -> Chunk:
    rng = np.random.default_rng([plan.seed, anchor, year, part, 3])
    supplier = pool.draw(rng, n, anchor)
    individual = rng.random(n) < plan.individual_share
    redacted = individual & (rng.random(n) < 0.4)
    # log-normal around £700, published above a £250 threshold; national suppliers bill bigger.
    pence = np.exp(rng.normal(np.log(70_000), 1.25, n)).astype(np.int64)
    pence = np.maximum(pence, 25_000) * np.where(supplier < 50, 4, 1)
    pence = np.where(individual, np.minimum(pence, 300_000), pence)
    pence = np.where(rng.random(n) < plan.credit_share, -pence, pence)
    dates = _dates(rng, n, plan.first_year + year)
    service = rng.integers(0, len(_SERVICE), n)
    category = rng.integers(0, len(_CATEGORY), n)
    ref = rng.integers(10_000_000, 99_999_999, n)
    return Chunk(supplier, individual, redacted, pence, dates, service, category, ref)


def _payee_names(plan: Plan, pool: SupplierPool, c: Chunk, layout: str, anchor: int) -> pa.Array:
    names = pc.take(pool.names, pa.array(c.supplier))
    if layout != "gm" and anchor % 2 == 0:
        names = pc.utf8_upper(names)  # half the councils publish in capitals
    n = len(c.supplier)
    person = pc.binary_join_element_wise(
        pc.take(pa.array(("Mr", "Mrs", "Ms", "Miss", "Dr")), pa.array(c.ref % 5)),
        pc.take(pa.array(_FIRST_INITIAL), pa.array(c.ref % len(_FIRST_INITIAL))),
        pc.take(pa.array(_SURNAMES), pa.array((c.ref // 7) % len(_SURNAMES))),
        " ",
    )
    marker = {"hyndburn": "REDACTED", "oxford": "Redacted personal data", "gm": "REDACTED"}[layout]
    names = pc.if_else(pa.array(c.individual), person, names)
    return pc.if_else(pa.array(c.redacted), pa.array([marker] * n), names)


def _csv_table(plan: Plan, pool: SupplierPool, c: Chunk, layout: str, anchor: int) -> pa.Table:
    n = len(c.pence)
    payee = _payee_names(plan, pool, c, layout, anchor)
    service = pc.take(pa.array(_SERVICE), pa.array(c.service))
    category = pc.take(pa.array(_CATEGORY), pa.array(c.category))
    ref_s = pc.cast(pa.array(c.ref), pa.string())
    if layout == "hyndburn":
        cols = [
            service,
            category,
            pc.utf8_upper(category),
            pc.binary_join_element_wise("B0000", ref_s, ""),
            payee,
            pc.strftime(pa.array(c.dates), "%d/%m/%Y"),
            _gbp_text(c.pence, thousands=True),
        ]
    elif layout == "oxford":
        sid = pc.cast(pa.array(20_000_000 + c.supplier), pa.string())
        sid = pc.if_else(pa.array(c.individual), pa.nulls(n, pa.string()), sid)
        cols = [
            pa.array([plan.anchor_name(anchor)] * n),
            service,
            category,
            pc.binary_join_element_wise("K", pc.cast(pa.array(c.category + 9500), pa.string()), ""),
            pc.strftime(pa.array(c.dates), "%d/%m/%Y"),
            pc.binary_join_element_wise(ref_s, "_1", ""),
            _gbp_text(c.pence, thousands=False),
            pc.take(pa.array(("Revenue", "Capital")), pa.array((c.ref % 9 == 0).astype(np.int8))),
            sid,
            payee,
        ]
    else:
        has_co = (pool.company_number[c.supplier] > 0) & ~c.individual
        co = pc.utf8_lpad(pc.cast(pa.array(pool.company_number[c.supplier]), pa.string()), 8, "0")
        co = pc.if_else(pa.array(has_co), co, pa.nulls(n, pa.string()))
        is_char = pool.charity[c.supplier] & ~c.individual
        charity = pc.if_else(
            pa.array(is_char),
            pc.binary_join_element_wise("CHC-", pc.cast(pa.array(200_000 + c.supplier % 900_000), pa.string()), ""),
            pa.nulls(n, pa.string()),
        )
        matched = has_co | is_char
        sic = pc.if_else(
            pa.array(has_co),
            pc.cast(pa.array(10_000 + (c.supplier * 37) % 86_000), pa.string()),
            pa.nulls(n, pa.string()),
        )
        upper = pc.utf8_upper(payee)
        cols = [
            pa.array([f"E0S{anchor:06d}           "] * n),
            pc.cast(pa.array(c.ref % 1000), pa.string()),
            pa.array([f"synthetic{anchor + 1:03d}"] * n),
            payee,
            pc.strftime(pa.array(c.dates), "%Y-%m-%d"),
            _gbp_text(c.pence, thousands=False),
            upper,
            upper,
            pc.if_else(pa.array(matched), upper, pa.nulls(n, pa.string())),
            co,
            charity,
            sic,
            pc.if_else(pa.array(matched), "3  ", "0  "),
        ]
    return pa.table(cols, names=[f"c{i}" for i in range(len(cols))])


def _file_name(plan: Plan, anchor: int, year: int) -> str:
    return f"{SYNTHETIC_TAG}_council{anchor + 1:03d}_{plan.fy_label(year).replace('/', '-')}.csv"


def _quoted(col: pa.Array) -> pa.Array:
    """Quote a text column only where a value holds a comma or quote, as spreadsheets export."""
    if not pa.types.is_string(col.type):
        col = pc.cast(col, pa.string())
    needs = pc.or_(pc.match_substring(col, ","), pc.match_substring(col, '"'))
    if not pc.any(needs).as_py():
        return col
    body = pc.replace_substring(col, '"', '""')
    return pc.if_else(needs, pc.binary_join_element_wise('"', body, '"', ""), col)


def _lines_bytes(table: pa.Table, eol: str) -> memoryview:
    """Rows joined into CSV text in Arrow (one contiguous buffer), nulls as empty fields.

    pyarrow's own CSV writer quotes every string; real ledgers quote only where needed.
    """
    cols = [_quoted(table.column(i).combine_chunks()) for i in range(table.num_columns)]
    joined = pc.binary_join_element_wise(*cols, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(joined, pa.array([eol] * len(joined)), "")
    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _line_ending(layout: str, anchor: int) -> str:
    # Some real Hyndburn downloads end lines with a bare CR; most ledgers use CRLF.
    if layout == "hyndburn":
        return "\r" if anchor % 3 == 0 else "\r\n"
    return "\r\n" if layout == "oxford" else "\n"


def write_csv(plan: Plan, out: Path, progress: bool = False) -> list[Path]:
    """Write one CSV per anchor and financial year under `out/SYNTHETIC_councilNNN/`; return paths."""
    pool = SupplierPool(plan)
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.txt").write_text(_readme(plan), encoding="utf-8")
    written: list[Path] = []
    for anchor in range(plan.anchors):
        layout = plan.layout(anchor)
        eol = _line_ending(layout, anchor)
        folder = anchor_folder(out, anchor)
        folder.mkdir(exist_ok=True)
        for year in range(plan.years):
            path = folder / _file_name(plan, anchor, year)
            with open(path, "wb") as fh:
                header = ",".join(_HEADERS[layout]) + eol
                # Hyndburn-style files are cp1252 (`£` is one byte, 0xA3); the others are UTF-8.
                fh.write(header.encode("cp1252" if layout == "hyndburn" else "utf-8"))
                remaining, part = plan.rows_per_file(anchor, year), 0
                while remaining > 0:
                    n = min(plan.chunk, remaining)
                    table = _csv_table(plan, pool, _chunk(plan, pool, anchor, year, part, n), layout, anchor)
                    fh.write(_lines_bytes(table, eol))
                    remaining -= n
                    part += 1
            written.append(path)
        if progress:
            print(f"  {anchor + 1}/{plan.anchors} anchors", end="\r", flush=True)
    return written


def anchor_layouts(plan: Plan) -> dict[str, str]:
    """Anchor name -> header layout, for callers that ingest anchor by anchor."""
    return {plan.anchor_name(a): plan.layout(a) for a in range(plan.anchors)}


def anchor_folder(out: Path, anchor: int) -> Path:
    return out / f"{SYNTHETIC_TAG}_council{anchor + 1:03d}"


def write_parquet(plan: Plan, out: Path, progress: bool = False) -> tuple[Path, Path]:
    """Write CONTRACTS §1 transactions (with `supplier_key`), partitioned by anchor and year, and
    a §3 suppliers table. Returns (transactions dir, suppliers.parquet)."""
    pool = SupplierPool(plan)
    tx_dir = out / "transactions"
    tx_dir.mkdir(parents=True, exist_ok=True)
    (out / "README.txt").write_text(_readme(plan), encoding="utf-8")
    keys = pc.binary_join_element_wise(
        "SYN", pc.utf8_lpad(pc.cast(pa.array(np.arange(pool.size)), pa.string()), 7, "0"), ""
    )
    for anchor in range(plan.anchors):
        name = plan.anchor_name(anchor)
        for year in range(plan.years):
            fy = plan.fy_label(year)
            remaining, part = plan.rows_per_file(anchor, year), 0
            # As pyarrow writes hive partitions: the values live in the folder names, URI-encoded
            # (`2019/20` -> `2019%2F20`), and not in the files.
            part_dir = tx_dir / f"anchor={quote(name, safe='')}" / f"financial_year={quote(fy, safe='')}"
            part_dir.mkdir(parents=True, exist_ok=True)
            while remaining > 0:
                n = min(plan.chunk, remaining)
                c = _chunk(plan, pool, anchor, year, part, n)
                payee = _payee_names(plan, pool, c, "oxford", anchor)
                key = pc.take(keys, pa.array(c.supplier))
                # Every individual shares one key: they are never told apart or named downstream.
                key = pc.if_else(pa.array(c.individual), "individual", key)
                table = pa.table(
                    {
                        "source_file": pa.array([_file_name(plan, anchor, year)] * n),
                        "sheet": pa.array([""] * n),
                        "row_number": pa.array(np.arange(part * plan.chunk + 2, part * plan.chunk + 2 + n)),
                        "payment_date": pa.array(c.dates).cast(pa.date32()),
                        "amount_pence": pa.array(c.pence),
                        "supplier_name": payee,
                        "expense_category": pc.take(pa.array(_CATEGORY), pa.array(c.category)),
                        "service_area": pc.take(pa.array(_SERVICE), pa.array(c.service)),
                        "transaction_ref": pc.cast(pa.array(c.ref), pa.string()),
                        "individual": pa.array(c.individual),
                        "redacted": pa.array(c.redacted),
                        "payment_id": pc.cast(pa.array(c.ref * 1_000_003 + anchor), pa.string()),
                        "supplier_key": key,
                    }
                )
                pq.write_table(table, part_dir / f"part-{part}.parquet")
                remaining -= n
                part += 1
        if progress:
            print(f"  {anchor + 1}/{plan.anchors} anchors", end="\r", flush=True)
    sup_path = out / "suppliers.parquet"
    pq.write_table(suppliers_table(pool), sup_path)
    return tx_dir, sup_path


def suppliers_table(pool: SupplierPool) -> pa.Table:
    n = pool.size
    keys = pc.binary_join_element_wise("SYN", pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), 7, "0"), "")
    located = pool.lad >= 0
    lad = pa.array(np.where(located, _lad_code(np.maximum(pool.lad, 0)), None))
    section = pa.array(np.array(_SIC_SECTIONS)[pool.sic_section])
    stype = pa.array(np.array(_SUPPLIER_TYPES)[pool.supplier_type])
    table = pa.table(
        {
            "supplier_key": keys,
            "supplier_name": pool.names,
            "lad_code": lad,
            "imd_decile": pa.array(np.where(located, pool.imd_decile, 0)).cast(pa.int64()),
            "sic_section": section,
            "supplier_type": stype,
            "resolved_by": pa.array(np.where(located, "identifier", "unresolved")),
        }
    )
    table = table.set_column(
        3, "imd_decile", pc.if_else(pa.array(located), table["imd_decile"], pa.nulls(n, pa.int64()))
    )
    individual = pa.table(
        {
            "supplier_key": ["individual"],
            "supplier_name": ["(individual)"],
            "lad_code": pa.nulls(1, pa.string()),
            "imd_decile": pa.nulls(1, pa.int64()),
            "sic_section": pa.nulls(1, pa.string()),
            "supplier_type": ["individual"],
            "resolved_by": ["unresolved"],
        }
    )
    return pa.concat_tables([table, individual.cast(table.schema)])


def synthetic_lads(plan: Plan, anchor: int = 0, wider: int = 10) -> tuple[list[str], list[str]]:
    """A place (the anchor's own LAD) and a wider area (it and the next `wider - 1` LADs)."""
    lads = [str(x) for x in _lad_code(np.arange(anchor, anchor + wider) % _GEO_LADS)]
    return lads[:1], lads


def _readme(plan: Plan) -> str:
    return (
        f"SYNTHETIC spend ledgers generated by benchmarks/synth_ledgers.py for benchmarking only.\n"
        f"Not real data. rows={plan.rows} anchors={plan.anchors} years={plan.years} "
        f"first_year={plan.first_year} seed={plan.seed} suppliers={plan.pool_size}\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--anchors", type=int, default=10)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--first-year", type=int, default=2019)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--suppliers", type=int, default=0, help="supplier pool size (0: from --rows)")
    ap.add_argument("--chunk", type=int, default=500_000)
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    plan = Plan(
        rows=args.rows,
        anchors=args.anchors,
        years=args.years,
        first_year=args.first_year,
        seed=args.seed,
        suppliers=args.suppliers,
        chunk=args.chunk,
    )
    t0 = time.perf_counter()
    if args.format == "csv":
        files = write_csv(plan, args.out, progress=True)
        what = f"{len(files)} CSV files"
    else:
        write_parquet(plan, args.out, progress=True)
        what = "partitioned parquet"
    dt = time.perf_counter() - t0
    print(f"\nwrote {plan.rows:,} SYNTHETIC rows as {what} in {dt:.1f}s ({plan.rows / dt:,.0f} rows/s) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
