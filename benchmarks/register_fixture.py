"""A synthetic register for measuring supplier matching, built from a publisher-matched ledger.

Greater Manchester 2019 ledgers carry the publisher's own Companies House match
(`company_name`, `company_number`, `sicc_int`, `match_method`). This module turns such ledgers into
the three things an honest accuracy test needs:

* `ledger_transactions(paths)`: CONTRACTS §1 transactions with every publisher column that could
  leak the answer dropped (`company_number`, `charity_number`, `company_name`, `clean_name`,
  `naked_name`); the truth is kept aside in `truth_company_number` / `match_method`.
* `write_basic_company_data(...)`: a register in Companies House **BasicCompanyData** format (its
  exact published header) holding every company the publisher matched (name and number as the
  publisher gives them, SIC from `sicc_int`; nothing else invented) plus near-duplicate distractors.
* `open_registers(shared)`: the Gender Pay Gap, Co-operatives UK and charity lists in the CONTRACTS
  §2 `registers` shape.

Distractors are labelled synthetic: numbers `Z` + 7 digits (no real Companies House prefix),
`RegAddress.CareOf` = `SYNTHETIC DISTRACTOR`, URI `synthetic:distractor`. Each is made from a real
matched name by one or two of: reordering its words, adding a region or town, adding a word such as
`Holdings`, `Group`, `(North)`, keeping its first words and adding others; then a legal suffix drawn
at random. A distractor that differs from a real name *only* by legal suffix, punctuation, spacing,
`&`/`and` or `UK` is discarded: Companies House's "same as" rules (Company, LLP and Business (Names
and Trading Disclosures) Regulations 2015, Sch. 3) forbid registering such a name, so a real
register cannot hold one.
"""

from __future__ import annotations

import csv
import glob
import gzip
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd

from cwbtools.identifiers import postcode as norm_postcode
from cwbtools.identifiers import supplier_name

BASIC_COMPANY_DATA_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, "
    "RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,"
    "CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,"
    "Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,"
    "Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,"
    "SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,"
    "URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, PreviousName_2.CompanyName,"
    "PreviousName_3.CONDATE, PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,"
    "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, PreviousName_8.CompanyName,"
    "PreviousName_9.CONDATE, PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,"
    "ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)
HEADER_COLUMNS = BASIC_COMPANY_DATA_HEADER.split(",")

LEAKING_COLUMNS = ["company_number", "charity_number", "company_name", "clean_name", "naked_name"]

REGIONS = [
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
    "NORTH WEST",
    "NORTH EAST",
    "SOUTH WEST",
    "SOUTH EAST",
    "MIDLANDS",
    "EAST MIDLANDS",
    "WEST MIDLANDS",
    "SCOTLAND",
    "WALES",
    "NORTHERN",
    "SOUTHERN",
    "LONDON",
    "MANCHESTER",
    "GREATER MANCHESTER",
    "LANCASHIRE",
    "YORKSHIRE",
    "CHESHIRE",
    "MERSEYSIDE",
    "CUMBRIA",
    "BOLTON",
    "OLDHAM",
    "SALFORD",
    "BURY",
    "WIGAN",
    "ROCHDALE",
    "STOCKPORT",
    "TRAFFORD",
    "TAMESIDE",
    "BLACKBURN",
    "PRESTON",
    "LEEDS",
    "LIVERPOOL",
    "BIRMINGHAM",
    "BRISTOL",
    "SHEFFIELD",
    "NEWCASTLE",
    "GLASGOW",
    "EDINBURGH",
    "CARDIFF",
    "BELFAST",
    "KENT",
    "ESSEX",
    "SURREY",
    "DEVON",
    "NORFOLK",
    "EUROPE",
]
EXTRA_WORDS = [
    "HOLDINGS",
    "(HOLDINGS)",
    "GROUP",
    "SERVICES",
    "SOLUTIONS",
    "TRADING",
    "ENTERPRISES",
    "PROPERTIES",
    "MANAGEMENT",
    "INVESTMENTS",
    "DEVELOPMENTS",
    "CONSULTING",
    "ASSOCIATES",
    "& SONS",
    "& CO",
    "PARTNERS",
    "INTERNATIONAL",
    "GLOBAL",
    "NO 2",
    "2",
    "(2019)",
    "(1998)",
    "TRUST",
    "FOUNDATION",
    "CARE",
    "HOMES",
    "SUPPLIES",
    "SYSTEMS",
    "TECHNOLOGIES",
    "ESTATES",
    "NOMINEES",
    "VENTURES",
]
LEGAL_SUFFIXES = ["LIMITED", "LTD", "PLC", "LLP", "CIC", "COMMUNITY INTEREST COMPANY", "LTD.", "CYF"]
_LEGAL_TAIL = re.compile(r"\s+(COMMUNITY INTEREST COMPANY|LIMITED|LTD\.?|PLC|LLP|CIC|CYF|CYFYNGEDIG)$", re.IGNORECASE)


def same_as_key(name: str) -> str:
    """Companies House's "same as" comparison, approximated: legal form, punctuation, spacing,
    `&`/`and` and a trailing `UK` disregarded."""
    return re.sub(r"( uk)+$", "", supplier_name(name)).replace(" ", "")


# ---------------------------------------------------------------------------------------------
# Ledgers


def ledger_transactions(paths: list[str | Path]) -> pd.DataFrame:
    """Publisher-cleaned ledgers -> CONTRACTS §1 transactions, answer columns set aside."""
    frames = []
    for path in paths:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        anchor = raw["org_short_name"].str.strip().iloc[0] if len(raw) else Path(path).stem
        amount = pd.to_numeric(raw["amount"].str.replace(",", ""), errors="raise")
        date = pd.to_datetime(raw["payment_date"], errors="raise")
        fy_start = date.dt.year - (date.dt.month < 4).astype(int)
        frame = pd.DataFrame(
            {
                "anchor": anchor,
                "source_file": Path(path).name,
                "sheet": "",
                "row_number": np.arange(2, len(raw) + 2, dtype="int64"),
                "payment_date": date.dt.date,
                "financial_year": fy_start.astype(str) + "/" + ((fy_start + 1) % 100).astype(str).str.zfill(2),
                # Exact pence from the decimal text: never through a float sum.
                "amount_pence": (amount * 100).round().astype("int64"),
                "supplier_name": raw["beneficiary_name"].str.strip(),
                "individual": False,
                "redacted": False,
                "truth_company_number": raw["company_number"].str.strip().replace("", pd.NA),
                "match_method": raw["match_method"].str.strip(),
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    assert not set(LEAKING_COLUMNS) & set(out.columns)
    return out


def gm_ledger_paths(shared: Path, boroughs=("bolton", "oldham", "salford")) -> list[Path]:
    folder = shared / "spend" / "greater-manchester-2019"
    return [folder / f"{b}_2019.csv" for b in boroughs]


def matched_companies(paths: list[str | Path]) -> pd.DataFrame:
    """Every company the publisher matched: `company_number, company_name, sic_code`."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
    raw = pd.concat(frames, ignore_index=True)
    raw = raw[(raw["match_method"].str.strip() != "0") & (raw["company_number"].str.strip() != "")]
    out = raw.assign(
        company_number=raw["company_number"].str.strip(),
        company_name=raw["company_name"].str.strip(),
        sic_code=raw["sicc_int"].str.strip(),
    )
    out = out.drop_duplicates("company_number")[["company_number", "company_name", "sic_code"]]
    return out.sort_values("company_number", ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Distractors


def _split(name: str) -> tuple[list[str], str]:
    name = name.upper().strip()
    match = _LEGAL_TAIL.search(name)
    suffix = match.group(1) if match else ""
    core = name[: match.start()] if match else name
    return core.split(), suffix


def _variant(core: list[str], vocab: list[str], rng: random.Random) -> list[str]:
    ops = rng.sample(["reorder", "region", "word", "first"], k=rng.choice([1, 1, 2]))
    words = list(core)
    for op in ops:
        if op == "reorder" and len(set(words)) > 1:
            shuffled = words[:]
            while shuffled == words:
                rng.shuffle(shuffled)
            words = shuffled
        elif op == "region":
            region = rng.choice(REGIONS)
            where = rng.random()
            if where < 0.4:
                words = words + [f"({region})"]
            elif where < 0.7:
                words = words + [region]
            else:
                words = [region] + words
        elif op == "word":
            words = words + [rng.choice(EXTRA_WORDS)]
        else:
            keep = rng.randint(1, max(1, min(2, len(words) - 1)))
            words = words[:keep] + rng.sample(vocab, k=rng.randint(1, 2))
    return words


def distractor_names(base_names: list[str], n: int, seed: int = 2019) -> list[str]:
    """`n` distinct synthetic names, near duplicates of `base_names`, none "the same as" a base."""
    rng = random.Random(seed)
    cores = [_split(b)[0] for b in base_names]
    cores = [c for c in cores if c]
    vocab = sorted({w for c in cores for w in c if w.isalpha() and len(w) > 2})
    taken = {same_as_key(b) for b in base_names}
    out: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 20 * n:
            raise RuntimeError(f"could only make {len(out)} distinct distractors from {len(cores)} names")
        core = cores[rng.randrange(len(cores))]
        words = _variant(core, vocab, rng)
        name = " ".join(words + [rng.choice(LEGAL_SUFFIXES)])
        key = same_as_key(name)
        if not key or key in taken or key in seen:
            continue
        seen.add(key)
        out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# Writing BasicCompanyData


def _sic_texts(shared: Path) -> dict[str, str]:
    path = shared / "reference" / "sic2007" / "companies-house-sic-codes.tsv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, sep="\t", dtype=str)
    return dict(zip(table.iloc[:, 0].str.zfill(5), table.iloc[:, 1]))


def basic_company_data_frame(companies: pd.DataFrame, distractors: list[str], shared: Path) -> pd.DataFrame:
    """Rows in BasicCompanyData columns: the matched companies, then the labelled distractors."""
    sic_text = _sic_texts(shared)

    def sic(code: str) -> str:
        if not code or not code.isdigit() or int(code) == 0:
            return "None Supplied"
        code = code.zfill(5)
        return f"{code} - {sic_text.get(code, '')}".rstrip(" -")

    real = pd.DataFrame({c: "" for c in HEADER_COLUMNS}, index=range(len(companies)))
    real["CompanyName"] = companies["company_name"].to_numpy()
    real[" CompanyNumber"] = companies["company_number"].to_numpy()
    real["SICCode.SicText_1"] = [sic(c) for c in companies["sic_code"]]
    real["URI"] = ["http://business.data.gov.uk/id/company/" + n for n in companies["company_number"]]

    fake = pd.DataFrame({c: "" for c in HEADER_COLUMNS}, index=range(len(distractors)))
    fake["CompanyName"] = distractors
    fake[" CompanyNumber"] = [f"Z{i:07d}" for i in range(1, len(distractors) + 1)]
    fake["RegAddress.CareOf"] = "SYNTHETIC DISTRACTOR"
    fake["URI"] = "synthetic:distractor"
    # Distractors borrow a real SIC at random so that sector is no give-away.
    codes = real["SICCode.SicText_1"].to_numpy()
    fake["SICCode.SicText_1"] = codes[np.random.default_rng(7).integers(0, len(codes), len(distractors))]
    return pd.concat([real, fake], ignore_index=True)


def write_basic_company_data(
    paths: list[str | Path], out: Path, n_distractors: int, shared: Path, seed: int = 2019
) -> dict:
    """Write the register CSV (quoted as Companies House quotes it); returns counts."""
    companies = matched_companies(paths)
    fakes = distractor_names(companies["company_name"].tolist(), n_distractors, seed=seed)
    frame = basic_company_data_frame(companies, fakes, shared)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        fh.write(BASIC_COMPANY_DATA_HEADER + "\n")
        frame.to_csv(fh, header=False, index=False, quoting=csv.QUOTE_ALL)
    tmp.replace(out)
    return {"companies": len(companies), "distractors": len(fakes), "rows": len(frame)}


# ---------------------------------------------------------------------------------------------
# Open registers (CONTRACTS §2 shape)


def _company_number(value: object) -> str | None:
    text = re.sub(r"\s", "", str(value or "")).upper()
    if not text or text in {"NAN", "NONE"}:
        return None
    return text.zfill(8) if text.isdigit() else text


def open_registers(shared: Path) -> pd.DataFrame:
    """Gender Pay Gap employers (all years), Co-operatives UK and the charity register sample."""
    ref = shared / "reference"
    rows = []
    for path in sorted(glob.glob(str(ref / "gender-pay-gap" / "*.csv.gz"))):
        with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
            gpg = pd.read_csv(fh, dtype=str, keep_default_na=False)
        pc = gpg["PostCode"] if "PostCode" in gpg else gpg["Address"].map(lambda a: a.split(",")[-1])
        rows.append(
            pd.DataFrame(
                {
                    "source": "gender_pay_gap",
                    "name": gpg["EmployerName"],
                    "company_number": gpg["CompanyNumber"].map(_company_number),
                    "charity_number": None,
                    "other_id": None,
                    "postcode": pc.map(norm_postcode),
                    "sic_code": gpg["SicCodes"].str.extract(r"(\d{4,5})")[0].str.zfill(5),
                    "size": "large",
                    "kind": "employer",
                    "accounts_category": None,
                    "status": None,
                }
            )
        )
    coops = pd.read_csv(
        ref / "coops-uk" / "coops-uk-open-data-2023.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    rows.append(
        pd.DataFrame(
            {
                "source": "coops_uk",
                "name": coops["Name"],
                "company_number": coops["Companies House Number"].map(_company_number),
                "charity_number": None,
                "other_id": None,
                "postcode": coops["Postcode"].map(norm_postcode),
                "sic_code": coops["SIC Code"].str.extract(r"(\d{4,5})")[0].str.zfill(5),
                "size": None,
                "kind": "coop",
                "accounts_category": None,
                "status": None,
            }
        )
    )
    ch = pd.read_csv(
        ref / "charities" / "ccew-charities-operating-in-trafford.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    rows.append(
        pd.DataFrame(
            {
                "source": "charity_commission",
                "name": ch["charity_name"],
                "company_number": ch["charity_company_registration_number"].map(_company_number),
                "charity_number": ch["registered_charity_number"].str.strip(),
                "other_id": None,
                "postcode": ch["charity_contact_postcode"].map(norm_postcode),
                "sic_code": None,
                "size": None,
                "kind": "charity",
                "accounts_category": None,
                "status": None,
            }
        )
    )
    out = pd.concat(rows, ignore_index=True)
    out = out[out["name"].str.strip() != ""]
    out["name_norm"] = out["name"].map(supplier_name)
    out = out.drop_duplicates(["source", "name_norm", "company_number"]).reset_index(drop=True)
    return out
