"""Registers suppliers are matched against, normalised to one schema (CONTRACTS §2 `registers.parquet`).

Sources and what each says about a supplier:
- `nhs_ods`: NHS trusts (`etr.csv`) and CCG / ICB sites (`eccg.csv`): public bodies. Closed ones are
  kept (old ledgers pay them) with `status='closed'` and `date_closed`.
- `gender_pay_gap`: every employer that reported in any year. Employers report because they have
  250+ staff, so their size is `large`; the few that declare `Less than 250` are `sme`, and
  `Not Provided` stays unknown. Public bodies are included (`kind='public'`: GPG's own SIC code `1`).
  One row per distinct (name, company number); the latest year's address wins.
- `coops_uk`: co-operatives (VCSE).
- `charity_commission`: charities in the Charity Commission register format (VCSE).
- `companies_house`: BasicCompanyData, supplied by the user (`read_companies_house`).

Size from the Companies House accounts category (`COMPANY_SIZE`): categories only small or medium
companies may file (micro, small, total exemption, abridged, medium) mean `sme`. `FULL` and `GROUP`
do not prove a company is large (small companies may file full accounts), so they leave size unknown.
A company that reports to the Gender Pay Gap service with 250+ staff is `large` whatever its accounts
(so `FULL` / `GROUP` filers that are large in fact get `large`). Dormant, subsidiary-exempt and
missing accounts leave size unknown.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputFileError
from ..identifiers import charity_number, company_numbers, postcode_in_text, supplier_name
from ..identifiers import postcodes as _postcodes
from ._common import require_columns, require_file

# The register columns of CONTRACTS §2, which every register table carries (empty ones included).
REGISTER_CONTRACT_COLUMNS = [
    "source",
    "name",
    "name_norm",
    "company_number",
    "charity_number",
    "other_id",
    "postcode",
    "sic_code",
    "size",
    "kind",
    "accounts_category",
    "status",
]
REGISTER_COLUMNS = [
    *REGISTER_CONTRACT_COLUMNS,
    # beyond the contract: evidence the resolver and reports may show
    "company_category",
    "sic_codes",
    "size_band",
    "date_closed",
    "address",
]

NHS_FILES = {"etr.csv": "NHS trust", "eccg.csv": "NHS CCG / ICB site"}
GPG_GLOB = "gender-pay-gap/gpg-employers-*.csv*"
COOPS_FILE = "coops-uk/coops-uk-open-data-2023.csv"
CHARITY_GLOB = "charities/*.csv"

COMPANY_SIZE = {
    "MICRO ENTITY": "sme",
    "SMALL": "sme",
    "TOTAL EXEMPTION FULL": "sme",
    "TOTAL EXEMPTION SMALL": "sme",
    "UNAUDITED ABRIDGED": "sme",
    "AUDITED ABRIDGED": "sme",
    "MEDIUM": "sme",
    "FULL": "large_if_gpg",
    "GROUP": "large_if_gpg",
}

# CompanyCategory -> kind. Anything else is `company`.
COMPANY_KIND = [
    (r"community interest", "cic"),
    (r"charitable incorporated|^cio\b", "charity"),
    (r"registered society|industrial and provident|co-?operative", "coop"),
    (r"royal charter|further education|sixth form", "public"),
]

CH_COLUMNS = {
    "CompanyName": "name",
    "CompanyNumber": "company_number",
    "RegAddress.PostCode": "postcode",
    "CompanyCategory": "company_category",
    "CompanyStatus": "status",
    "Accounts.AccountCategory": "accounts_category",
    "SICCode.SicText_1": "sic1",
    "SICCode.SicText_2": "sic2",
    "SICCode.SicText_3": "sic3",
    "SICCode.SicText_4": "sic4",
    "RegAddress.PostTown": "post_town",
}


# Companies House BasicCompanyData's header as published, leading spaces included (the demo
# writes a file in it; tests build theirs with it).
COMPANIES_HOUSE_HEADER = (
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
COMPANIES_HOUSE_HEADER = [h if h.startswith(" ") or h == "CompanyName" else " " + h for h in COMPANIES_HOUSE_HEADER]


def _finish(df: pd.DataFrame, source: str) -> pd.DataFrame:
    df = df.copy()
    df["source"] = source
    # Plain Python strings here: iterating Arrow-backed strings row by row costs more than the work.
    names = df["name"].astype(object)
    names = names.where(names.isna(), names.astype(str).str.strip())
    df["name"] = names
    uniq = {v: supplier_name(v) for v in pd.unique(names.dropna().to_numpy())}
    df["name_norm"] = names.map(uniq)
    for col in REGISTER_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df = df[REGISTER_COLUMNS].astype("string")
    return df[df["name"].notna() & (df["name"] != "")].reset_index(drop=True)


def nhs_ods(data_dir: Path) -> pd.DataFrame:
    frames = []
    for fname, what in NHS_FILES.items():
        path = data_dir / "nhs-ods" / fname
        if not path.exists():
            continue
        raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_values=[""])
        if raw.shape[1] < 12:
            raise InputFileError(f"{path}: expected the 27-column NHS ODS layout, found {raw.shape[1]} columns")
        closed = pd.to_datetime(raw[11], format="%Y%m%d", errors="coerce")
        address = raw[[4, 5, 6, 7, 8]].apply(lambda r: ", ".join(v for v in r if isinstance(v, str) and v), axis=1)
        frames.append(
            pd.DataFrame(
                {
                    "name": raw[1],
                    "other_id": "NHS-" + raw[0].str.strip(),
                    "postcode": _postcodes(raw[9]),
                    "kind": "public",
                    "company_category": what,
                    "status": closed.notna().map({True: "closed", False: "active"}),
                    "date_closed": closed.dt.strftime("%Y-%m-%d"),
                    "address": address,
                }
            )
        )
    return (
        _finish(pd.concat(frames, ignore_index=True), "nhs_ods")
        if frames
        else _finish(pd.DataFrame({"name": []}), "nhs_ods")
    )


def _gpg_size(band: pd.Series) -> pd.Series:
    b = band.fillna("").str.lower()
    return pd.Series(
        [("sme" if "less than 250" in v else None if (not v or "not provided" in v) else "large") for v in b],
        index=band.index,
        dtype="object",
    )


def gender_pay_gap(data_dir: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(data_dir.glob(GPG_GLOB)):
        d = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        require_columns(d, ["EmployerName", "Address", "CompanyNumber", "SicCodes", "EmployerSize"], path)
        year = re.search(r"(\d{4}-\d{2})", path.name)
        d["year"] = year.group(1) if year else path.name
        pc = d["PostCode"] if "PostCode" in d.columns else pd.Series(None, index=d.index, dtype="object")
        # Early years have no PostCode column: the postcode ends the address.
        d["postcode"] = _postcodes(pc).fillna(d["Address"].map(postcode_in_text).astype(object))
        frames.append(d)
    if not frames:
        return _finish(pd.DataFrame({"name": []}), "gender_pay_gap")
    d = pd.concat(frames, ignore_index=True).sort_values("year")
    d["company_number"] = company_numbers(d["CompanyNumber"])
    sics = d["SicCodes"].fillna("").str.replace(r"\s+", "", regex=True).str.split(",")
    d["public"] = sics.map(lambda codes: "1" in codes)
    d["sic_code"] = sics.map(lambda codes: next((c for c in codes if re.fullmatch(r"\d{5}", c)), None))
    d["sic_codes"] = sics.map(lambda codes: ";".join(c for c in codes if c) or None)
    d["key"] = d["EmployerName"].str.upper().str.strip() + "|" + d["company_number"].fillna("")
    seen: dict[str, set[str]] = {}
    for key, year in zip(d["key"], d["year"]):
        seen.setdefault(key, set()).add(year)
    years = {k: ";".join(sorted(v)) for k, v in seen.items()}
    d = d.drop_duplicates("key", keep="last")
    d["years"] = d["key"].map(years)
    out = pd.DataFrame(
        {
            "name": d["EmployerName"],
            "company_number": d["company_number"],
            "postcode": d["postcode"],
            "sic_code": d["sic_code"],
            "sic_codes": d["sic_codes"],
            "size": _gpg_size(d["EmployerSize"]),
            "size_band": d["EmployerSize"],
            "kind": d["public"].map({True: "public", False: "company"}),
            "status": "reported " + d["years"],
            "address": d["Address"],
        }
    )
    return _finish(out, "gender_pay_gap")


def coops_uk(data_dir: Path) -> pd.DataFrame:
    path = data_dir / COOPS_FILE
    if not path.exists():
        return _finish(pd.DataFrame({"name": []}), "coops_uk")
    d = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    require_columns(d, ["Identifier", "Name", "Postcode", "Companies House Number", "SIC Code", "Legal Form"], path)
    sic = d["SIC Code"].str.extract(r"(\d{5})", expand=False)
    out = pd.DataFrame(
        {
            "name": d["Name"],
            "other_id": "COOPSUK-" + d["Identifier"].str.strip(),
            "company_number": company_numbers(d["Companies House Number"]),
            "postcode": _postcodes(d["Postcode"]),
            "sic_code": sic,
            "kind": "coop",
            "company_category": d["Legal Form"],
            "address": (d["Street Address"].fillna("") + ", " + d["Locality"].fillna("")).str.strip(", "),
        }
    )
    return _finish(out, "coops_uk")


def charity_commission(data_dir: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(data_dir.glob(CHARITY_GLOB)):
        d = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        require_columns(d, ["registered_charity_number", "charity_name"], path)
        # The full register lists linked (subsidiary) charities too; the main charity is number 0.
        if "linked_charity_number" in d.columns:
            d = d[d["linked_charity_number"].fillna("0").str.strip() == "0"]
        status = d["charity_registration_status"] if "charity_registration_status" in d.columns else "Registered"
        frames.append(
            pd.DataFrame(
                {
                    "name": d["charity_name"],
                    "charity_number": d["registered_charity_number"].map(charity_number),
                    "company_number": company_numbers(
                        d.get("charity_company_registration_number", pd.Series(None, index=d.index))
                    ),
                    "postcode": _postcodes(d.get("charity_contact_postcode", pd.Series(None, index=d.index))),
                    "kind": "charity",
                    "company_category": d.get("charity_type"),
                    "status": status,
                    "date_closed": d.get("date_of_removal"),
                    "address": d.get("charity_contact_address"),
                }
            )
        )
    if not frames:
        return _finish(pd.DataFrame({"name": []}), "charity_commission")
    d = pd.concat(frames, ignore_index=True)
    # (a number that does not read as one is no duplicate of another such row)
    return _finish(d[d["charity_number"].isna() | ~d.duplicated("charity_number")], "charity_commission")


# -- Companies House BasicCompanyData ---------------------------------------------------------------


def _open_text(path: Path):
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        members = [i for i in z.infolist() if i.filename.lower().endswith(".csv")]
        if not members:
            raise InputFileError(f"{path}: a zip with no CSV inside")
        return io.TextIOWrapper(z.open(members[0]), encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _sic5(col: pd.Series):
    """`"62020 - Information technology ..."` -> `"62020"`; `None Supplied` -> null (Arrow array)."""
    arr = pa.array(col.astype(object).tolist(), type=pa.string(), from_pandas=True)
    return pc.struct_field(pc.extract_regex(arr, r"^\s*(?P<s>\d{5})"), [0])


def _company_kind(category: pd.Series) -> pd.Series:
    cat = pa.array(category.astype(object).tolist(), type=pa.string(), from_pandas=True)
    kind = pa.array(["company"] * len(cat), type=pa.string())
    for pattern, k in reversed(COMPANY_KIND):
        hit = pc.fill_null(pc.match_substring_regex(cat, pattern, ignore_case=True), False)
        kind = pc.if_else(hit, k, kind)
    return pd.Series(kind.to_pylist(), index=category.index, dtype=object)


def read_companies_house(
    path: Path | str, chunksize: int = 200_000, large_company_numbers: set[str] | None = None, workers: int = 1
) -> Iterator[pd.DataFrame]:
    """BasicCompanyData (zip or CSV) as register-schema chunks of at most `chunksize` rows.

    Reads only the columns it needs, chunk by chunk: peak memory stays near one chunk, whatever
    the file's size. Header names are matched with surrounding spaces stripped (the published file
    has ` CompanyNumber`). `large_company_numbers` (the Gender Pay Gap's) turns `FULL` / `GROUP`
    accounts into `large`. `workers > 1` normalises chunks in that many processes (name keys
    are pure Python and dominate the time); chunks still come out in file order.
    """
    path = Path(path)
    require_file(path, "Companies House BasicCompanyData")
    large = large_company_numbers or set()
    with _open_text(path) as fh:
        header = next(csv.reader([fh.readline()]), [])
        stripped = [h.strip() for h in header]
        missing = [c for c in ("CompanyName", "CompanyNumber", "RegAddress.PostCode") if c not in stripped]
        if missing:
            raise InputFileError(
                f"{path}: not Companies House BasicCompanyData: missing column(s) {', '.join(missing)} "
                f"(first columns found: {', '.join(stripped[:5])})"
            )
        use = [i for i, h in enumerate(stripped) if h in CH_COLUMNS]
        names = [CH_COLUMNS[stripped[i]] for i in use]
        reader = pd.read_csv(
            fh,
            header=None,
            names=None,
            usecols=use,
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            chunksize=chunksize,
            encoding_errors="replace",
        )
        raw = (chunk.set_axis([names[use.index(c)] for c in chunk.columns], axis=1) for chunk in reader)
        if workers <= 1:
            for chunk in raw:
                yield _ch_chunk(chunk, large)
            return
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: deque = deque()
            for chunk in raw:
                pending.append(pool.submit(_ch_chunk, chunk, large))
                # Bounded: at most two chunks per worker in memory at once.
                while len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


def _ch_chunk(c: pd.DataFrame, large: set[str]) -> pd.DataFrame:
    for col in ("sic1", "sic2", "sic3", "sic4", "accounts_category", "company_category", "status", "post_town"):
        if col not in c.columns:
            c[col] = None
    sic = [_sic5(c[s]) for s in ("sic1", "sic2", "sic3", "sic4")]
    sic_codes = pc.binary_join_element_wise(*[pc.fill_null(x, "") for x in sic], ";")
    sic_codes = pc.utf8_trim(pc.replace_substring_regex(sic_codes, ";{2,}", ";"), ";")
    number = company_numbers(c["company_number"])
    category = c["accounts_category"].str.strip().str.upper()
    rule = category.map(COMPANY_SIZE)
    in_gpg = number.isin(large).fillna(False).astype(bool)
    size = rule.where(rule != "large_if_gpg", None)
    size = size.mask(in_gpg, "large")
    out = pd.DataFrame(
        {
            "name": c["name"],
            "company_number": number,
            "postcode": _postcodes(c["postcode"]),
            "sic_code": sic[0].to_pylist(),
            "sic_codes": [v or None for v in sic_codes.to_pylist()],
            "size": size,
            "kind": _company_kind(c["company_category"]),
            "accounts_category": category,
            "company_category": c["company_category"],
            "status": c["status"],
            "address": c["post_town"],
        }
    )
    return _finish(out, "companies_house")


def load_companies_house(
    path: Path | str, registers: pd.DataFrame | None = None, chunksize: int = 250_000
) -> pd.DataFrame:
    """A whole BasicCompanyData file as register rows, for a run that adds it beside `registers`.

    Sizes come from the Gender Pay Gap employers in `registers` (the only evidence that a FULL /
    GROUP filer is large). The reference build streams `read_companies_house` instead, holding one
    chunk at a time.
    """
    large = gpg_large_company_numbers(registers) if registers is not None else set()
    frames = list(read_companies_house(path, chunksize=chunksize, large_company_numbers=large))
    return pd.concat(frames, ignore_index=True) if frames else _finish(pd.DataFrame({"name": []}), "companies_house")


def build_open_registers(data_dir: Path) -> pd.DataFrame:
    """Every register the shared data holds (Companies House is added by the build when supplied)."""
    parts = [nhs_ods(data_dir), gender_pay_gap(data_dir), coops_uk(data_dir), charity_commission(data_dir)]
    return pd.concat(parts, ignore_index=True)


def gpg_large_company_numbers(registers: pd.DataFrame) -> set[str]:
    if not {"source", "size", "company_number"} <= set(registers.columns):
        return set()
    gpg = registers[(registers["source"] == "gender_pay_gap") & (registers["size"] == "large")]
    return set(gpg["company_number"].dropna())
