"""`cwb reference build`: every reference table, each step skipped when its inputs have not changed.

Each step's inputs (paths, sizes, mtimes, and the step's code version) are fingerprinted into
`build_state.json`; a step reruns only when its fingerprint changes, its output is missing or
`--force` is given. `sources.json` (provenance) is rewritten every run, `.built` last.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import paths
from ..errors import InputFileError
from . import cqc, tables
from . import postcodes as pc_mod
from . import public_bodies as pub
from . import registers as reg
from ._common import OGL, OS_ONS_ATTRIBUTION, fingerprint, read_json, write_json_atomic, write_parquet_atomic

STATE = "build_state.json"
# Bump a step's version when its code changes what it writes.
VERSIONS = {
    "lsoa": "1",
    "wards": "2",
    "sic": "1",
    "postcodes": "3",  # 3: Code-Point's easting and northing
    "outline": "1",
    "geography": "1",
    "registers": "2",
    "public_bodies": "2",  # 2: en-bloc families, GOV.UK agencies closed on a date
}
COUNTRIES = {"W": ("W92000004", "Wales"), "S": ("S92000003", "Scotland"), "N": ("N92000002", "Northern Ireland")}


def _log(msg: str) -> None:
    print(f"reference: {msg}", flush=True)


class _Step:
    def __init__(self, name: str, out: Path, inputs: list[Path | None], force: bool, state: dict, extra: str = ""):
        self.name, self.out = name, out
        self.fp = fingerprint(inputs, VERSIONS[name] + extra)
        prev = state.get(name, {})
        self.fresh = (not force) and out.exists() and prev.get("fingerprint") == self.fp
        self.state = state

    def done(self, counts: dict, started: float, **more) -> None:
        self.state[self.name] = {
            "fingerprint": self.fp,
            "counts": counts,
            "seconds": round(time.time() - started, 1),
            **more,
        }


def build_geography(data_dir: Path, lad_counties: pd.DataFrame | None) -> pd.DataFrame:
    """One row per LAD (2019): county (Code-Point majority, else the 2019 list), combined authority, region."""
    wpath = data_dir / tables.WARD_LAD
    w = pd.read_csv(wpath, dtype=str, encoding="utf-8-sig")
    lads = (
        w[["LAD19CD", "LAD19NM"]]
        .drop_duplicates("LAD19CD")
        .rename(columns={"LAD19CD": "lad_code", "LAD19NM": "lad_name"})
    )
    regions = tables.load_region_lists()
    out = lads.merge(regions.drop(columns=["lad_name"]), on="lad_code", how="outer")
    out["lad_name"] = out["lad_name"].fillna(out["lad_code"].map(regions.set_index("lad_code")["lad_name"]))
    out = out.rename(columns={"county_code": "county_code_2019", "county_name": "county_name_2019"})
    if lad_counties is not None and len(lad_counties):
        m = lad_counties.set_index("lad_code")
        out["county_code"] = out["lad_code"].map(m["county_code"])
        out["county_name"] = out["lad_code"].map(m["county_name"])
    else:
        out["county_code"] = None
        out["county_name"] = None
    # Counties abolished since 2019 (Cumbria, North Yorkshire, ...) are absent from today's Code-Point.
    missing = out["county_code"].isna()
    out.loc[missing, "county_code"] = out.loc[missing, "county_code_2019"]
    out.loc[missing, "county_name"] = out.loc[missing, "county_name_2019"]
    for prefix, (code, name) in COUNTRIES.items():
        nation = out["lad_code"].str.startswith(prefix)
        out.loc[nation & out["region_code"].isna(), "region_code"] = code
        out.loc[nation & out["region_name"].isna(), "region_name"] = name
    cols = [
        "lad_code",
        "lad_name",
        "county_code",
        "county_name",
        "cauth_code",
        "cauth_name",
        "region_code",
        "region_name",
    ]
    return out[cols].astype("string").sort_values("lad_code").reset_index(drop=True)


def _companies_file(arg: str | None, state: dict) -> Path | None:
    if arg:
        path = Path(arg).expanduser().resolve()
        if not path.exists():
            raise InputFileError(f"--companies: file not found: {path}")
        return path
    prev = state.get("registers", {}).get("companies_file")
    if prev and Path(prev).exists():
        _log(f"keeping Companies House from the previous build: {prev}")
        return Path(prev)
    return None


def _write_registers(out: Path, open_regs: pd.DataFrame, companies: Path | None) -> dict:
    counts = open_regs["source"].value_counts().to_dict()
    if companies is None:
        write_parquet_atomic(open_regs, out)
        return counts
    schema = pa.Schema.from_pandas(open_regs, preserve_index=False)
    tmp = out.with_suffix(".parquet.tmp")
    large = reg.gpg_large_company_numbers(open_regs)
    n = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        writer.write_table(pa.Table.from_pandas(open_regs, schema=schema, preserve_index=False))
        workers = max(1, min(4, os.cpu_count() or 1))
        for chunk in reg.read_companies_house(companies, large_company_numbers=large, workers=workers):
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
            n += len(chunk)
            _log(f"  companies house: {n:,} rows")
    tmp.replace(out)
    counts["companies_house"] = n
    return counts


def build(
    companies: str | None = None,
    postcodes_file: str | None = None,
    force: bool = False,
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    raw: Path | None = None,
) -> dict:
    """Build (or bring up to date) every reference table; returns the build state."""
    data_dir = data_dir or paths.shared_data_dir()
    out_dir = out_dir or paths.reference_dir()
    raw = raw or paths.raw_dir()
    ref = data_dir / "reference"
    if not ref.exists():
        raise InputFileError(f"shared reference data not found: {ref} (set CWB_DATA to the shared data folder)")
    out_dir.mkdir(parents=True, exist_ok=True)
    state = read_json(out_dir / STATE, {})
    stamp = out_dir / ".built"
    user_pc = Path(postcodes_file).expanduser().resolve() if postcodes_file else None
    if user_pc and not user_pc.exists():
        raise InputFileError(f"--postcodes: file not found: {user_pc}")
    ch = _companies_file(companies, state)
    total = time.time()

    def run(step: _Step, fn) -> None:
        if step.fresh:
            _log(f"{step.name}: up to date")
            return
        stamp.unlink(missing_ok=True)
        started = time.time()
        _log(f"{step.name}: building")
        counts, more = fn()
        step.done(counts, started, **more)
        write_json_atomic(out_dir / STATE, state)
        _log(f"{step.name}: done in {time.time() - started:.1f}s {counts}")

    lsoa_inputs = [ref / tables.LSOA_WARD_LAD] + [
        ref / tables.IMD_DIR / f for f in (tables.FILE1, tables.FILE2, tables.FILE6)
    ]

    def do_lsoa():
        df = tables.build_lsoa(ref)
        write_parquet_atomic(df, out_dir / "lsoa.parquet")
        return {"rows": len(df), "with_imd": int(df["imd_decile"].notna().sum())}, {}

    run(_Step("lsoa", out_dir / "lsoa.parquet", lsoa_inputs, force, state), do_lsoa)

    def do_sic():
        df = tables.build_sic(ref)
        write_parquet_atomic(df, out_dir / "sic.parquet")
        return {"rows": len(df)}, {}

    run(_Step("sic", out_dir / "sic.parquet", [ref / tables.SIC_HIERARCHY, ref / tables.SIC_CH], force, state), do_sic)

    wheel = raw / pc_mod.WHEEL_NAME
    pc_inputs = [ref / tables.LSOA_WARD_LAD, user_pc, wheel if wheel.exists() else None]
    pc_step = _Step("postcodes", out_dir / "postcodes.parquet", pc_inputs, force, state)
    if pc_step.fresh and not all((out_dir / f).exists() for f in ("_lad_counties.parquet", "_cpo_wards.parquet")):
        pc_step.fresh = False

    def do_postcodes():
        lsoa = pd.read_parquet(out_dir / "lsoa.parquet", columns=["lsoa_code", "lad_code", "ward_code"])
        counts = pc_mod.build_postcodes(out_dir / "postcodes.parquet", ref, raw, lsoa, user_pc)
        # The wheel may have just been downloaded: fingerprint what was actually used.
        pc_step.fp = fingerprint([ref / tables.LSOA_WARD_LAD, user_pc, raw / pc_mod.WHEEL_NAME], VERSIONS["postcodes"])
        return counts, {"postcodes_file": str(user_pc) if user_pc else None}

    run(pc_step, do_postcodes)

    # The map's outline and postcode-district centres, from the postcodes' grid references.
    outline_step = _Step("outline", out_dir / pc_mod.OUTLINE, [out_dir / "postcodes.parquet"], force, state)
    if outline_step.fresh and not (out_dir / pc_mod.POSTCODE_DISTRICTS).exists():
        outline_step.fresh = False
    run(outline_step, lambda: (pc_mod.build_outline(out_dir / "postcodes.parquet"), {}))

    cpo_wards = out_dir / "_cpo_wards.parquet"

    def do_wards():
        df = tables.build_wards(ref, pd.read_parquet(cpo_wards) if cpo_wards.exists() else None)
        write_parquet_atomic(df, out_dir / "wards.parquet")
        return {"rows": len(df), "current": int((df["vintage"] == "current").sum())}, {}

    run(
        _Step(
            "wards",
            out_dir / "wards.parquet",
            [ref / tables.WARD_LAD, cpo_wards if cpo_wards.exists() else None],
            force,
            state,
        ),
        do_wards,
    )

    counties = out_dir / "_lad_counties.parquet"

    def do_geography():
        df = build_geography(ref, pd.read_parquet(counties) if counties.exists() else None)
        write_parquet_atomic(df, out_dir / "geography.parquet")
        return {"rows": len(df), "with_region": int(df["region_code"].notna().sum())}, {}

    pkg_csv = Path(tables.__file__).resolve().parents[1] / "data" / "lad19_region_cauth.csv"
    run(
        _Step(
            "geography",
            out_dir / "geography.parquet",
            [ref / tables.WARD_LAD, pkg_csv, counties if counties.exists() else None],
            force,
            state,
        ),
        do_geography,
    )

    reg_inputs = sorted(
        p for pat in ("nhs-ods/*.csv", reg.GPG_GLOB, reg.COOPS_FILE, reg.CHARITY_GLOB) for p in ref.glob(pat)
    )

    # The CQC care directory, when downloaded (`cwb reference download cqc`): care homes at their sites.
    cqc_file = cqc.find(raw)

    def do_registers():
        open_regs = reg.build_open_registers(ref)
        if cqc_file is not None:
            open_regs = pd.concat([open_regs, cqc.read_cqc_directory(cqc_file)], ignore_index=True)
        counts = _write_registers(out_dir / "registers.parquet", open_regs, ch)
        return counts, {"companies_file": str(ch) if ch else None, "cqc_file": str(cqc_file) if cqc_file else None}

    extra = [cqc_file] if cqc_file is not None else []
    run(_Step("registers", out_dir / "registers.parquet", [*reg_inputs, ch, *extra], force, state), do_registers)

    def do_public_bodies():
        df = pub.build_public_bodies(ref)
        write_parquet_atomic(df, out_dir / "public_bodies.parquet")
        bodies = df.drop_duplicates("body_id")
        return {"rows": len(df), "bodies": len(bodies), **bodies["source"].value_counts().to_dict()}, {}

    present = [p for p in pub.input_paths(ref) if p.exists()]
    run(_Step("public_bodies", out_dir / "public_bodies.parquet", present, force, state), do_public_bodies)

    write_json_atomic(out_dir / "sources.json", sources(state, ref, raw, ch))
    stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S") + "\n")
    _log(f"all tables in {out_dir} ({time.time() - total:.1f}s)")
    return state


def sources(state: dict, ref: Path, raw: Path, companies: Path | None) -> list[dict]:
    """Provenance of every source the build knows of, present or not."""

    def counts(step: str, key: str = "rows") -> int | None:
        return state.get(step, {}).get("counts", {}).get(key)

    reg_counts = state.get("registers", {}).get("counts", {})
    pc_state = state.get("postcodes", {})
    pc_file = pc_state.get("postcodes_file")
    pc_counts = pc_state.get("counts", {})
    out = [
        {
            "name": "ONS postcode to OA / LSOA11 / MSOA11 / LAD lookup, May 2022"
            if not pc_file
            else "Postcode lookup supplied by the user",
            "file": pc_file or f"{raw / pc_mod.WHEEL_NAME}!{pc_mod.ONS_MEMBER}",
            "date": "2022-05" if not pc_file else None,
            "licence": OGL,
            "attribution": OS_ONS_ATTRIBUTION,
            "rows": pc_counts.get("rows"),
            "note": f"Northern Ireland (BT) postcodes dropped ({pc_counts.get('dropped_bt', 0):,} rows): their commercial use needs a separate licence; "
            f"{pc_counts.get('dropped_invalid', 0):,} non-standard codes (GIR 0AA, pre-1985 NPT) dropped; "
            f"{pc_counts.get('terminated', 0):,} terminated postcodes kept and flagged",
        },
        {
            "name": "OS Code-Point Open (ward, county and grid reference of live postcodes)",
            "file": f"{raw / pc_mod.WHEEL_NAME}!{pc_mod.CPO_MEMBER}",
            "date": "2025-04",
            "licence": OGL,
            "attribution": OS_ONS_ATTRIBUTION,
            "rows": pc_counts.get("with_ward"),
        },
        {
            "name": "English Indices of Deprivation 2019 (Files 1, 2, 6)",
            "file": str(ref / tables.IMD_DIR),
            "date": "2019-09-26",
            "licence": OGL,
            "attribution": "English Indices of Deprivation 2019, MHCLG, OGL v3.0",
            "rows": counts("lsoa", "with_imd"),
            "note": "England only: Welsh, Scottish and other locations have no IMD decile",
        },
        {
            "name": "ONS LSOA (2011) to ward (2019) to LAD (2019) best-fit lookup",
            "file": str(ref / tables.LSOA_WARD_LAD),
            "date": "2019",
            "licence": OGL,
            "attribution": "Source: Office for National Statistics, OGL v3.0",
            "rows": counts("lsoa"),
        },
        {
            "name": "ONS ward (2019) to LAD (2019) lookup",
            "file": str(ref / tables.WARD_LAD),
            "date": "2019",
            "licence": OGL,
            "attribution": "Source: Office for National Statistics, OGL v3.0",
            "rows": counts("wards"),
        },
        {
            "name": "UK SIC 2007 hierarchy and Companies House SIC list",
            "file": str(ref / "sic2007"),
            "date": "2007",
            "licence": OGL,
            "attribution": "ONS / Companies House, OGL v3.0",
            "rows": counts("sic"),
        },
        {
            "name": "LAD (2019) to region and combined authority (cwbtools package list)",
            "file": "cwbtools/data/lad19_region_cauth.csv",
            "date": "2019-12",
            "licence": OGL,
            "attribution": "Source: Office for National Statistics, OGL v3.0",
            "rows": counts("geography", "with_region"),
            "note": "compiled for cwbtools from ONS's 2019 LAD to region (RGN19) and combined authority (CAUTH19) lists; "
            "English LADs only (Wales and Scotland are given their country as region)",
        },
        {
            "name": "NHS ODS trusts and CCG / ICB sites",
            "file": str(ref / "nhs-ods"),
            "date": None,
            "licence": OGL,
            "attribution": "NHS Digital ODS, OGL v3.0",
            "rows": reg_counts.get("nhs_ods", 0),
        },
        {
            "name": "Gender Pay Gap reporting employers, all years",
            "file": str(ref / "gender-pay-gap"),
            "date": "2017-18 to 2022-23",
            "licence": OGL,
            "attribution": "GOV.UK Gender Pay Gap service, OGL v3.0",
            "rows": reg_counts.get("gender_pay_gap", 0),
        },
        {
            "name": "Co-operatives UK open data",
            "file": str(ref / reg.COOPS_FILE),
            "date": "2023",
            "licence": "ODC-By 1.0",
            "attribution": "Co-operatives UK open data, ODC-By 1.0",
            "rows": reg_counts.get("coops_uk", 0),
        },
        {
            "name": "Charity Commission register",
            "file": str(ref / "charities"),
            "date": None,
            "licence": OGL,
            "attribution": "Charity Commission for England and Wales, OGL v3.0",
            "rows": reg_counts.get("charity_commission", 0),
            "note": "the shared data holds only the charities operating in Trafford: other charities are matched only by number or not at all",
        },
        {
            "name": "Companies House BasicCompanyData",
            "file": str(companies) if companies else None,
            "date": None,
            "licence": "Companies House, free to reuse (OGL v3.0)",
            "attribution": "Contains Companies House data, OGL v3.0",
            "rows": reg_counts.get("companies_house", 0),
            "note": None
            if companies
            else "absent: not supplied (`cwb reference download companies-house`, then `cwb reference build "
            "--companies FILE`); without it most firms are neither located nor sized, and those found are placed "
            "at a head office",
        },
        {
            "name": "CQC care directory (care homes and home-care agencies)",
            "file": state.get("registers", {}).get("cqc_file"),
            "date": None,
            "licence": OGL,
            "attribution": "Care Quality Commission, OGL v3.0",
            "rows": reg_counts.get(cqc.SOURCE, 0),
            "note": None
            if reg_counts.get(cqc.SOURCE)
            else "absent: not downloaded (`cwb reference download cqc --url URL`); care homes and home-care "
            "agencies are placed at their operator's office, not where they care",
        },
    ]
    out += pub.provenance(state.get("public_bodies", {}).get("counts", {}), ref)
    for s in out:
        s["present"] = bool(s["rows"])
    return out
