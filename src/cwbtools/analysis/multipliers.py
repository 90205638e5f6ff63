"""ONS Input-Output Analytical Tables 2020: Type I output multipliers by industry, and the mapping
from SIC 2007 to the IOAT industries.

Source: `reference/ioat2020/InputOutput_I_by_I_2020.xlsx` under the shared data folder, sheet
`Multipliers`, column `P1` (Output): total UK output per £1 of final use of an industry's output,
counting its whole domestic supply chain (the column sum of the Type I Leontief inverse; the test
checks the two agree). The indirect effect of £1 more spend with an industry is `multiplier - 1`.

These are *national* multipliers. Applied to spend in one place they overstate the local effect,
because much of the supply chain sits elsewhere: every figure built from them is labelled
"national multipliers applied locally, an upper bound".

Mapping SIC 2007 -> IOAT industry (`SIC_TO_IOAT`, shown by `mapping_table()`):
- Most divisions are one IOAT industry: division `62` -> `J62`.
- Some IOAT industries join divisions: 06+07 -> `B06 & B07`; 41+42+43 -> `F41, F42 & F43`;
  59+60 -> `J59 & J60`; 87+88 -> `Q87 & Q88`; 12 (tobacco) joins 11.01-11.06.
- Some divisions are split by SIC group or class (10, 11, 20, 23, 24, 25, 30, 33, 35, 49, 65, 68,
  69): the 5-digit SIC code decides. When only the division is known, the division's IOAT
  industries are averaged weighted by their 2020 total output (`multiplier_basis` says so).
- Division 68: 68.1-68.2 -> `L68BXL683` (own/leased real estate); `L68A` (owner-occupiers'
  imputed rent) is no supplier's activity and is never mapped to.
- Divisions 98 and 99 have no IOAT industry; sector unknown -> the all-industry output-weighted
  mean. Both are flagged in `multiplier_basis`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CwbError, InputFileError
from ..paths import raw_dir, shared_data_dir

IOAT_RELATIVE = Path("reference") / "ioat2020" / "InputOutput_I_by_I_2020.xlsx"
UPPER_BOUND_LABEL = "national multipliers applied locally, an upper bound"

# Divisions that map whole onto one IOAT industry. Divisions absent here are split (below) or have
# no IOAT industry (98, 99).
_WHOLE = {
    "01": "A01",
    "02": "A02",
    "03": "A03",
    "05": "B05",
    "06": "B06 & B07",
    "07": "B06 & B07",
    "08": "B08",
    "09": "B09",
    "12": "C1101T1106 & C12",
    "13": "C13",
    "14": "C14",
    "15": "C15",
    "16": "C16",
    "17": "C17",
    "18": "C18",
    "19": "C19",
    "21": "C21",
    "22": "C22",
    "26": "C26",
    "27": "C27",
    "28": "C28",
    "29": "C29",
    "31": "C31",
    "32": "C32",
    "36": "E36",
    "37": "E37",
    "38": "E38",
    "39": "E39",
    "41": "F41, F42 & F43",
    "42": "F41, F42 & F43",
    "43": "F41, F42 & F43",
    "45": "G45",
    "46": "G46",
    "47": "G47",
    "50": "H50",
    "51": "H51",
    "52": "H52",
    "53": "H53",
    "55": "I55",
    "56": "I56",
    "58": "J58",
    "59": "J59 & J60",
    "60": "J59 & J60",
    "61": "J61",
    "62": "J62",
    "63": "J63",
    "64": "K64",
    "65": "K65.1-2 & K65.3",
    "66": "K66",
    "70": "M70",
    "71": "M71",
    "72": "M72",
    "73": "M73",
    "74": "M74",
    "75": "M75",
    "77": "N77",
    "78": "N78",
    "79": "N79",
    "80": "N80",
    "81": "N81",
    "82": "N82",
    "84": "O84",
    "85": "P85",
    "86": "Q86",
    "87": "Q87 & Q88",
    "88": "Q87 & Q88",
    "90": "R90",
    "91": "R91",
    "92": "R92",
    "93": "R93",
    "94": "S94",
    "95": "S95",
    "96": "S96",
    "97": "T97",
}

# Split divisions: (prefix of the 5-digit SIC code, IOAT industry), longest prefix wins.
_SPLIT = {
    "10": [
        ("101", "C101"),
        ("102", "C102_3"),
        ("103", "C102_3"),
        ("104", "C104"),
        ("105", "C105"),
        ("106", "C106"),
        ("107", "C107"),
        ("108", "C108"),
        ("109", "C109"),
    ],
    "11": [
        ("1101", "C1101T1106 & C12"),
        ("1102", "C1101T1106 & C12"),
        ("1103", "C1101T1106 & C12"),
        ("1104", "C1101T1106 & C12"),
        ("1105", "C1101T1106 & C12"),
        ("1106", "C1101T1106 & C12"),
        ("1107", "C1107"),
    ],
    "20": [
        ("2011", "C20A"),
        ("2013", "C20A"),
        ("2015", "C20A"),
        ("2014", "C20B"),
        ("2016", "C20B"),
        ("2017", "C20B"),
        ("2060", "C20B"),
        ("2012", "C20C"),
        ("2020", "C20C"),
        ("203", "C203"),
        ("204", "C204"),
        ("205", "C205"),
    ],
    "23": [
        ("235", "C235_6"),
        ("236", "C235_6"),
        ("231", "C23OTHER"),
        ("232", "C23OTHER"),
        ("233", "C23OTHER"),
        ("234", "C23OTHER"),
        ("237", "C23OTHER"),
        ("239", "C23OTHER"),
    ],
    "24": [("241", "C241T243"), ("242", "C241T243"), ("243", "C241T243"), ("244", "C244_5"), ("245", "C244_5")],
    "25": [
        ("254", "C254"),
        ("251", "C25OTHER"),
        ("252", "C25OTHER"),
        ("253", "C25OTHER"),
        ("255", "C25OTHER"),
        ("256", "C25OTHER"),
        ("257", "C25OTHER"),
        ("259", "C25OTHER"),
    ],
    "30": [("301", "C301"), ("303", "C303"), ("302", "C30OTHER"), ("304", "C30OTHER"), ("309", "C30OTHER")],
    "33": [("3315", "C3315"), ("3316", "C3316"), ("331", "C33OTHER"), ("332", "C33OTHER")],
    "35": [("351", "D351"), ("352", "D352_3"), ("353", "D352_3")],
    "49": [("491", "H491_2"), ("492", "H491_2"), ("493", "H493T495"), ("494", "H493T495"), ("495", "H493T495")],
    "68": [("681", "L68BXL683"), ("682", "L68BXL683"), ("683", "L683")],
    "69": [("691", "M691"), ("692", "M692")],
}

_SECTION_DIVISIONS = {
    "A": range(1, 4),
    "B": range(5, 10),
    "C": range(10, 34),
    "D": range(35, 36),
    "E": range(36, 40),
    "F": range(41, 44),
    "G": range(45, 48),
    "H": range(49, 54),
    "I": range(55, 57),
    "J": range(58, 64),
    "K": range(64, 67),
    "L": range(68, 69),
    "M": range(69, 76),
    "N": range(77, 83),
    "O": range(84, 85),
    "P": range(85, 86),
    "Q": range(86, 89),
    "R": range(90, 94),
    "S": range(94, 97),
    "T": range(97, 99),
    "U": range(99, 100),
}


def _clean_code(value: object) -> str:
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


def _division(sic_code: object = None, sic_division: object = None) -> str | None:
    if sic_division is not None and not pd.isna(sic_division) and str(sic_division).strip():
        text = str(sic_division).strip()
        return text.zfill(2)[:2] if text.isdigit() else None
    code = _sic5(sic_code)
    return code[:2] if code else None


def _sic5(sic_code: object) -> str | None:
    if sic_code is None or pd.isna(sic_code):
        return None
    digits = re.sub(r"\D", "", str(sic_code))
    if not digits:
        return None
    # A 4-digit code is a Companies House code that lost its leading zero (`1110` = 01110).
    return digits.zfill(5)[:5]


def ioat_code(sic_code: object = None, sic_division: object = None) -> str | None:
    """The IOAT 2020 industry for a SIC 2007 code, or None when the 5-digit code is needed and
    missing (a split division known only by division), or the activity has no IOAT industry."""
    division = _division(sic_code, sic_division)
    if division is None:
        return None
    if division in _WHOLE:
        return _WHOLE[division]
    rules = _SPLIT.get(division)
    code = _sic5(sic_code)
    if not rules or not code or code[:2] != division:
        return None
    for prefix, industry in sorted(rules, key=lambda r: -len(r[0])):
        if code.startswith(prefix):
            return industry
    return None


def division_industries(division: str) -> list[str]:
    """Every IOAT industry a SIC division maps to (one for whole divisions)."""
    division = str(division).zfill(2)
    if division in _WHOLE:
        return [_WHOLE[division]]
    return sorted({industry for _, industry in _SPLIT.get(division, [])})


def mapping_table() -> pd.DataFrame:
    """The SIC 2007 -> IOAT mapping as a table: `sic_division, sic_prefix, ioat_code` (`sic_prefix`
    empty when the whole division maps to one industry)."""
    rows = [(d, "", c) for d, c in _WHOLE.items()]
    rows += [(d, p, c) for d, rules in _SPLIT.items() for p, c in rules]
    rows += [("98", "", None), ("99", "", None)]
    return (
        pd.DataFrame(rows, columns=["sic_division", "sic_prefix", "ioat_code"])
        .sort_values(["sic_division", "sic_prefix"])
        .reset_index(drop=True)
    )


def ioat_path() -> Path:
    return shared_data_dir() / IOAT_RELATIVE


@lru_cache(maxsize=4)
def _load(path_text: str) -> pd.DataFrame:
    path = Path(path_text)
    if not path.exists():
        raise InputFileError(f"{path}: ONS IOAT 2020 workbook not found (set CWB_DATA to the shared data folder)")
    try:
        sheets = pd.read_excel(path, sheet_name=["Multipliers", "IOT"], header=None, engine="calamine")
    except ValueError as exc:
        raise InputFileError(f"{path}: expected sheets 'Multipliers' and 'IOT' ({exc})") from exc
    mult = sheets["Multipliers"]
    iot = sheets["IOT"]

    def column_of(frame: pd.DataFrame, label: str, sheet: str) -> int:
        for r in range(min(12, len(frame))):
            for c, value in enumerate(frame.iloc[r]):
                if isinstance(value, str) and value.strip() == label:
                    return c
        raise InputFileError(f"{path}, sheet {sheet}: no column headed {label!r}")

    out_col = column_of(mult, "P1", "Multipliers")
    rows = []
    for _, r in mult.iterrows():
        code = r.iloc[0]
        # Industry rows only: codes such as `A01`, `C20A`, `F41, F42 & F43`; titles and notes skipped.
        if not isinstance(code, str) or not re.match(r"^[A-U]\d", code.strip()):
            continue
        value = pd.to_numeric(r.iloc[out_col], errors="coerce")
        rows.append((_clean_code(code), _clean_code(r.iloc[1]), value))
    table = pd.DataFrame(rows, columns=["ioat_code", "ioat_industry", "output_multiplier"])

    # Weights for averaging within a division: total output at basic prices (row P1 of the IOT).
    header_row = next(r for r in range(12) if iot.iloc[r, 1] == "SIC")
    codes = [_clean_code(v) if isinstance(v, str) else None for v in iot.iloc[header_row]]
    total_row = iot.index[iot.iloc[:, 0].astype(str).str.strip() == "P1"]
    if len(total_row) == 0:
        raise InputFileError(f"{path}, sheet IOT: no row P1 (total output)")
    totals = iot.loc[total_row[0]]
    weight = {codes[c]: pd.to_numeric(totals.iloc[c], errors="coerce") for c in range(2, len(codes)) if codes[c]}
    table["output_gbp_m"] = table["ioat_code"].map(weight)
    if table.empty or table["output_multiplier"].notna().sum() < 90:
        raise InputFileError(f"{path}, sheet Multipliers: fewer than 90 industries with an output multiplier")
    return table


def load_multipliers(path: str | Path | None = None) -> pd.DataFrame:
    """IOAT 2020 Type I output multipliers: `ioat_code, ioat_industry, output_multiplier,
    output_gbp_m` (2020 total output, £ million, the averaging weight)."""
    return _load(str(Path(path) if path else ioat_path())).copy()


def _weighted(table: pd.DataFrame, codes: list[str]) -> float | None:
    part = table[table["ioat_code"].isin(codes) & table["output_multiplier"].notna()]
    if part.empty:
        return None
    w = part["output_gbp_m"].fillna(0)
    if w.sum() <= 0:
        return float(part["output_multiplier"].mean())
    return float((part["output_multiplier"] * w).sum() / w.sum())


def sector_multipliers(sectors: pd.DataFrame, multipliers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add `ioat_code, output_multiplier, multiplier_basis` to a frame with any of `sic_code`,
    `sic_division`, `sic_section`.

    `multiplier_basis`: `industry` (exact), `division average` (split division known only by
    division), `section average`, `all-industry average` (sector unknown or without an IOAT
    industry). Averages are weighted by 2020 output.
    """
    table = load_multipliers() if multipliers is None else multipliers
    by_code = dict(zip(table["ioat_code"], table["output_multiplier"]))
    overall = _weighted(table, [c for c in table["ioat_code"] if c != "L68A"])
    out = sectors.copy()
    codes, values, bases = [], [], []
    for _, row in out.iterrows():
        sic = row.get("sic_code")
        div = row.get("sic_division")
        sec = row.get("sic_section")
        code = ioat_code(sic, div)
        value = by_code.get(code) if code else None
        basis = "industry"
        if value is None or pd.isna(value):
            division = _division(sic, div)
            value = _weighted(table, division_industries(division)) if division else None
            basis = "division average"
            code = None
        if value is None and isinstance(sec, str) and sec.strip().upper() in _SECTION_DIVISIONS:
            divisions = [f"{d:02d}" for d in _SECTION_DIVISIONS[sec.strip().upper()]]
            value = _weighted(table, [c for d in divisions for c in division_industries(d)])
            basis = "section average"
        if value is None:
            value, basis = overall, "all-industry average"
        codes.append(code)
        values.append(float(value))
        bases.append(basis)
    out["ioat_code"] = pd.Series(codes, index=out.index, dtype="string")
    out["output_multiplier"] = pd.Series(values, index=out.index, dtype="float64")
    out["multiplier_basis"] = pd.Series(bases, index=out.index, dtype="string")
    return out


def indirect_pence(direct_pence: pd.Series, output_multiplier: pd.Series) -> pd.Series:
    """Indirect (supply-chain) output from direct spend: `direct * (multiplier - 1)`, rounded to
    whole pence per row so that totals are sums of integers."""
    values = (direct_pence.astype("float64") * (output_multiplier.astype("float64") - 1.0)).round()
    return values.astype("int64")


# --------------------------------------------------------------------------------------------
# Regional multipliers: Flegg's location quotient (FLQ) on the IOAT 2020 Type I table

# ONS mid-2015 population estimates: the IMD 2019 denominators are England's (mid-2015), the IOAT
# table the UK's, so an English area's population share of England is scaled by England's share of
# the UK in the same year.
ENGLAND_POPULATION_2015 = 54_786_327
UK_POPULATION_2015 = 65_110_034
ENGLAND_SHARE_OF_UK_2015 = ENGLAND_POPULATION_2015 / UK_POPULATION_2015
BRES_FILENAME = "bres.csv"
REGIONAL_LABEL = "regional multipliers (FLQ), an estimate from stated assumptions"


@dataclass(frozen=True)
class RegionalSize:
    """The area against the nation the IOAT table describes: `share` its share of employment (or
    of population) and `lq` each IOAT industry's simple location quotient (empty: every LQ is 1, so
    FLQ reduces to Flegg's lambda). `basis` says where both came from."""

    share: float
    basis: str
    lq: Mapping[str, float] = field(default_factory=dict)


def flq_lambda(share: float, delta: float) -> float:
    """Flegg's regional-size factor: lambda = [log2(1 + share)] ** delta (1 for the whole nation)."""
    return float(np.log2(1.0 + share) ** delta)


def flq_coefficients(a: pd.DataFrame, size: RegionalSize, delta: float) -> pd.DataFrame:
    """Regional input coefficients r_ij = a_ij x min(1, FLQ_ij), where FLQ_ij = CILQ_ij x lambda,
    CILQ_ij = SLQ_i / SLQ_j (supplying i over buying j) and FLQ_ii = SLQ_i x lambda (Flegg and
    Webber 1997). `a` is square, rows supplying and columns buying, indexed by IOAT code."""
    slq = pd.Series(1.0, index=a.index).mul(pd.Series(dict(size.lq), dtype="float64"), fill_value=1.0)
    slq = slq.reindex(a.index).fillna(1.0).to_numpy()
    cilq = slq[:, None] / np.where(slq > 0, slq, np.nan)[None, :]
    np.fill_diagonal(cilq, slq)
    flq = np.nan_to_num(cilq, nan=0.0) * flq_lambda(size.share, delta)
    return pd.DataFrame(a.to_numpy() * np.minimum(flq, 1.0), index=a.index, columns=a.columns)


def type1_multipliers(a: pd.DataFrame) -> pd.Series:
    """Type I output multipliers: the column sums of the Leontief inverse (I - A)^-1."""
    inverse = np.linalg.inv(np.eye(len(a)) - a.to_numpy())
    return pd.Series(inverse.sum(axis=0), index=a.columns, name="output_multiplier")


@lru_cache(maxsize=4)
def _load_coefficients(path_text: str) -> pd.DataFrame:
    path = Path(path_text)
    if not path.exists():
        raise InputFileError(f"{path}: ONS IOAT 2020 workbook not found (set CWB_DATA to the shared data folder)")
    raw = pd.read_excel(path, sheet_name="A", header=None, engine="calamine")
    header = next(r for r in range(12) if raw.iloc[r, 1] == "SIC")
    cols = [c for c in range(2, raw.shape[1]) if isinstance(raw.iloc[header, c], str)]
    codes = [_clean_code(raw.iloc[header, c]) for c in cols]
    rows = [r for r in range(header + 1, len(raw)) if _clean_code(raw.iloc[r, 0]) in set(codes)]
    a = raw.iloc[rows, cols].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    a.index = [_clean_code(raw.iloc[r, 0]) for r in rows]
    a.columns = codes
    if a.shape[0] != a.shape[1] or a.shape[0] < 90:
        raise InputFileError(f"{path}, sheet A: expected a square matrix of 90+ industries, got {a.shape}")
    return a.loc[codes, codes].astype("float64")


def load_coefficients(path: str | Path | None = None) -> pd.DataFrame:
    """The IOAT 2020 matrix of domestic input coefficients (sheet `A`), IOAT code by IOAT code."""
    return _load_coefficients(str(Path(path) if path else ioat_path())).copy()


def size_from_population(lsoa: pd.DataFrame, lads: Iterable[str]) -> RegionalSize:
    """The area's share of UK population: its LSOAs' IMD 2019 denominators (mid-2015, England
    only) over England's, times England's share of the UK in mid-2015. No industry LQs (all 1)."""
    pop = pd.to_numeric(lsoa["population"], errors="coerce").fillna(0)
    inside = lsoa["lad_code"].astype(str).isin(set(lads))
    england = float(pop.sum())
    if england <= 0 or not inside.any():
        raise CwbError("regional size: no population for the place's districts in the IMD 2019 denominators")
    share = float(pop[inside].sum()) / england * ENGLAND_SHARE_OF_UK_2015
    basis = (
        f"population share {share:.4%} of the UK: IMD 2019 denominators (mid-2015) over England's, times England's "
        f"share of the UK ({ENGLAND_SHARE_OF_UK_2015:.4f}, ONS mid-2015); industry location quotients 1 (no BRES), "
        "so FLQ reduces to Flegg's lambda on every coefficient"
    )
    return RegionalSize(share, basis)


def read_bres(path: str | Path) -> pd.DataFrame:
    """A NOMIS BRES CSV (dataset NM_189_1 as `cwb reference download bres` saves it: columns
    `GEOGRAPHY_CODE`, `INDUSTRY_NAME` such as `62 : Computer programming ...`, `EMPLOYMENT_STATUS_NAME`,
    `MEASURES_NAME`, `OBS_VALUE`) as `geography_code, sic_division, employment`: employment
    (not employees only) by SIC 2007 division."""
    raw = pd.read_csv(path, dtype=str)
    need = {"GEOGRAPHY_CODE", "INDUSTRY_NAME", "OBS_VALUE"}
    if not need <= set(raw.columns):
        raise InputFileError(f"{path}: not a NOMIS BRES CSV (needs {', '.join(sorted(need))})")
    keep = pd.Series(True, index=raw.index)
    if "EMPLOYMENT_STATUS_NAME" in raw.columns:
        keep &= raw["EMPLOYMENT_STATUS_NAME"].str.strip().str.lower() == "employment"
    if "MEASURES_NAME" in raw.columns:
        keep &= raw["MEASURES_NAME"].str.strip().str.lower() == "value"
    part = raw[keep]
    division = part["INDUSTRY_NAME"].str.extract(r"^\s*(\d{2})\s*:")[0]
    out = pd.DataFrame(
        {
            "geography_code": part["GEOGRAPHY_CODE"].str.strip(),
            "sic_division": division,
            "employment": pd.to_numeric(part["OBS_VALUE"], errors="coerce"),
        }
    ).dropna()
    if out.empty:
        raise InputFileError(f"{path}: no employment by 2-digit SIC division in this BRES file")
    return out.groupby(["geography_code", "sic_division"], as_index=False)["employment"].sum()


def size_from_bres(bres: pd.DataFrame, lads: Iterable[str]) -> RegionalSize:
    """The area's share of employment and each IOAT industry's SLQ from BRES (`read_bres`): the
    nation is the largest geography in the file (Great Britain as downloaded). A split division's
    LQ is given to each of its IOAT industries; a joined industry's employment is summed first."""
    lads = set(lads)
    by_geo = bres.groupby("geography_code")["employment"].sum()
    nation_code = by_geo.idxmax()
    area = bres[bres["geography_code"].isin(lads)]
    if area.empty:
        raise CwbError("regional size: the BRES file has none of the place's districts")
    nation = bres[bres["geography_code"] == nation_code]
    re_, ne_ = float(area["employment"].sum()), float(nation["employment"].sum())
    ind = lambda f: f.assign(ioat=f["sic_division"].map(division_industries)).explode("ioat").dropna(subset=["ioat"])  # noqa: E731
    r_i = ind(area).groupby("ioat")["employment"].sum()
    n_i = ind(nation).groupby("ioat")["employment"].sum()
    slq = ((r_i / re_) / (n_i / ne_)).reindex(n_i.index).fillna(0.0)
    lq = {k: float(v) for k, v in slq.items() if n_i.get(k, 0) > 0}
    basis = (
        f"employment share {re_ / ne_:.4%} of {nation_code} (BRES); industry location quotients from BRES by SIC "
        "division (a split division's LQ given to each of its IOAT industries)"
    )
    return RegionalSize(re_ / ne_, basis, lq)


def regional_size(lads: Iterable[str], lsoa: pd.DataFrame | None, bres: pd.DataFrame | None = None) -> RegionalSize:
    """BRES employment when supplied, else population (`size_from_population`)."""
    if bres is not None:
        return size_from_bres(bres, lads)
    if lsoa is None:
        raise CwbError("regional size: needs BRES or the IMD 2019 LSOA table (cwb reference build)")
    return size_from_population(lsoa, lads)


def bres_file() -> Path | None:
    """BRES as `cwb reference download bres` saved it, or None when no one has."""
    path = raw_dir() / BRES_FILENAME
    return path if path.exists() else None


def regional_multipliers(multipliers: pd.DataFrame, a: pd.DataFrame, size: RegionalSize, delta: float) -> pd.DataFrame:
    """`load_multipliers`' table with `output_multiplier` regionalised by FLQ (the national one
    kept as `national_multiplier`): a drop-in for `sector_multipliers`."""
    regional = type1_multipliers(flq_coefficients(a, size, delta))
    out = multipliers.copy()
    out["national_multiplier"] = out["output_multiplier"]
    out["output_multiplier"] = out["ioat_code"].map(regional).fillna(out["output_multiplier"]).astype("float64")
    return out


def for_place(
    multipliers: pd.DataFrame, lads: Iterable[str], lsoa: pd.DataFrame | None, delta: float, bres: Path | None = None
) -> pd.DataFrame:
    """The regional table for a place (`regional_multipliers`), sized from BRES when it has been
    downloaded (`bres_file`), else from population; `regional_basis` says which and how."""
    path = bres if bres is not None else bres_file()
    size = regional_size(lads, lsoa, read_bres(path) if path else None)
    out = regional_multipliers(multipliers, load_coefficients(), size, delta)
    out["regional_basis"] = f"FLQ, delta {delta:g}, lambda {flq_lambda(size.share, delta):.3f}: {size.basis}"
    return out


def regional_basis(table: pd.DataFrame) -> str:
    """How a `for_place` table was regionalised, as one sentence for the report."""
    return f"Regional input-output multipliers ({REGIONAL_LABEL}): {table['regional_basis'].iloc[0]}."
