"""Small reference tables built straight from the shared files: LSOA with IMD 2019, wards, SIC 2007.

Each builder reads the published file as published (BOMs, quoted thousands, header drift) and returns
a tidy DataFrame per CONTRACTS §2. IMD 2019 covers England only: Welsh LSOAs are present (they have
wards and LADs) but their IMD columns are NA.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._common import require_columns, require_file, to_int

IMD_DIR = "imd2019"
FILE1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
FILE2 = "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
FILE6 = "File_6_-_IoD2019_Population_Denominators.csv.gz"
LSOA_WARD_LAD = "ons-lookups/lsoa11_to_ward19_to_lad19.csv"
WARD_LAD = "ons-lookups/ward19_to_lad19.csv"
SIC_HIERARCHY = "sic2007/industrial-classification-2007.tsv"
SIC_CH = "sic2007/companies-house-sic-codes.tsv"

# File 2 header prefix -> short domain name used in `<domain>_rank` / `<domain>_decile`.
IMD_DOMAINS = {
    "Index of Multiple Deprivation": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "living_environment",
    "Income Deprivation Affecting Children Index": "idaci",
    "Income Deprivation Affecting Older People": "idaopi",
}


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    # utf-8-sig: the IoD files start with a BOM that would otherwise stick to the first header.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", **kwargs)


def _domain_of(header: str) -> tuple[str, str] | None:
    """`Income Decile (where 1 is ...)` -> (`income`, `decile`)."""
    h = re.sub(r"\s+", " ", header).strip()
    m = re.match(r"^(.*?)\s*(?:\(IMD\))?\s*(Rank|Decile|Score)\b", h)
    if not m:
        return None
    for prefix, short in sorted(IMD_DOMAINS.items(), key=lambda kv: -len(kv[0])):
        if m.group(1).startswith(prefix):
            return short, m.group(2).lower()
    return None


def build_lsoa(data_dir: Path) -> pd.DataFrame:
    """One row per LSOA 2011 (England and Wales): ward and LAD 2019, IMD 2019 ranks and deciles."""
    lookup = _read_csv(require_file(data_dir / LSOA_WARD_LAD, "LSOA to ward lookup"))
    require_columns(lookup, ["LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD"], data_dir / LSOA_WARD_LAD)
    out = lookup.rename(
        columns={
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "WD19CD": "ward_code",
            "WD19NM": "ward_name",
            "LAD19CD": "lad_code",
        }
    )
    out = out[["lsoa_code", "lsoa_name", "lad_code", "ward_code", "ward_name"]]

    f1 = _read_csv(require_file(data_dir / IMD_DIR / FILE1, "IMD 2019 File 1"))
    f1 = f1.rename(columns={f1.columns[0]: "lsoa_code"})
    cols = {c: _domain_of(c) for c in f1.columns}
    rank = next(c for c, d in cols.items() if d == ("imd", "rank"))
    decile = next(c for c, d in cols.items() if d == ("imd", "decile"))
    imd = pd.DataFrame({"lsoa_code": f1["lsoa_code"], "imd_rank": to_int(f1[rank]), "imd_decile": to_int(f1[decile])})

    f2 = _read_csv(require_file(data_dir / IMD_DIR / FILE2, "IMD 2019 File 2"))
    f2 = f2.rename(columns={f2.columns[0]: "lsoa_code"})
    domains = pd.DataFrame({"lsoa_code": f2["lsoa_code"]})
    for col in f2.columns:
        d = _domain_of(col)
        if d and d[0] != "imd" and d[1] in ("rank", "decile"):
            domains[f"{d[0]}_{d[1]}"] = to_int(f2[col])

    f6 = _read_csv(require_file(data_dir / IMD_DIR / FILE6, "IMD 2019 File 6"))
    total = next(c for c in f6.columns if c.lower().startswith("total population"))
    pop = pd.DataFrame({"lsoa_code": f6[f6.columns[0]], "population": to_int(f6[total])})

    out = out.merge(imd, on="lsoa_code", how="outer").merge(domains, on="lsoa_code", how="left")
    out = out.merge(pop, on="lsoa_code", how="left")
    # An English LSOA missing from the ward lookup would lose its LAD; take it from File 1 instead.
    lad_f1 = f1.set_index("lsoa_code")[f1.columns[2]]
    out["lad_code"] = out["lad_code"].fillna(out["lsoa_code"].map(lad_f1))
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].astype("string")
    return out.sort_values("lsoa_code").reset_index(drop=True)


def build_wards(data_dir: Path, current: pd.DataFrame | None = None) -> pd.DataFrame:
    """Wards with their 2019 LAD: the May 2019 UK list from ONS (`vintage='2019'`, the wards LSOAs
    best-fit), plus the current Code-Point Open wards postcodes carry (`vintage='current'`), given
    as `current` (ward_code, ward_name, lad_code). A code in both lists keeps its 2019 row."""
    path = require_file(data_dir / WARD_LAD, "ward to LAD lookup")
    w = _read_csv(path)
    require_columns(w, ["WD19CD", "WD19NM", "LAD19CD"], path)
    out = w.rename(columns={"WD19CD": "ward_code", "WD19NM": "ward_name", "LAD19CD": "lad_code"})
    out = out[["ward_code", "ward_name", "lad_code"]].drop_duplicates("ward_code")
    out["vintage"] = "2019"
    if current is not None and len(current):
        cur = current[["ward_code", "ward_name", "lad_code"]].copy()
        cur["vintage"] = "current"
        out = pd.concat([out, cur[~cur["ward_code"].isin(out["ward_code"])]], ignore_index=True)
    return out.astype("string").sort_values("ward_code").reset_index(drop=True)


def build_sic(data_dir: Path) -> pd.DataFrame:
    """Companies House 5-digit SIC codes with their SIC 2007 class, group, division and section.

    A Companies House code is the SIC class with one more digit: `62020` is class 62.02, `62012` is
    subclass 62.01/2. `74990` (non-trading), `98000` (residents' property management) and `99999`
    (dormant) are Companies House's own: they keep the division their digits name when it exists,
    and `99999` has no sector at all.
    """
    hpath = require_file(data_dir / SIC_HIERARCHY, "SIC 2007 hierarchy")
    h = pd.read_csv(hpath, sep="\t", dtype=str, keep_default_na=False)
    require_columns(h, ["industrial-classification-2007", "name", "parent"], hpath)
    h["code"] = h["industrial-classification-2007"].str.strip()
    h["parent"] = h["parent"].str.replace("industrial-classification-2007:", "", regex=False).str.strip()
    names = dict(zip(h["code"], h["name"]))
    parent = dict(zip(h["code"], h["parent"]))

    cpath = require_file(data_dir / SIC_CH, "Companies House SIC list")
    ch = pd.read_csv(cpath, sep="\t", dtype=str, keep_default_na=False)
    require_columns(ch, ["industrial-classification", "name"], cpath)
    rows = []
    for code, desc in zip(ch["industrial-classification"].str.strip(), ch["name"].str.strip()):
        if not re.fullmatch(r"\d{5}", code):
            continue
        division = code[:2]
        klass = f"{code[:2]}.{code[2:4]}"
        group = f"{code[:2]}.{code[2]}"
        if code == "99999" or division not in names:
            division = None
        section = parent.get(division) if division else None
        rows.append(
            {
                "sic_code": code,
                "sic_description": desc,
                "sic_class": klass if klass in names else None,
                "sic_group": group if group in names else None,
                "sic_division": division,
                "sic_division_name": names.get(division) if division else None,
                "sic_section": section,
                "sic_section_name": names.get(section) if section else None,
            }
        )
    return pd.DataFrame(rows).astype("string").sort_values("sic_code").reset_index(drop=True)


def load_region_lists() -> pd.DataFrame:
    """The package's LAD19 -> region / combined authority (and 2019 county) list for England."""
    path = Path(__file__).resolve().parents[1] / "data" / "lad19_region_cauth.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
