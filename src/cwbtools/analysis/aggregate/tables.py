"""The baseline tables out of core: each function returns the same frame, to the penny and with the
same shares, as its namesake in `analysis/baseline.py` run in memory on the spend the figures are
measured on (`analysis.base.analysed`: the procurement base, or all kept spend; the source's
`base`), read from the source's `measured` cube (`source.py`); tests/analysis/test_aggregate.py
holds them to that. Pence are summed in DuckDB and only divided, in pandas, for shares.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ...errors import CwbError
from ...schema import GEO_ORDER, INDIVIDUALS_KEY, INDIVIDUALS_LABEL, SUPPLIER_TYPES
from ..base import BASE_CATEGORIES

# The same words and orders as `baseline.py`: one definition, so the two routes print the same tables.
# One definition of a share, its bounds and a safe division, shared with the in-memory route.
from ..baseline import (
    ALL_ANCHORS,
    BUSINESS_TYPE_NAMES,
    NOT_FIRMS,
    _safe_div,
    lad_table,
    measures_from_sums,
    shares_with_bounds,
)
from ..concentration import ranked
from .source import SpendSource

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
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE {firm}), 0) AS BIGINT) AS firms,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE {firm} AND imd_decile IS NOT NULL), 0) AS BIGINT) AS with_decile,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE {firm} AND imd_decile IN ({deciles})), 0) AS BIGINT) AS deprived,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND office), 0) AS BIGINT) AS office,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND branch AND NOT in_place), 0) AS BIGINT) AS branch_place,
    CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND branch AND NOT in_wider), 0) AS BIGINT) AS branch_wider,
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
    return src.sql(
        f"""SELECT {outer + ", " if keys else ""}COUNT(*) AS suppliers
                       FROM (SELECT DISTINCT {inner} FROM measured {cond}) {group}""",
        params,
    )


def _with_suppliers(sums: pd.DataFrame, counts: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    out = sums.merge(counts, on=on, how="left") if on else sums.assign(suppliers=int(counts["suppliers"].iloc[0]))
    out["suppliers"] = out["suppliers"].fillna(0).astype("int64")
    return out


# Private and third-sector suppliers (`baseline.NOT_FIRMS` left out), as the deprived share counts them.
_FIRM = "COALESCE(supplier_type, 'unknown') NOT IN ({})".format(", ".join(f"'{t}'" for t in NOT_FIRMS))


def _measures_from_sums(src: SpendSource, r: pd.Series) -> dict:
    return measures_from_sums(r.to_dict(), office_limit=src.office_limit)


def _deciles_sql(deprived_deciles: Iterable[int]) -> str:
    return ", ".join(str(int(d)) for d in deprived_deciles) or "NULL"


def measures(
    src: SpendSource, year: str | None = None, anchor: str | None = None, *, deprived_deciles: Iterable[int]
) -> dict:
    """`baseline.measures` of one year (all years when None), one anchor or all."""
    _check_year(src, year)
    where, params = _where(year, anchor)
    row = src.sql(
        f"SELECT {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles), firm=_FIRM)} FROM measured {where}",
        params,
    )
    return _measures_from_sums(src, _with_suppliers(row, _suppliers(src, {}, where, params), []).iloc[0])


_PENCE_COLS = ["total", "located", "unlocated", "place", "wider", "outside", "sme", "vcse", "deprived"]


def _headline_frame(rows: list[dict], lead: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df = df.rename(columns={c: f"{c}_pence" for c in _PENCE_COLS})
    for c in _PENCE_COLS:
        df[f"{c}_pence"] = df[f"{c}_pence"].astype("int64")
    return df[lead + [c for c in df.columns if c not in lead]]


def headline(src: SpendSource, year: str | None = None, *, deprived_deciles: Iterable[int]) -> pd.DataFrame:
    """`baseline.headline`: all anchors, then each anchor (one scan, grouped with a rollup)."""
    _check_year(src, year)
    where, params = _where(year)
    sums = src.sql(
        f"""SELECT anchor, GROUPING(anchor) AS g,
                              {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles), firm=_FIRM)}
                       FROM measured {where} GROUP BY ROLLUP (anchor)""",
        params,
    )
    total = _with_suppliers(sums[sums["g"] == 1], _suppliers(src, {}, where, params), [])
    per = _with_suppliers(
        sums[(sums["g"] == 0) & sums["anchor"].notna()],
        _suppliers(src, {"anchor": "anchor"}, where, params),
        ["anchor"],
    )
    per = per.sort_values("anchor", kind="mergesort")
    rows = [{"anchor": ALL_ANCHORS, **_measures_from_sums(src, total.iloc[0])}]
    rows += [{"anchor": r["anchor"], **_measures_from_sums(src, r)} for _, r in per.iterrows()]
    return _headline_frame(rows, ["anchor"])


def by_anchor_year(src: SpendSource, deprived_deciles: Iterable[int]) -> pd.DataFrame:
    """The headline measures for every anchor in every year, plus `All anchors` per year: one row
    each, years in order. Equals `baseline.headline(for_year(spend, y))` stacked over years."""
    sums = src.sql(f"""SELECT financial_year, anchor, GROUPING(anchor) AS g,
                              {_MEASURE_SQL.format(deciles=_deciles_sql(deprived_deciles), firm=_FIRM)}
                       FROM measured WHERE financial_year IS NOT NULL
                       GROUP BY GROUPING SETS ((financial_year, anchor), (financial_year))""")
    fy_only = _suppliers(src, {"financial_year": "financial_year"}, "WHERE financial_year IS NOT NULL", [])
    fy_anchor = _suppliers(
        src, {"financial_year": "financial_year", "anchor": "anchor"}, "WHERE financial_year IS NOT NULL", []
    )
    sums = pd.concat(
        [
            _with_suppliers(sums[sums["g"] == 1].drop(columns="anchor"), fy_only, ["financial_year"]),
            _with_suppliers(sums[sums["g"] == 0], fy_anchor, ["financial_year", "anchor"]),
        ]
    )
    rows = []
    for year in sorted(sums["financial_year"].unique()):
        sub = sums[sums["financial_year"] == year]
        rows.append(
            {"financial_year": year, "anchor": ALL_ANCHORS, **_measures_from_sums(src, sub[sub["g"] == 1].iloc[0])}
        )
        per = sub[(sub["g"] == 0) & sub["anchor"].notna()].sort_values("anchor", kind="mergesort")
        rows += [
            {"financial_year": year, "anchor": r["anchor"], **_measures_from_sums(src, r)} for _, r in per.iterrows()
        ]
    return _headline_frame(rows, ["financial_year", "anchor"])


# --------------------------------------------------------------------------------------------
# 2. Geography, sector, business type


def _geo_sums(src: SpendSource, key_sql: str, year: str | None) -> pd.DataFrame:
    """Spend by a key, split by place / wider (place included) / outside / unlocated, in pence."""
    where, params = _where(year)
    agg = src.sql(
        f"""
        SELECT {key_sql} AS k,
               CAST(SUM(amount_pence) AS BIGINT) AS total_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_place), 0) AS BIGINT) AS place_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND in_wider), 0) AS BIGINT) AS wider_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE located AND NOT in_wider), 0) AS BIGINT) AS outside_pence,
               CAST(COALESCE(SUM(amount_pence) FILTER (WHERE NOT located), 0) AS BIGINT) AS unlocated_pence
        FROM measured {where} GROUP BY 1 ORDER BY 1""",
        params,
    )
    agg = _with_suppliers(agg, _suppliers(src, {"k": key_sql}, where, params), ["k"])
    agg = _int64(agg, ["total_pence", "place_pence", "wider_pence", "outside_pence", "unlocated_pence", "suppliers"])
    return shares_with_bounds(agg)


def spend_by_sector(
    src: SpendSource, level: str = "section", sic: pd.DataFrame | None = None, year: str | None = None
) -> pd.DataFrame:
    """`baseline.spend_by_sector`: SIC section (or division) by geography, no-SIC last."""
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
    """`baseline.spend_by_business_type`: SME, large, VCSE, public, individual, not classified."""
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


def spend_by_lad(
    src: SpendSource, geography: pd.DataFrame | None = None, by_anchor: bool = False, year: str | None = None
) -> pd.DataFrame:
    """`baseline.spend_by_lad`: place LADs first, then the wider area, outside, unlocated last."""
    _check_year(src, year)
    where, params = _where(year)
    keys = {"anchor": "anchor"} if by_anchor else {}
    keys.update(
        lad_code="CASE WHEN located THEN COALESCE(lad_code, '') ELSE '' END",
        geo="CASE WHEN located THEN COALESCE(geo, '') ELSE 'unlocated' END",
    )
    out = src.sql(
        f"""
        SELECT {", ".join(f"{e} AS {a}" for a, e in keys.items())},
               CAST(SUM(amount_pence) AS BIGINT) AS spend_pence, CAST(SUM(payments) AS BIGINT) AS payments
        FROM measured {where} GROUP BY ALL""",
        params,
    )
    out = _with_suppliers(out, _suppliers(src, keys, where, params), list(keys))
    if by_anchor:
        out["anchor"] = out["anchor"].fillna("")
    out = _int64(out, ["spend_pence", "suppliers", "payments"])
    out = lad_table(out, geography, by_anchor)
    for c in ["lad_code", "geo"] + (["anchor"] if by_anchor else []):
        out[c] = out[c].astype("string")
    return out


def spend_by_decile(src: SpendSource, year: str | None = None) -> pd.DataFrame:
    """`baseline.spend_by_decile` without the LSOA yardstick: located spend over IMD deciles 1-10."""
    _check_year(src, year)
    where, params = _where(year)
    cond = ("AND " + where[6:]) if where else ""
    agg = src.sql(
        f"""SELECT imd_decile, CAST(SUM(amount_pence) AS BIGINT) AS spend_pence FROM measured
                      WHERE imd_decile IS NOT NULL AND {_FIRM} {cond} GROUP BY 1""",
        params,
    )
    out = pd.DataFrame({"imd_decile": range(1, 11)})
    out["spend_pence"] = (
        out["imd_decile"].map(dict(zip(agg["imd_decile"], agg["spend_pence"]))).fillna(0).astype("int64")
    )
    out["share_of_spend_with_decile"] = _safe_div(
        out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index)
    )
    out["imd_decile"] = out["imd_decile"].astype("int64")
    return out


# --------------------------------------------------------------------------------------------
# 3. Suppliers


_IND = "((supplier_type = 'individual' OR COALESCE(individual, false)) IS TRUE)"
_LABEL = INDIVIDUALS_LABEL.replace("'", "''")


def _shown(src: SpendSource) -> tuple[dict[str, str], str]:
    """The shown value of each supplier column, and the key shown: individuals, and with the
    display rule's `name_shown` (cwbtools.privacy) every payee without evidence of an organisation,
    collapsed to one unnamed line, typed `various` when it holds more than individuals (as
    `concentration._supplier_totals`: the line's type is the max of `individual` and `various`)."""
    hidden = f"({_IND} OR NOT COALESCE(name_shown, false))" if src.name_shown else _IND
    return {
        "supplier_name": f"CASE WHEN {hidden} THEN '{_LABEL}' ELSE COALESCE(supplier_name, '') END",
        "supplier_type": f"""CASE WHEN {_IND} THEN 'individual' WHEN {hidden} THEN 'various'
                                  ELSE COALESCE(supplier_type, 'unknown') END""",
        "geo": f"CASE WHEN {hidden} THEN 'various' ELSE COALESCE(geo, 'unlocated') END",
        "lad_code": f"CASE WHEN {hidden} THEN '' ELSE COALESCE(lad_code, '') END",
    }, f"CASE WHEN {hidden} THEN '{INDIVIDUALS_KEY}' ELSE COALESCE(supplier_key, '') END"


def top_suppliers(src: SpendSource, n: int = 300, year: str | None = None) -> pd.DataFrame:
    """`concentration.top_suppliers`: the `n` largest suppliers, individuals (and payees the display
    rule does not name) as one unnamed line."""
    _check_year(src, year)
    where, params = _where(year)
    _SHOWN, _SHOWN_KEY = _shown(src)
    lo = dict(_SHOWN, supplier_name=_SHOWN["supplier_name"].replace("COALESCE(supplier_name, '')", "name_min"))
    hi = dict(_SHOWN, supplier_name=_SHOWN["supplier_name"].replace("COALESCE(supplier_name, '')", "name_max"))
    top = src.sql(
        f"""
        SELECT {_SHOWN_KEY} AS supplier_key,
               {", ".join(f"min({lo[c]}) AS {c}, max({hi[c]}) AS {c}_max" for c in _SHOWN)},
               CAST(SUM(amount_pence) AS BIGINT) AS spend_pence, CAST(SUM(payments) AS BIGINT) AS payments
        FROM measured {where} GROUP BY 1 ORDER BY spend_pence DESC, supplier_key ASC LIMIT ?""",
        params + [int(n)],
    )
    # A key's published names can differ (`ACME LTD`, `Acme Limited`). Analysis shows the one on
    # the key's first payment; only for those keys are single payments read, in file order.
    varied = top.index[np.logical_or.reduce([(top[c] != top[f"{c}_max"]).to_numpy() for c in _SHOWN])]
    if len(varied):
        keys = top.loc[varied, "supplier_key"].tolist()
        cond = ("AND " + where[6:]) if where else ""
        first = src.sql(
            f"""
            SELECT {_SHOWN_KEY} AS supplier_key,
                   {", ".join(f"arg_min({_SHOWN[c]}, _ord) AS {c}" for c in _SHOWN)}
            FROM measured_rows WHERE list_contains(?::VARCHAR[], {_SHOWN_KEY}) {cond} GROUP BY 1""",
            [keys] + params,
        ).set_index("supplier_key")
        for c in _SHOWN:
            top.loc[varied, c] = top.loc[varied, "supplier_key"].map(first[c]).to_numpy()
    unnamed = (top["supplier_key"] == INDIVIDUALS_KEY).to_numpy()
    top.loc[unnamed, "supplier_type"] = top.loc[unnamed, "supplier_type_max"]
    if src.name_shown:
        top["name_shown"] = ~unnamed
    total = int(
        src.sql(f"SELECT CAST(COALESCE(SUM(amount_pence), 0) AS BIGINT) AS t FROM measured {where}", params)["t"].iloc[
            0
        ]
    )
    top = _int64(top, ["spend_pence", "payments"])
    for c in ["supplier_name", "supplier_type", "geo", "lad_code"]:
        top[c] = top[c].astype("string")
    return ranked(top, total)


def supplier_counts(src: SpendSource, year: str | None = None) -> pd.DataFrame:
    """`concentration.supplier_counts`: suppliers and spend by place / wider / outside / unlocated."""
    _check_year(src, year)
    where, params = _where(year)
    geo = "CASE WHEN located THEN COALESCE(geo, 'unlocated') ELSE 'unlocated' END"
    agg = src.sql(
        f"""SELECT {geo} AS geo, CAST(SUM(amount_pence) AS BIGINT) AS spend_pence
                      FROM measured {where} GROUP BY 1""",
        params,
    )
    agg = _with_suppliers(agg, _suppliers(src, {"geo": geo}, where, params), ["geo"]).set_index("geo")
    out = agg.reindex(GEO_ORDER, fill_value=0).reset_index()
    out = _int64(out, ["spend_pence", "suppliers"])
    out = out[["geo", "suppliers", "spend_pence"]]
    out["share_of_suppliers"] = _safe_div(out["suppliers"], pd.Series(out["suppliers"].sum(), index=out.index))
    out["share_of_spend"] = _safe_div(out["spend_pence"], pd.Series(out["spend_pence"].sum(), index=out.index))
    return out


# --------------------------------------------------------------------------------------------
# What the base set aside


def excluded_pence(src: SpendSource, year: str | None = None, anchor: str | None = None) -> dict[str, int]:
    """`base.excluded_pence`: pence the base's rules set aside, by category (every one of
    `base.BASE_CATEGORIES`, 0 when none), whatever the source's `base`."""
    _check_year(src, year)
    where, params = _where(year, anchor)
    cond = ("AND " + where[6:]) if where else ""
    got = src.sql(
        f"""SELECT excluded_as, CAST(SUM(amount_pence) AS BIGINT) AS pence FROM cube
            WHERE excluded_as IS NOT NULL {cond} GROUP BY 1""",
        params,
    )
    found = dict(zip(got["excluded_as"], got["pence"]))
    return {c: int(found.get(c, 0)) for c in BASE_CATEGORIES}


# --------------------------------------------------------------------------------------------
# Everything at once


def baseline(
    src: SpendSource,
    year: str | None = None,
    top_n: int = 300,
    *,
    deprived_deciles: Iterable[int],
    geography: pd.DataFrame | None = None,
    sic: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
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
