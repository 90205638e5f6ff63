"""Reference data: where every postcode is, which LADs make an area, IMD 2019, SIC 2007, registers,
public bodies.

Built once by `cwb reference build` into `cwbtools.paths.reference_dir()` (CONTRACTS §2); read with
the `load_*` functions below. IMD 2019 is England only: Welsh and Scottish places resolve to a LAD
(and LSOA in Wales) but carry no IMD decile.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

import pandas as pd

from .. import duck, paths
from ..errors import ConfigError, CwbError
from ..identifiers import postcode as normalise_postcode
from .build import build, build_geography
from .registers import REGISTER_COLUMNS, read_companies_house
from .tables import build_lsoa, build_sic, build_wards

__all__ = [
    "build",
    "load_postcodes",
    "load_outline",
    "load_postcode_districts",
    "lookup_postcodes",
    "load_geography",
    "load_lsoa",
    "load_wards",
    "load_sic",
    "load_registers",
    "load_public_bodies",
    "load_sources",
    "resolve_area",
    "read_companies_house",
    "build_lsoa",
    "build_sic",
    "build_wards",
    "build_geography",
    "REGISTER_COLUMNS",
    "register",
]


# Small tables a notebook reads more than once (the config's areas, the context, the map): kept
# per process while the file is unchanged. The postcodes, registers and public bodies are too big
# to keep, and read once per notebook anyway.
_KEPT = frozenset({"geography", "wards", "sic", "lsoa", "outline", "postcode_districts"})
_kept: dict[str, tuple[tuple, pd.DataFrame]] = {}


def _table(name: str, columns: list[str] | None = None, filters=None) -> pd.DataFrame:
    path = paths.reference_dir() / f"{name}.parquet"
    if not path.exists():
        raise CwbError(f"reference table missing: {path}; run `cwb reference build` first")
    if name not in _KEPT or filters is not None:
        return pd.read_parquet(path, columns=columns, filters=filters)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, tuple(columns) if columns is not None else None)
    hit = _kept.get(f"{name}:{key[3]}")
    if hit is None or hit[0] != key:
        hit = (key, pd.read_parquet(path, columns=columns))
        _kept[f"{name}:{key[3]}"] = hit
    # A frame of its own for each caller (copy-on-write: a change to it never reaches the kept one).
    return hit[1].copy(deep=False)


def load_postcodes(columns: list[str] | None = None) -> pd.DataFrame:
    """The whole postcode table (2.6M rows); ask only for the columns you need."""
    return _table("postcodes", columns)


def load_outline() -> pd.DataFrame:
    """The 1 km squares holding postcodes, by LAD (`postcodes.build_outline`): the map's land and areas."""
    return _table("outline")


def load_postcode_districts() -> pd.DataFrame:
    """Each postcode district's centre (mean of its live postcodes' grid references, metres)."""
    return _table("postcode_districts")


def load_geography() -> pd.DataFrame:
    return _table("geography")


def load_lsoa(columns: list[str] | None = None) -> pd.DataFrame:
    """LSOAs (2011) with their LAD, ward, IMD 2019 ranks and deciles and population; ask only for
    the columns you need."""
    return _table("lsoa", columns)


def load_wards() -> pd.DataFrame:
    return _table("wards")


def load_sic() -> pd.DataFrame:
    return _table("sic")


def load_registers(sources: Iterable[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Registers, optionally only some `source`s (`companies_house`, `gender_pay_gap`, ...)."""
    filters = [("source", "in", list(sources))] if sources is not None else None
    return _table("registers", columns, filters)


def load_public_bodies(columns: list[str] | None = None) -> pd.DataFrame:
    """Public bodies and their lookalikes, one row per name (`reference.public_bodies`)."""
    return _table("public_bodies", columns)


def load_sources() -> list[dict]:
    """Provenance of each source (name, file, date, licence, attribution, rows, present, note)."""
    path = paths.reference_dir() / "sources.json"
    if not path.exists():
        raise CwbError(f"reference provenance missing: {path}; run `cwb reference build` first")
    return json.loads(path.read_text())


def lookup_postcodes(postcodes: pd.Series) -> pd.DataFrame:
    """Locate each input postcode: one output row per input row, same index.

    Columns: `postcode` (normalised, NA when not a postcode), `found`, `terminated`, `lad_code`,
    `ward_code`, `ward19_code`, `county_code`, `msoa_code`, `lsoa_code`, `imd_decile` (England only).
    """
    postcodes = pd.Series(postcodes)
    norm = postcodes.map(lambda v: normalise_postcode(v) if isinstance(v, str) else None).astype("string")
    wanted = sorted(set(norm.dropna()))
    cols = ["postcode", "terminated", "lad_code", "ward_code", "ward19_code", "county_code", "msoa_code", "lsoa_code"]
    path = paths.reference_dir() / "postcodes.parquet"
    if not path.exists():
        raise CwbError(f"reference table missing: {path}; run `cwb reference build` first")
    lsoa = paths.reference_dir() / "lsoa.parquet"
    if not lsoa.exists():
        raise CwbError(f"reference table missing: {lsoa}; run `cwb reference build` first")
    # DuckDB semi-joins on the postcode column first and reads the other columns only for matches:
    # twice as fast as an Arrow filter when the lookups are spread over the whole table.
    con = duck.connect()
    try:
        con.register("wanted", pd.DataFrame({"postcode": pd.Series(wanted, dtype=object)}))
        found = con.execute(
            f"SELECT {', '.join('p.' + c for c in cols)}, l.imd_decile "
            "FROM read_parquet(?) p SEMI JOIN wanted USING (postcode) "
            "LEFT JOIN (SELECT lsoa_code, imd_decile FROM read_parquet(?)) l ON l.lsoa_code = p.lsoa_code",
            [str(path), str(lsoa)],
        ).fetchdf()
    finally:
        con.close()
    found = found.astype({c: "string" for c in cols if c != "terminated"})
    found["imd_decile"] = found["imd_decile"].astype("Int64")
    out = pd.DataFrame({"postcode": norm}, index=postcodes.index)
    merged = out.reset_index(drop=True).merge(found, on="postcode", how="left")
    merged.index = postcodes.index
    merged.insert(1, "found", merged["lad_code"].notna() | merged["lsoa_code"].notna())
    merged["terminated"] = merged["terminated"].astype("boolean")
    return merged


def _lads_by(geo: pd.DataFrame, column: str) -> dict[str, list[str]]:
    """Each name in `column` (sorted, blanks left out) -> its LAD codes, sorted."""
    groups: dict[str, list[str]] = {}
    for name, code in zip(geo[column], geo["lad_code"], strict=True):
        if not pd.isna(name):
            groups.setdefault(name, []).append(code)
    return {name: sorted(groups[name]) for name in sorted(groups)}


def _area_names() -> dict[str, tuple[str, list[str]]]:
    """Lower-case area name -> (display name, LAD codes) for counties, combined authorities, regions, LADs."""
    geo = load_geography()
    names: dict[str, tuple[str, list[str]]] = {}
    # LAD names first so that a county or region of the same name (rare) wins.
    for kind in ("lad", "county", "cauth", "region"):
        for name, codes in _lads_by(geo, f"{kind}_name").items():
            names[str(name).lower()] = (str(name), codes)
    # "North East" is both a region and a combined authority: the region wins the bare name, and
    # every combined authority also answers to its full title.
    for name, codes in _lads_by(geo, "cauth_name").items():
        names[f"{str(name).lower()} combined authority"] = (f"{name} Combined Authority", list(codes))
    return names


def resolve_area(name_or_codes: str | Iterable[str]) -> tuple[str, list[str]]:
    """`"Lancashire"` -> (`"Lancashire"`, its 12 district codes); a list of LAD codes -> themselves.

    Accepts LAD codes (one, a list, or comma-separated), or a LAD, county, combined authority or
    region name, case-insensitive. Unknown names raise `ConfigError` naming the nearest valid ones.
    """
    if isinstance(name_or_codes, str):
        parts = [p.strip() for p in name_or_codes.split(",")] if "," in name_or_codes else [name_or_codes.strip()]
    else:
        parts = [str(p).strip() for p in name_or_codes]
    geo = load_geography()
    lads = dict(zip(geo["lad_code"], geo["lad_name"]))
    if parts and all(p.upper() in lads for p in parts):
        codes = sorted({p.upper() for p in parts})
        display = lads[codes[0]] if len(codes) == 1 else ", ".join(lads[c] for c in codes)
        return display, codes
    if len(parts) == 1:
        names = _area_names()
        hit = names.get(parts[0].lower())
        if hit:
            return hit[0], list(hit[1])
        nearest = difflib.get_close_matches(parts[0].lower(), list(names), n=3, cutoff=0.5)
        nearest_txt = ", ".join(names[n][0] for n in nearest) or "none close"
        raise ConfigError(
            f"unknown area {parts[0]!r}: not a LAD code or a LAD, county, combined authority or region name; "
            f"nearest: {nearest_txt}"
        )
    unknown = [p for p in parts if p.upper() not in lads]
    raise ConfigError(f"unknown LAD code(s) {', '.join(unknown)} (codes are 2019 LADs, e.g. E07000123 for Preston)")
