"""Out-of-core baseline aggregates: DuckDB over parquet, small pandas frames out.

For spend too big for pandas (a combined authority, every English council: tens of millions of
payments), the baseline tables of `cwbtools.analysis` are computed by DuckDB directly over parquet,
so a notebook only ever holds aggregates. Each function here returns the same frame, to the penny
and with the same shares, as its namesake in `analysis` run on the whole spend frame in memory
(tests/test_aggregate.py holds them to that).

Two sources:

- `open_spend(path)`: spend parquet (CONTRACTS §4), one file, a folder or a glob;
- `open_transactions(transactions, suppliers, place_lads, wider_lads)`: ingest's partitioned
  transactions (CONTRACTS §1, `anchor=<a>/financial_year=<y>/part-*.parquet`) joined to the
  suppliers table (§3) on `supplier_key`, with place / wider / outside worked out here the way
  the pipeline does. When the transactions carry no `supplier_key`, it is computed by
  `cwbtools.suppliers.supplier_key` on the distinct supplier columns only (a few hundred thousand
  rows, never the payments) and joined back.

Money is summed as BIGINT in DuckDB (exact) and only divided, in pandas, for shares.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import analysis, duck
from .errors import CwbError

# The same words and orders as `analysis`: one definition, so the two routes print the same tables.
from .analysis import ALL_ANCHORS, BUSINESS_TYPE_NAMES
from .schema import GEO_ORDER, INDIVIDUALS_KEY, INDIVIDUALS_LABEL, SUPPLIER_TYPES

# Columns the key function may read; anchor is included because a ledger's own supplier id only
# means something within its anchor.
_KEY_SOURCE_COLUMNS = ["anchor", "supplier_name", "supplier_id", "company_number", "charity_number",
                       "other_id", "vat_number", "postcode", "individual", "redacted"]
_SUPPLIER_COLUMNS = ["supplier_name", "supplier_type", "lad_code", "ward_code", "lsoa_code", "imd_decile",
                     "sic_code", "sic_section", "sic_division", "resolved_by"]


@dataclass
class SpendSource:
    """A DuckDB connection holding a row-level `spend` view (the CONTRACTS §4 columns the aggregates
    use) and, built on first use, `cube`: spend summed per anchor, year, supplier and supplier
    attributes. Every aggregate reads the cube (many times fewer rows than payments: suppliers
    are paid again and again) except where it must look at single payments."""

    con: duckdb.DuckDBPyConnection
    description: str
    cube_sql: str = ""
    _params: dict = field(default_factory=dict)
    _cube_built: bool = False
    _years: list[str] | None = None

    def sql(self, query: str, params: Sequence | None = None) -> pd.DataFrame:
        if "cube" in query and not self._cube_built:
            self.build_cube()
        return self.con.execute(query, params or []).df()

    def build_cube(self) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE cube AS {self.cube_sql}")
        self._cube_built = True
        self._years = None

    def years(self) -> list[str]:
        if self._years is None:
            self._years = list(self.sql(
                "SELECT DISTINCT financial_year FROM cube WHERE financial_year IS NOT NULL ORDER BY 1")["financial_year"])
        return list(self._years)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> SpendSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(memory_limit: str | None = None, threads: int | None = None,
            temp_directory: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to disk rather than fail when a join outgrows memory."""
    con = duck.connect()
    con.execute(f"SET memory_limit = '{memory_limit or os.environ.get('CWB_DUCKDB_MEMORY', '6GB')}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    # Spill files go to the system temp folder, never `.tmp/` in whatever folder the notebook runs.
    spill = Path(temp_directory) if temp_directory else Path(tempfile.gettempdir()) / "cwbtools-duckdb"
    con.execute(f"SET temp_directory = {_quote(str(spill))}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _parquet_glob(path: str | Path) -> str:
    """A folder means every parquet file under it; a glob or a file is taken as given."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        return text
    p = Path(text)
    if p.is_dir():
        return str(p / "**" / "*.parquet")
    if not p.exists():
        raise CwbError(f"{p}: no such parquet file or folder")
    return str(p)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _read(con: duckdb.DuckDBPyConnection, path: str | Path, ordered: bool = False) -> tuple[str, list[str]]:
    """`read_parquet(...)` over a file, folder or glob. Hive partition folders (`anchor=<a>/
    financial_year=<y>/`) supply those columns only when the files do not carry them.

    `ordered` adds filename and file_row_number, each payment's place in the files: the "first"
    name of a supplier is then the same as pandas' first over the frame read from those files.
    They are dear (a third of a scan's time), so only the row-level view asks for them."""
    glob = _parquet_glob(path)
    opts = "union_by_name = true" + (", filename = true, file_row_number = true" if ordered else "")
    plain = f"read_parquet({_quote(glob)}, hive_partitioning = false, {opts})"
    try:
        cols = _columns(con, plain)
    except duckdb.Error as exc:
        raise CwbError(f"{path}: cannot be read as parquet ({str(exc).splitlines()[0]})") from None
    if {"anchor", "financial_year"} <= set(cols):
        return plain, cols
    hive = f"read_parquet({_quote(glob)}, hive_partitioning = true, hive_types_autocast = false, {opts})"
    return hive, _columns(con, hive)


def _fy_expr(column: str = "financial_year") -> str:
    # A partition folder cannot hold `/`: `2019%2F20` (URI-encoded) or `2019-20` both mean 2019/20.
    return (f"regexp_replace(replace(CAST({column} AS VARCHAR), '%2F', '/'), "
            f"'^([0-9]{{4}})-([0-9]{{2}})$', '\\1/\\2')")


def open_spend(path: str | Path, con: duckdb.DuckDBPyConnection | None = None) -> SpendSource:
    """A source over spend parquet already carrying geo, located, in_place, in_wider (§4)."""
    con = con or connect()
    relation, cols = _read(con, path, ordered=True)
    need = {"anchor", "financial_year", "amount_pence", "supplier_key"}
    missing = need - set(cols)
    if missing:
        raise CwbError(f"{path}: spend parquet lacks column(s) {', '.join(sorted(missing))}")

    def col(name: str, default: str) -> str:
        return name if name in cols else f"{default} AS {name}"

    def raw(name: str, default: str) -> str:
        return name if name in cols else default

    located = "located" if "located" in cols else "(lad_code IS NOT NULL)"
    view = f"""
        SELECT CAST(anchor AS VARCHAR) AS anchor, @FY@ AS financial_year,
               CAST(amount_pence AS BIGINT) AS amount_pence, supplier_key,
               {col('supplier_name', 'NULL::VARCHAR')}, {col('supplier_type', 'NULL::VARCHAR')},
               {col('individual', 'false')}, {col('lad_code', 'NULL::VARCHAR')},
               {col('imd_decile', 'NULL::BIGINT')}, {col('sic_section', 'NULL::VARCHAR')},
               {col('sic_division', 'NULL::VARCHAR')}, COALESCE({located}, false) AS located,
               {col('geo', 'NULL::VARCHAR')},
               COALESCE({raw('in_place', 'false')}, false) AS in_place,
               COALESCE({raw('in_wider', 'false')}, false) AS in_wider,
               @ORDER@
        FROM @REL@
    """
    con.execute("CREATE OR REPLACE VIEW spend AS " + view.replace("@FY@", _fy_expr()).replace(
        "@ORDER@", "struct_pack(f := filename, r := file_row_number) AS _ord").replace("@REL@", relation))
    plain, _ = _read(con, path)
    # The year is spelt out after grouping: a regex per payment would cost a third of the scan.
    con.execute("CREATE OR REPLACE VIEW spend_plain AS " + view.replace("@FY@", "financial_year").replace(
        "@ORDER@", "NULL AS _ord").replace("@REL@", plain))
    cube_sql = f"""SELECT * REPLACE ({_fy_expr()} AS financial_year)
                   FROM ({_CUBE_SQL.format(source="spend_plain")})"""
    return SpendSource(con, f"spend {path}", cube_sql=cube_sql)


# The attributes every aggregate groups or filters by, then the money and the names.
_CUBE_KEYS = ("anchor, financial_year, supplier_key, supplier_type, individual, lad_code, imd_decile, "
              "sic_section, sic_division, located, geo, in_place, in_wider")
_CUBE_SQL = f"""
    SELECT {_CUBE_KEYS},
           CAST(SUM(amount_pence) AS BIGINT) AS amount_pence, COUNT(*) AS payments,
           min(COALESCE(supplier_name, '')) AS name_min, max(COALESCE(supplier_name, '')) AS name_max
    FROM {{source}} GROUP BY {_CUBE_KEYS}
"""


def open_transactions(transactions: str | Path, suppliers: str | Path | pd.DataFrame,
                      place_lads: Iterable[str], wider_lads: Iterable[str] = (),
                      con: duckdb.DuckDBPyConnection | None = None) -> SpendSource:
    """A source joining partitioned transactions (§1) to suppliers (§3) on `supplier_key`.

    `place_lads` are the place's LAD codes, `wider_lads` the wider area's (the place is counted in
    the wider area whether listed or not, as CLES counts it). Payments to individuals take
    `supplier_type = 'individual'` whatever the suppliers table says.
    """
    con = con or connect()
    place = sorted({str(x) for x in place_lads})
    wider = sorted({str(x) for x in wider_lads} | set(place))
    if not place:
        raise CwbError("open_transactions: the place needs at least one LAD code")
    relation, cols = _read(con, transactions, ordered=True)
    cols = [c for c in cols if c not in ("filename", "file_row_number")]
    for needed in ("anchor", "financial_year", "amount_pence"):
        if needed not in cols:
            raise CwbError(f"{transactions}: transactions parquet lacks column {needed!r}")
    con.execute(f"CREATE OR REPLACE VIEW tx_raw AS SELECT * FROM {relation}")
    plain, _ = _read(con, transactions)
    con.execute(f"CREATE OR REPLACE VIEW tx_plain AS SELECT * FROM {plain}")

    if isinstance(suppliers, pd.DataFrame):
        con.register("suppliers_df", suppliers)
        con.execute("CREATE OR REPLACE VIEW suppliers AS SELECT * FROM suppliers_df")
    else:
        sup_rel, _ = _read(con, suppliers) if Path(str(suppliers)).is_dir() else (
            f"read_parquet({_quote(_parquet_glob(suppliers))})", None)
        con.execute(f"CREATE OR REPLACE VIEW suppliers AS SELECT * FROM {sup_rel}")
    sup_cols = set(_columns(con, "suppliers"))
    if "supplier_key" not in sup_cols:
        raise CwbError(f"{suppliers}: suppliers table lacks column 'supplier_key'")
    dupes = con.execute("""SELECT supplier_key, COUNT(*) AS n FROM suppliers GROUP BY 1 HAVING n > 1
                           ORDER BY n DESC, 1 LIMIT 3""").fetchall()
    if dupes:
        # A key twice in the suppliers table would count its payments twice.
        raise CwbError(f"{suppliers}: supplier_key is not unique ({', '.join(f'{k!r} x{n}' for k, n in dupes)})")

    if "supplier_key" in cols:
        con.execute("CREATE OR REPLACE VIEW tx AS SELECT * FROM tx_raw")
        con.execute("CREATE OR REPLACE VIEW tx_cube_input AS SELECT * FROM tx_plain")
    else:
        _attach_supplier_keys(con, [c for c in _KEY_SOURCE_COLUMNS if c in cols])

    def s(name: str, cast: str = "VARCHAR") -> str:
        return f"s.{name}" if name in sup_cols else f"NULL::{cast}"

    individual = "COALESCE(t.individual, false)" if "individual" in cols else "false"
    name_expr = ("COALESCE(s.supplier_name, t.supplier_name)" if "supplier_name" in sup_cols and "supplier_name" in cols
                 else (s("supplier_name") if "supplier_name" in sup_cols else "t.supplier_name"))
    place_sql = ", ".join(_quote(x) for x in place)
    wider_sql = ", ".join(_quote(x) for x in wider)
    con.execute(f"""
        CREATE OR REPLACE VIEW spend AS
        WITH j AS (
            SELECT CAST(t.anchor AS VARCHAR) AS anchor, {_fy_expr('t.financial_year')} AS financial_year,
                   CAST(t.amount_pence AS BIGINT) AS amount_pence, t.supplier_key,
                   {name_expr} AS supplier_name,
                   CASE WHEN {individual} THEN 'individual' ELSE {s('supplier_type')} END AS supplier_type,
                   {individual} AS individual,
                   {s('lad_code')} AS lad_code, CAST({s('imd_decile', 'BIGINT')} AS BIGINT) AS imd_decile,
                   {s('sic_section')} AS sic_section, {s('sic_division')} AS sic_division,
                   struct_pack(f := t.filename, r := t.file_row_number) AS _ord
            FROM tx t LEFT JOIN suppliers s ON t.supplier_key = s.supplier_key
        )
        SELECT *, lad_code IS NOT NULL AS located,
               CASE WHEN lad_code IS NULL THEN 'unlocated' WHEN lad_code IN ({place_sql}) THEN 'place'
                    WHEN lad_code IN ({wider_sql}) THEN 'wider' ELSE 'outside' END AS geo,
               COALESCE(lad_code IN ({place_sql}), false) AS in_place,
               COALESCE(lad_code IN ({wider_sql}), false) AS in_wider
        FROM j
    """)
    # Sum the payments per anchor, year and supplier before the join: the join then meets a
    # fraction of the rows.
    tx_name = "COALESCE(supplier_name, '')" if "supplier_name" in cols else "''"
    sup_name = "s.supplier_name" if "supplier_name" in sup_cols else "NULL::VARCHAR"
    cube_sql = f"""
        WITH t0 AS (
            SELECT anchor, financial_year, supplier_key, {individual.replace('t.', '')} AS individual,
                   CAST(SUM(amount_pence) AS BIGINT) AS amount_pence, COUNT(*) AS payments,
                   min({tx_name}) AS name_min, max({tx_name}) AS name_max
            FROM tx_cube_input GROUP BY ALL
        ), t AS (
            SELECT * REPLACE (CAST(anchor AS VARCHAR) AS anchor, {_fy_expr()} AS financial_year) FROM t0
        ), j AS (
            SELECT t.anchor, t.financial_year, t.supplier_key,
                   CASE WHEN t.individual THEN 'individual' ELSE {s('supplier_type')} END AS supplier_type,
                   t.individual, {s('lad_code')} AS lad_code,
                   CAST({s('imd_decile', 'BIGINT')} AS BIGINT) AS imd_decile,
                   {s('sic_section')} AS sic_section, {s('sic_division')} AS sic_division,
                   t.amount_pence, t.payments,
                   COALESCE({sup_name}, t.name_min) AS name_min, COALESCE({sup_name}, t.name_max) AS name_max
            FROM t LEFT JOIN suppliers s ON t.supplier_key = s.supplier_key
        )
        SELECT anchor, financial_year, supplier_key, supplier_type, individual, lad_code, imd_decile,
               sic_section, sic_division, lad_code IS NOT NULL AS located,
               CASE WHEN lad_code IS NULL THEN 'unlocated' WHEN lad_code IN ({place_sql}) THEN 'place'
                    WHEN lad_code IN ({wider_sql}) THEN 'wider' ELSE 'outside' END AS geo,
               COALESCE(lad_code IN ({place_sql}), false) AS in_place,
               COALESCE(lad_code IN ({wider_sql}), false) AS in_wider,
               amount_pence, payments, name_min, name_max
        FROM j
    """
    return SpendSource(con, f"transactions {transactions} x suppliers {suppliers}", cube_sql=cube_sql,
                       _params={"place": place, "wider": wider})


def _attach_supplier_keys(con: duckdb.DuckDBPyConnection, key_cols: list[str]) -> None:
    """`tx` = `tx_raw` plus `supplier_key`, computed once per distinct supplier, never per payment."""
    try:
        from .suppliers import supplier_key
    except ImportError as exc:  # the suppliers stage not installed
        raise CwbError("transactions carry no supplier_key and cwbtools.suppliers.supplier_key is not available"
                       ) from exc
    select = ", ".join(key_cols)
    distinct = con.execute(f"SELECT DISTINCT {select} FROM tx_plain").df()
    keys = distinct.copy()
    keys["supplier_key"] = supplier_key(distinct).astype("string").to_numpy()
    con.register("supplier_keys_df", keys)
    con.execute("CREATE OR REPLACE TEMP TABLE supplier_keys AS SELECT * FROM supplier_keys_df")
    on = " AND ".join(f"t.{c} IS NOT DISTINCT FROM k.{c}" for c in key_cols)
    for view, raw in (("tx", "tx_raw"), ("tx_cube_input", "tx_plain")):
        con.execute(f"""CREATE OR REPLACE VIEW {view} AS
                        SELECT t.*, k.supplier_key FROM {raw} t LEFT JOIN supplier_keys k ON {on}""")


# --------------------------------------------------------------------------------------------
# Filters


def _where(year: str | None = None, anchor: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    if year is not None:
        clauses.append("financial_year = ?")
        params.append(str(year))
    if anchor is not None:
        clauses.append("anchor = ?")
        params.append(str(anchor))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _check_year(src: SpendSource, year: str | None) -> None:
    if year is None:
        return
    years = src.years()
    if str(year) not in years:
        raise CwbError(f"financial year {year!r} has no spend; the spend covers {', '.join(years) or 'no years'}")


def _ratio(num, den) -> float:
    return float(num) / float(den) if den else float("nan")


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype("float64")
    return (num.astype("float64") / den.where(den != 0)).astype("float64")


def _bounded(part: int, known: int, total: int) -> dict[str, float]:
    unknown = total - known
    return {"share": _ratio(part, known), "lo": _ratio(part, total), "hi": _ratio(part + unknown, total),
            "coverage": _ratio(known, total)}


def _int64(df: pd.DataFrame, cols: Iterable[str]) -> pd.DataFrame:
    for c in cols:
        df[c] = df[c].fillna(0).astype("int64")
    return df


# --------------------------------------------------------------------------------------------
# 1. Headline


_MEASURE_SQL = """
    CAST(COALESCE(SUM(amount_pence), 0) AS BIGINT) AS total,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located), 0) AS BIGINT) AS located,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_place), 0) AS BIGINT) AS place,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_wider), 0) AS BIGINT) AS wider,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE COALESCE(supplier_type, 'unknown') <> 'unknown'), 0) AS BIGINT) AS typed,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE supplier_type = 'sme'), 0) AS BIGINT) AS sme,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE supplier_type = 'vcse'), 0) AS BIGINT) AS vcse,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE imd_decile IS NOT NULL), 0) AS BIGINT) AS with_decile,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE imd_decile IN ({deciles})), 0) AS BIGINT) AS deprived,
    CAST(COALESCE(SUM(payments), 0) AS BIGINT) AS payments
"""


def _suppliers(src: SpendSource, keys: dict[str, str], where: str, params: list) -> pd.DataFrame:
    """Distinct suppliers per group (`alias: expression`), as pandas' nunique counts them (no NA).

    DuckDB's COUNT(DISTINCT) inside a grouped aggregate sorts per group; a DISTINCT then a count
    hashes once, several times faster on millions of rows."""
    cond = f"{where} AND supplier_key IS NOT NULL" if where else "WHERE supplier_key IS NOT NULL"
    inner = ", ".join([f"{expr} AS {alias}" for alias, expr in keys.items()] + ["supplier_key"])
    outer = ", ".join(keys)
    group = f"GROUP BY {outer}" if keys else ""
    return src.sql(f"""SELECT {outer + ", " if keys else ""}COUNT(*) AS suppliers
                       FROM (SELECT DISTINCT {inner} FROM cube {cond}) {group}""", params)


def _with_suppliers(sums: pd.DataFrame, counts: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    out = sums.merge(counts, on=on, how="left") if on else sums.assign(suppliers=int(counts["suppliers"].iloc[0]))
    out["suppliers"] = out["suppliers"].fillna(0).astype("int64")
    return out



def _measures_from_sums(r: pd.Series) -> dict:
    total, loc, place, wider = int(r["total"]), int(r["located"]), int(r["place"]), int(r["wider"])
    out = {"total": total, "located": loc, "unlocated": total - loc, "place": place, "wider": wider,
           "outside": loc - wider, "sme": int(r["sme"]), "vcse": int(r["vcse"]), "deprived": int(r["deprived"]),
           "located_share": _ratio(loc, total), "payments": int(r["payments"]), "suppliers": int(r["suppliers"])}
    for name, part, known in [("place", place, loc), ("wider", wider, loc), ("outside", loc - wider, loc),
                              ("sme", int(r["sme"]), int(r["typed"])), ("vcse", int(r["vcse"]), int(r["typed"])),
                              ("deprived", int(r["deprived"]), int(r["with_decile"]))]:
        b = _bounded(part, known, total)
        out[f"{name}_share"] = b["share"]
        out[f"{name}_share_lo"] = b["lo"]
        out[f"{name}_share_hi"] = b["hi"]
        out[f"{name}_coverage"] = b["coverage"]
    return out


def _deciles_sql(deprived_deciles: Iterable[int]) -> str:
    return ", ".join(str(int(d)) for d in deprived_deciles) or "NULL"


def measures(src: SpendSource, year: str | None = None, anchor: str | None = None, *,
             deprived_deciles: Iterable[int]) -> dict:
    """`analysis.measures` of one year (all years when None), one anchor or all."""
    _check_year(src, year)
    where, params = _where(year, anchor)
    row = src.sql(f"SELECT {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles))} FROM cube {where}",
                  params)
    return _measures_from_sums(_with_suppliers(row, _suppliers(src, {}, where, params), []).iloc[0])


_PENCE_COLS = ["total", "located", "unlocated", "place", "wider", "outside", "sme", "vcse", "deprived"]


def _headline_frame(rows: list[dict], lead: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df = df.rename(columns={c: f"{c}_pence" for c in _PENCE_COLS})
    for c in _PENCE_COLS:
        df[f"{c}_pence"] = df[f"{c}_pence"].astype("int64")
    return df[lead + [c for c in df.columns if c not in lead]]


def headline(src: SpendSource, year: str | None = None, *, deprived_deciles: Iterable[int]) -> pd.DataFrame:
    """`analysis.headline`: all anchors, then each anchor (one scan, grouped with a rollup)."""
    _check_year(src, year)
    where, params = _where(year)
    sums = src.sql(f"""SELECT anchor, GROUPING(anchor) AS g,
                              {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles))}
                       FROM cube {where} GROUP BY ROLLUP (anchor)""", params)
    total = _with_suppliers(sums[sums["g"] == 1], _suppliers(src, {}, where, params), [])
    per = _with_suppliers(sums[(sums["g"] == 0) & sums["anchor"].notna()],
                          _suppliers(src, {"anchor": "anchor"}, where, params), ["anchor"])
    per = per.sort_values("anchor", kind="mergesort")
    rows = [{"anchor": ALL_ANCHORS, **_measures_from_sums(total.iloc[0])}]
    rows += [{"anchor": r["anchor"], **_measures_from_sums(r)} for _, r in per.iterrows()]
    return _headline_frame(rows, ["anchor"])


def by_anchor_year(src: SpendSource, deprived_deciles: Iterable[int]) -> pd.DataFrame:
    """The headline measures for every anchor in every year, plus `All anchors` per year: one row
    each, years in order. Equals `analysis.headline(for_year(spend, y))` stacked over years."""
    sums = src.sql(f"""SELECT financial_year, anchor, GROUPING(anchor) AS g,
                              {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles))}
                       FROM cube WHERE financial_year IS NOT NULL
                       GROUP BY GROUPING SETS ((financial_year, anchor), (financial_year))""")
    fy_only = _suppliers(src, {"financial_year": "financial_year"}, "WHERE financial_year IS NOT NULL", [])
    fy_anchor = _suppliers(src, {"financial_year": "financial_year", "anchor": "anchor"},
                           "WHERE financial_year IS NOT NULL", [])
    sums = pd.concat([_with_suppliers(sums[sums["g"] == 1].drop(columns="anchor"), fy_only, ["financial_year"]),
                      _with_suppliers(sums[sums["g"] == 0], fy_anchor, ["financial_year", "anchor"])])
    rows = []
    for year in sorted(sums["financial_year"].unique()):
        sub = sums[sums["financial_year"] == year]
        rows.append({"financial_year": year, "anchor": ALL_ANCHORS, **_measures_from_sums(sub[sub["g"] == 1].iloc[0])})
        per = sub[(sub["g"] == 0) & sub["anchor"].notna()].sort_values("anchor", kind="mergesort")
        rows += [{"financial_year": year, "anchor": r["anchor"], **_measures_from_sums(r)} for _, r in per.iterrows()]
    return _headline_frame(rows, ["financial_year", "anchor"])


# --------------------------------------------------------------------------------------------
# 2. Geography, sector, business type


def _geo_sums(src: SpendSource, key_sql: str, year: str | None) -> pd.DataFrame:
    """Spend by a key, split by place / wider (place included) / outside / unlocated, in pence."""
    where, params = _where(year)
    agg = src.sql(f"""
        SELECT {key_sql} AS k,
               CAST(SUM(amount_pence) AS BIGINT) AS total_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_place), 0) AS BIGINT) AS place_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_wider), 0) AS BIGINT) AS wider_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND NOT in_wider), 0) AS BIGINT) AS outside_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE NOT located), 0) AS BIGINT) AS unlocated_pence
        FROM cube {where} GROUP BY 1 ORDER BY 1""", params)
    agg = _with_suppliers(agg, _suppliers(src, {"k": key_sql}, where, params), ["k"])
    agg = _int64(agg, ["total_pence", "place_pence", "wider_pence", "outside_pence", "unlocated_pence", "suppliers"])
    return analysis.shares_with_bounds(agg)


def spend_by_sector(src: SpendSource, level: str = "section", sic: pd.DataFrame | None = None,
                    year: str | None = None) -> pd.DataFrame:
    """`analysis.spend_by_sector`: SIC section (or division) by geography, no-SIC last."""
    if level not in ("section", "division"):
        raise ValueError("level must be 'section' or 'division'")
    _check_year(src, year)
    col = f"sic_{level}"
    out = _geo_sums(src, f"COALESCE(CAST({col} AS VARCHAR), '')", year).rename(columns={"k": "sector"})
    names = {}
    if sic is not None and len(sic):
        names = dict(zip(sic[col].astype(str), sic[f"sic_{level}_name"].astype(str)))
    out.insert(1, "sector_name", [names.get(s, "") if s else "(no SIC)" for s in out["sector"]])
    out["_none"] = (out["sector"] == "").astype(int)
    out = out.sort_values(["_none", "total_pence", "sector"], ascending=[True, False, True], kind="mergesort")
    out["sector"] = out["sector"].astype("string")
    return out.drop(columns="_none").reset_index(drop=True)


def spend_by_business_type(src: SpendSource, year: str | None = None) -> pd.DataFrame:
    """`analysis.spend_by_business_type`: SME, large, VCSE, public, individual, not classified."""
    _check_year(src, year)
    out = _geo_sums(src, "COALESCE(supplier_type, 'unknown')", year).rename(columns={"k": "supplier_type"})
    total = out["total_pence"].sum()
    out["share_of_total"] = _safe_div(out["total_pence"], pd.Series(total, index=out.index))
    out["supplier_type"] = out["supplier_type"].astype("string")
    out["business_type"] = out["supplier_type"].map(BUSINESS_TYPE_NAMES).fillna(out["supplier_type"])
    out["_order"] = out["supplier_type"].map({t: i for i, t in enumerate(SUPPLIER_TYPES)}).fillna(len(SUPPLIER_TYPES))
    out = out.sort_values(["_order", "supplier_type"], kind="mergesort").drop(columns="_order")
    first = ["supplier_type", "business_type", "total_pence", "share_of_total"]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def spend_by_lad(src: SpendSource, geography: pd.DataFrame | None = None, by_anchor: bool = False,
                 year: str | None = None) -> pd.DataFrame:
    """`analysis.spend_by_lad`: place LADs first, then the wider area, outside, unlocated last."""
    _check_year(src, year)
    where, params = _where(year)
    keys = {"anchor": "anchor"} if by_anchor else {}
    keys.update(lad_code="CASE WHEN located THEN COALESCE(lad_code, '') ELSE '' END",
                geo="CASE WHEN located THEN COALESCE(geo, '') ELSE 'unlocated' END")
    out = src.sql(f"""
        SELECT {", ".join(f"{e} AS {a}" for a, e in keys.items())},
               CAST(SUM(amount_pence) AS BIGINT) AS spend_pence, CAST(SUM(payments) AS BIGINT) AS payments
        FROM cube {where} GROUP BY ALL""", params)
    out = _with_suppliers(out, _suppliers(src, keys, where, params), list(keys))
    if by_anchor:
        out["anchor"] = out["anchor"].fillna("")
    out = _int64(out, ["spend_pence", "suppliers", "payments"])
    out = analysis.lad_table(out, geography, by_anchor)
    for c in ["lad_code", "geo"] + (["anchor"] if by_anchor else []):
        out[c] = out[c].astype("string")
    return out


def spend_by_decile(src: SpendSource, year: str | None = None) -> pd.DataFrame:
    """`analysis.spend_by_decile` without the LSOA yardstick: located spend over IMD deciles 1-10."""
    _check_year(src, year)
    where, params = _where(year)
    cond = ("AND " + where[6:]) if where else ""
    agg = src.sql(f"""SELECT imd_decile, CAST(SUM(amount_pence) AS BIGINT) AS spend_pence FROM cube
                      WHERE imd_decile IS NOT NULL {cond} GROUP BY 1""", params)
    out = pd.DataFrame({"imd_decile": range(1, 11)})
    out["spend_pence"] = out["imd_decile"].map(dict(zip(agg["imd_decile"], agg["spend_pence"]))).fillna(0).astype("int64")
    out["share_of_spend_with_decile"] = _safe_div(out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index))
    out["imd_decile"] = out["imd_decile"].astype("int64")
    return out


# --------------------------------------------------------------------------------------------
# 3. Suppliers


_IND = "((supplier_type = 'individual' OR COALESCE(individual, false)) IS TRUE)"
_LABEL = INDIVIDUALS_LABEL.replace("'", "''")
# The shown value of each supplier column, individuals collapsed to one unnamed line.
_SHOWN = {
    "supplier_name": f"CASE WHEN {_IND} THEN '{_LABEL}' ELSE COALESCE(supplier_name, '') END",
    "supplier_type": f"CASE WHEN {_IND} THEN 'individual' ELSE COALESCE(supplier_type, 'unknown') END",
    "geo": f"CASE WHEN {_IND} THEN 'various' ELSE COALESCE(geo, 'unlocated') END",
    "lad_code": f"CASE WHEN {_IND} THEN '' ELSE COALESCE(lad_code, '') END",
}
_SHOWN_KEY = f"CASE WHEN {_IND} THEN '{INDIVIDUALS_KEY}' ELSE COALESCE(supplier_key, '') END"


def top_suppliers(src: SpendSource, n: int = 300, year: str | None = None) -> pd.DataFrame:
    """`analysis.top_suppliers`: the `n` largest suppliers, individuals as one unnamed line."""
    _check_year(src, year)
    where, params = _where(year)
    lo = dict(_SHOWN, supplier_name=_SHOWN["supplier_name"].replace("COALESCE(supplier_name, '')", "name_min"))
    hi = dict(_SHOWN, supplier_name=_SHOWN["supplier_name"].replace("COALESCE(supplier_name, '')", "name_max"))
    top = src.sql(f"""
        SELECT {_SHOWN_KEY} AS supplier_key,
               {", ".join(f"min({lo[c]}) AS {c}, max({hi[c]}) AS {c}_max" for c in _SHOWN)},
               CAST(SUM(amount_pence) AS BIGINT) AS spend_pence, CAST(SUM(payments) AS BIGINT) AS payments
        FROM cube {where} GROUP BY 1 ORDER BY spend_pence DESC, supplier_key ASC LIMIT ?""", params + [int(n)])
    # A key's published names can differ (`ACME LTD`, `Acme Limited`). Analysis shows the one on
    # the key's first payment; only for those keys are single payments read, in file order.
    varied = top.index[np.logical_or.reduce([(top[c] != top[f"{c}_max"]).to_numpy() for c in _SHOWN])]
    if len(varied):
        keys = top.loc[varied, "supplier_key"].tolist()
        cond = ("AND " + where[6:]) if where else ""
        first = src.sql(f"""
            SELECT {_SHOWN_KEY} AS supplier_key,
                   {", ".join(f"arg_min({_SHOWN[c]}, _ord) AS {c}" for c in _SHOWN)}
            FROM spend WHERE list_contains(?::VARCHAR[], {_SHOWN_KEY}) {cond} GROUP BY 1""",
                        [keys] + params).set_index("supplier_key")
        for c in _SHOWN:
            top.loc[varied, c] = top.loc[varied, "supplier_key"].map(first[c]).to_numpy()
    total = int(src.sql(f"SELECT CAST(COALESCE(SUM(amount_pence), 0) AS BIGINT) AS t FROM cube {where}",
                        params)["t"].iloc[0])
    top = _int64(top, ["spend_pence", "payments"])
    top["share_of_total"] = top["spend_pence"] / total if total else np.nan
    top["cumulative_share"] = top["spend_pence"].cumsum() / total if total else np.nan
    top.insert(0, "rank", range(1, len(top) + 1))
    for c in ["supplier_name", "supplier_type", "geo", "lad_code"]:
        top[c] = top[c].astype("string")
    return top[["rank", "supplier_name", "supplier_type", "geo", "lad_code", "spend_pence", "payments",
                "share_of_total", "cumulative_share"]].reset_index(drop=True)


def supplier_counts(src: SpendSource, year: str | None = None) -> pd.DataFrame:
    """`analysis.supplier_counts`: suppliers and spend by place / wider / outside / unlocated."""
    _check_year(src, year)
    where, params = _where(year)
    geo = "CASE WHEN located THEN COALESCE(geo, 'unlocated') ELSE 'unlocated' END"
    agg = src.sql(f"""SELECT {geo} AS geo, CAST(SUM(amount_pence) AS BIGINT) AS spend_pence
                      FROM cube {where} GROUP BY 1""", params)
    agg = _with_suppliers(agg, _suppliers(src, {"geo": geo}, where, params), ["geo"]).set_index("geo")
    out = agg.reindex(GEO_ORDER, fill_value=0).reset_index()
    out = _int64(out, ["spend_pence", "suppliers"])
    out = out[["geo", "suppliers", "spend_pence"]]
    out["share_of_suppliers"] = _safe_div(out["suppliers"], pd.Series(out["suppliers"].sum(), index=out.index))
    out["share_of_spend"] = _safe_div(out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index))
    return out


# --------------------------------------------------------------------------------------------
# Everything at once


def baseline(src: SpendSource, year: str | None = None, top_n: int = 300,
             *, deprived_deciles: Iterable[int],
             geography: pd.DataFrame | None = None, sic: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every baseline aggregate for one year (or all years), each a small DataFrame."""
    return {
        "headline": headline(src, year, deprived_deciles=deprived_deciles),
        "by_anchor_year": by_anchor_year(src, deprived_deciles),
        "by_lad": spend_by_lad(src, geography, year=year),
        "by_sector": spend_by_sector(src, "section", sic, year=year),
        "by_business_type": spend_by_business_type(src, year),
        "by_decile": spend_by_decile(src, year),
        "top_suppliers": top_suppliers(src, top_n, year),
        "supplier_counts": supplier_counts(src, year),
    }
