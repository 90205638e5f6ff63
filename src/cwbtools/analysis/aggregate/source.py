"""The sources of the out-of-core aggregates: a DuckDB connection holding a row-level `spend` view
and, built on first use, the `cube` every table in `tables.py` reads.

Two sources:

- `open_spend(path)`: spend parquet (CONTRACTS §4), one file, a folder or a glob;
- `open_transactions(transactions, suppliers, place_lads, wider_lads)`: ingest's partitioned
  transactions (CONTRACTS §1, `anchor=<a>/financial_year=<y>/part-*.parquet`) joined to the
  suppliers table (§3) on `supplier_key`, with place / wider / outside worked out here the way
  the pipeline does. When the transactions carry no `supplier_key`, it is computed by
  `cwbtools.suppliers.supplier_key` on the distinct supplier columns only (a few hundred thousand
  rows, never the payments) and joined back.

Given the config's definitions (`defs`, and `bodies`, the register of public bodies), each source
measures what the in-memory route does (`analysis.base`): every payment is classified by the
base's exclusion rules, and the tables read `measured`, the procurement base (or all kept spend
with `definitions.base: all`). The rules are applied by `base.classify` itself, in pandas, once per
distinct combination of the columns they read (`RULE_COLUMNS`: payee, type, person flag, the
ledger's words), never per payment, and joined back in DuckDB. Without `defs` every kept payment
is measured (as `base: all`): the rules need the config's anchors.

Money is summed as BIGINT in DuckDB (exact).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ... import duck
from ...definitions import OFFICE_SHARE_LIMIT, AnalysisDefinitions
from ...errors import CwbError
from .. import base as _base
from ..baseline import may_branch, office_placed

# Columns the key function may read; anchor is included because a ledger's own supplier id only
# means something within its anchor.
_KEY_SOURCE_COLUMNS = [
    "anchor",
    "supplier_name",
    "supplier_id",
    "company_number",
    "charity_number",
    "other_id",
    "vat_number",
    "postcode",
    "individual",
    "redacted",
]


@dataclass
class SpendSource:
    """A DuckDB connection holding a row-level `spend` view (the CONTRACTS §4 columns the aggregates
    use, each payment's `in_base` and `excluded_as`) and, built on first use, `cube`: spend summed
    per anchor, year, supplier and supplier attributes. Every aggregate reads the cube (many times
    fewer rows than payments: suppliers are paid again and again) except where it must look at
    single payments. `measured` and `measured_rows` are the cube and the payments of the spend the
    figures are measured on (`base`: `procurement` or `all`)."""

    con: duckdb.DuckDBPyConnection
    description: str
    cube_sql: str = ""
    base: str = "all"
    # Whether the spend carries the display rule's `name_shown` (cwbtools.privacy).
    name_shown: bool = False
    # `definitions.location.office_share_limit`: above it no central place or wider share is given.
    office_limit: float = OFFICE_SHARE_LIMIT
    _params: dict = field(default_factory=dict)
    _cube_built: bool = False
    _years: list[str] | None = None

    def sql(self, query: str, params: Sequence | None = None) -> pd.DataFrame:
        if ("cube" in query or "measured" in query) and not self._cube_built:
            self.build_cube()
        return self.con.execute(query, params or []).df()

    def build_cube(self) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE cube0 AS {self.cube_sql}")
        # Where a firm trades (`baseline.office_placed`, `may_branch`) follows from where and how it
        # was located and its type: flagged in pandas, by those functions, once per combination.
        flags = self.con.execute("SELECT DISTINCT located, supplier_type, location_basis FROM cube0").df()
        flags["office"] = office_placed(flags).to_numpy()
        flags["branch"] = may_branch(flags).to_numpy()
        self.con.register("basis_flags_df", flags)
        on = " AND ".join(f"c.{k} IS NOT DISTINCT FROM f.{k}" for k in ("located", "supplier_type", "location_basis"))
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE cube AS SELECT c.*, f.office, f.branch
                             FROM cube0 c LEFT JOIN basis_flags_df f ON {on}""")
        self.con.unregister("basis_flags_df")
        self.con.execute("DROP TABLE cube0")
        only_base = " WHERE in_base" if self.base == "procurement" else ""
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW measured AS SELECT * FROM cube{only_base}")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW measured_rows AS SELECT * FROM spend{only_base}")
        self._cube_built = True
        self._years = None

    def years(self) -> list[str]:
        if self._years is None:
            self._years = list(
                self.sql("SELECT DISTINCT financial_year FROM cube WHERE financial_year IS NOT NULL ORDER BY 1")[
                    "financial_year"
                ]
            )
        return list(self._years)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> SpendSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(
    memory_limit: str | None = None, threads: int | None = None, temp_directory: str | Path | None = None
) -> duckdb.DuckDBPyConnection:
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
    return f"regexp_replace(replace(CAST({column} AS VARCHAR), '%2F', '/'), '^([0-9]{{4}})-([0-9]{{2}})$', '\\1/\\2')"


# The columns the base's rules read (`analysis.base.rule_mask`): the anchor and payee name (self,
# other anchors, payee words), the supplier type and public class (public bodies), the person flag,
# and the ledger's words (expense words). A payment's class follows from these alone.
RULE_COLUMNS = ("anchor", "supplier_name", "supplier_type", "public_class", "individual", *_base.TRANSFER_FIELDS)


def _classify_payees(
    con: duckdb.DuckDBPyConnection,
    distinct_sql: str,
    keys: Sequence[str],
    defs: AnalysisDefinitions,
    bodies: pd.DataFrame | None,
) -> None:
    """`payee_base`: each distinct row of `distinct_sql` (its `keys`, from which it gives the
    `RULE_COLUMNS`) that a base rule sets aside, with `excluded_as`. Classified by `base.classify`
    with the base's rules, so the two routes cannot differ on a rule."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE payees AS SELECT row_number() OVER () AS pid, * FROM ({distinct_sql})")
    frame = con.execute(f"SELECT pid, {', '.join(RULE_COLUMNS)} FROM payees").df()
    got = _base.classify(frame, _base.exclusion_rules(defs, bodies, influenceable=False))
    # Only the base's scope leaves the base (public corporations may be set aside from influenceable
    # spend only): `excluded_as` is NULL for everything in the base.
    out_of_base = got["exclusion_scope"].astype("string").eq("base").fillna(False).astype(bool)
    classes = pd.DataFrame(
        {
            "pid": frame.loc[out_of_base, "pid"].astype("int64").to_numpy(),
            "excluded_as": got.loc[out_of_base, "excluded_as"].astype(str).to_numpy(dtype=object),
        }
    )
    con.register("payee_classes_df", classes)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE payee_base AS
                    SELECT {", ".join(f"p.{k}" for k in keys)}, CAST(c.excluded_as AS VARCHAR) AS excluded_as
                    FROM payees p JOIN payee_classes_df c ON p.pid = c.pid""")
    con.unregister("payee_classes_df")
    con.execute("DROP TABLE payees")


def _on_keys(keys: dict[str, str]) -> str:
    """The join of payments (`alias: expression`) to `payee_base` (b): nulls match nulls."""
    return " AND ".join(f"{expr} IS NOT DISTINCT FROM b.{alias}" for alias, expr in keys.items())


def open_spend(
    path: str | Path,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    defs: AnalysisDefinitions | None = None,
    bodies: pd.DataFrame | None = None,
) -> SpendSource:
    """A source over spend parquet already carrying geo, located, in_place, in_wider (§4). With
    `defs` (and `bodies`, the register of public bodies, as the in-memory route is given it) the
    figures are measured on `defs.base`; without, on all kept spend."""
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
               {col("supplier_name", "NULL::VARCHAR")}, {col("supplier_type", "NULL::VARCHAR")},
               {col("individual", "false")}, {col("lad_code", "NULL::VARCHAR")},
               {col("imd_decile", "NULL::BIGINT")}, {col("sic_section", "NULL::VARCHAR")},
               {col("sic_division", "NULL::VARCHAR")}, COALESCE({located}, false) AS located,
               {col("geo", "NULL::VARCHAR")},
               COALESCE({raw("in_place", "false")}, false) AS in_place,
               COALESCE({raw("in_wider", "false")}, false) AS in_wider,
               {col("public_class", "NULL::VARCHAR")}, {col("name_shown", "NULL::BOOLEAN")},
               {col("location_basis", "NULL::VARCHAR")},
               {", ".join(col(c, "NULL::VARCHAR") for c in _base.TRANSFER_FIELDS)},
               @ORDER@
        FROM @REL@
    """
    con.execute(
        "CREATE OR REPLACE VIEW spend_rows AS "
        + view.replace("@FY@", _fy_expr())
        .replace("@ORDER@", "struct_pack(f := filename, r := file_row_number) AS _ord")
        .replace("@REL@", relation)
    )
    plain, _ = _read(con, path)
    # The year is spelt out after grouping: a regex per payment would cost a third of the scan.
    con.execute(
        "CREATE OR REPLACE VIEW spend_plain_rows AS "
        + view.replace("@FY@", "financial_year").replace("@ORDER@", "NULL AS _ord").replace("@REL@", plain)
    )
    if defs is None:
        for name in ("spend", "spend_plain"):
            con.execute(f"""CREATE OR REPLACE VIEW {name} AS
                            SELECT *, NULL::VARCHAR AS excluded_as, true AS in_base FROM {name}_rows""")
    else:
        _classify_payees(
            con, f"SELECT DISTINCT {', '.join(RULE_COLUMNS)} FROM spend_plain_rows", RULE_COLUMNS, defs, bodies
        )
        on = _on_keys({c: f"r.{c}" for c in RULE_COLUMNS})
        for name in ("spend", "spend_plain"):
            con.execute(f"""CREATE OR REPLACE VIEW {name} AS
                            SELECT r.*, b.excluded_as, b.excluded_as IS NULL AS in_base
                            FROM {name}_rows r LEFT JOIN payee_base b ON {on}""")
    cube_sql = f"""SELECT * REPLACE ({_fy_expr()} AS financial_year)
                   FROM ({_CUBE_SQL.format(source="spend_plain")})"""
    return SpendSource(
        con,
        f"spend {path}",
        cube_sql=cube_sql,
        base=defs.base if defs else "all",
        name_shown="name_shown" in cols,
        office_limit=defs.office_share_limit if defs else OFFICE_SHARE_LIMIT,
    )


# The attributes every aggregate groups or filters by, then the money and the names.
_CUBE_KEYS = (
    "anchor, financial_year, supplier_key, supplier_type, individual, lad_code, imd_decile, "
    "sic_section, sic_division, located, geo, in_place, in_wider, in_base, excluded_as, name_shown, location_basis"
)
_CUBE_SQL = f"""
    SELECT {_CUBE_KEYS},
           CAST(SUM(amount_pence) AS BIGINT) AS amount_pence, COUNT(*) AS payments,
           min(COALESCE(supplier_name, '')) AS name_min, max(COALESCE(supplier_name, '')) AS name_max
    FROM {{source}} GROUP BY {_CUBE_KEYS}
"""


def open_transactions(
    transactions: str | Path,
    suppliers: str | Path | pd.DataFrame,
    place_lads: Iterable[str],
    wider_lads: Iterable[str] = (),
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    defs: AnalysisDefinitions | None = None,
    bodies: pd.DataFrame | None = None,
) -> SpendSource:
    """A source joining partitioned transactions (§1) to suppliers (§3) on `supplier_key`.

    `place_lads` are the place's LAD codes, `wider_lads` the wider area's (the place is counted in
    the wider area whether listed or not, as CLES counts it). Payments to individuals take
    `supplier_type = 'individual'` whatever the suppliers table says. With `defs` (and `bodies`)
    the figures are measured on `defs.base`, each payment classified by its joined name, type and
    public class and its own expense words; without, on all kept spend.
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
        sup_rel, _ = (
            _read(con, suppliers)
            if Path(str(suppliers)).is_dir()
            else (f"read_parquet({_quote(_parquet_glob(suppliers))})", None)
        )
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
    name_expr = (
        "COALESCE(s.supplier_name, t.supplier_name)"
        if "supplier_name" in sup_cols and "supplier_name" in cols
        else (s("supplier_name") if "supplier_name" in sup_cols else "t.supplier_name")
    )
    # A payment's class is read from its own columns (`t`) and its supplier's (`s`): classified once
    # per distinct value of the payment's own (`payee_keys`), joined to the supplier.
    payee_keys = {
        "anchor": "CAST(t.anchor AS VARCHAR)",
        "supplier_key": "t.supplier_key",
        "tx_name": "t.supplier_name" if "supplier_name" in cols else "NULL::VARCHAR",
        "individual": individual,
        **{c: f"CAST(t.{c} AS VARCHAR)" if c in cols else "NULL::VARCHAR" for c in _base.TRANSFER_FIELDS},
    }
    if defs is None:
        excluded, base_join = "NULL::VARCHAR", ""
    else:
        distinct = ", ".join(f"{e} AS {a}" for a, e in payee_keys.items())
        rule_name = "COALESCE(s.supplier_name, d.tx_name)" if "supplier_name" in sup_cols else "d.tx_name"
        _classify_payees(
            con,
            f"""SELECT d.*, {rule_name} AS supplier_name,
                       CASE WHEN d.individual THEN 'individual' ELSE {s("supplier_type")} END AS supplier_type,
                       {s("public_class")} AS public_class
                FROM (SELECT DISTINCT {distinct} FROM tx_cube_input t) d
                LEFT JOIN suppliers s ON d.supplier_key = s.supplier_key""",
            list(payee_keys),
            defs,
            bodies,
        )
        excluded, base_join = "b.excluded_as", f"LEFT JOIN payee_base b ON {_on_keys(payee_keys)}"
    place_sql = ", ".join(_quote(x) for x in place)
    wider_sql = ", ".join(_quote(x) for x in wider)
    con.execute(f"""
        CREATE OR REPLACE VIEW spend AS
        WITH j AS (
            SELECT CAST(t.anchor AS VARCHAR) AS anchor, {_fy_expr("t.financial_year")} AS financial_year,
                   CAST(t.amount_pence AS BIGINT) AS amount_pence, t.supplier_key,
                   {name_expr} AS supplier_name,
                   CASE WHEN {individual} THEN 'individual' ELSE {s("supplier_type")} END AS supplier_type,
                   {individual} AS individual,
                   {s("lad_code")} AS lad_code, CAST({s("imd_decile", "BIGINT")} AS BIGINT) AS imd_decile,
                   {s("sic_section")} AS sic_section, {s("sic_division")} AS sic_division,
                   {s("name_shown", "BOOLEAN")} AS name_shown, {s("location_basis")} AS location_basis, {excluded} AS excluded_as, {excluded} IS NULL AS in_base,
                   struct_pack(f := t.filename, r := t.file_row_number) AS _ord
            FROM tx t LEFT JOIN suppliers s ON t.supplier_key = s.supplier_key {base_join}
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
    tx_name = "COALESCE(t.supplier_name, '')" if "supplier_name" in cols else "''"
    sup_name = "s.supplier_name" if "supplier_name" in sup_cols else "NULL::VARCHAR"
    cube_sql = f"""
        WITH t0 AS (
            SELECT t.anchor, t.financial_year, t.supplier_key, {individual} AS individual,
                   {excluded} AS excluded_as, {excluded} IS NULL AS in_base,
                   CAST(SUM(t.amount_pence) AS BIGINT) AS amount_pence, COUNT(*) AS payments,
                   min({tx_name}) AS name_min, max({tx_name}) AS name_max
            FROM tx_cube_input t {base_join} GROUP BY ALL
        ), t AS (
            SELECT * REPLACE (CAST(anchor AS VARCHAR) AS anchor, {_fy_expr()} AS financial_year) FROM t0
        ), j AS (
            SELECT t.anchor, t.financial_year, t.supplier_key,
                   CASE WHEN t.individual THEN 'individual' ELSE {s("supplier_type")} END AS supplier_type,
                   t.individual, {s("lad_code")} AS lad_code,
                   CAST({s("imd_decile", "BIGINT")} AS BIGINT) AS imd_decile,
                   {s("sic_section")} AS sic_section, {s("sic_division")} AS sic_division,
                   {s("name_shown", "BOOLEAN")} AS name_shown, {s("location_basis")} AS location_basis, t.in_base, t.excluded_as, t.amount_pence, t.payments,
                   COALESCE({sup_name}, t.name_min) AS name_min, COALESCE({sup_name}, t.name_max) AS name_max
            FROM t LEFT JOIN suppliers s ON t.supplier_key = s.supplier_key
        )
        SELECT anchor, financial_year, supplier_key, supplier_type, individual, lad_code, imd_decile,
               sic_section, sic_division, lad_code IS NOT NULL AS located,
               CASE WHEN lad_code IS NULL THEN 'unlocated' WHEN lad_code IN ({place_sql}) THEN 'place'
                    WHEN lad_code IN ({wider_sql}) THEN 'wider' ELSE 'outside' END AS geo,
               COALESCE(lad_code IN ({place_sql}), false) AS in_place,
               COALESCE(lad_code IN ({wider_sql}), false) AS in_wider, in_base, excluded_as, name_shown, location_basis,
               amount_pence, payments, name_min, name_max
        FROM j
    """
    return SpendSource(
        con,
        f"transactions {transactions} x suppliers {suppliers}",
        cube_sql=cube_sql,
        base=defs.base if defs else "all",
        name_shown="name_shown" in sup_cols,
        office_limit=defs.office_share_limit if defs else OFFICE_SHARE_LIMIT,
        _params={"place": place, "wider": wider},
    )


def _attach_supplier_keys(con: duckdb.DuckDBPyConnection, key_cols: list[str]) -> None:
    """`tx` = `tx_raw` plus `supplier_key`, computed once per distinct supplier, never per payment."""
    try:
        from ...suppliers import supplier_key
    except ImportError as exc:  # the suppliers stage not installed
        raise CwbError(
            "transactions carry no supplier_key and cwbtools.suppliers.supplier_key is not available"
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
