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
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..paths import shared_data_dir

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
