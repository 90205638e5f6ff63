"""The supply-chain baseline (CLES report section 3): where one year's anchor spend goes.

Pure functions over the spend frame (docs/CONTRACTS.md section 4). Money stays integer pence; a share
is a fraction 0..1. Most suppliers in a real ledger cannot be located, so a share is never given alone:
every share comes with its coverage (the part of spend the share could be measured on) and its
**bounds**, the share it would be if all the spend it could not be measured on were inside
(`_hi`) or outside (`_lo`) the group. The point estimate (`_share`) assumes the unmeasured spend
splits like the measured spend.

Individuals and redacted payees are aggregated and never named. The suppliers one by one (top
suppliers, counts, concentration) are `analysis.concentration`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..definitions import OFFICE_SHARE_LIMIT, AnalysisDefinitions
from ..errors import CwbError
from ..schema import (
    GEO_ORDER,
    LOCATION_BASES,
    OFFICE_BASES,
    SUPPLIER_TYPES,
)

ALL_ANCHORS = "All anchors"
BUSINESS_TYPE_NAMES = {
    "sme": "SME",
    "large": "Large business",
    "vcse": "VCSE (voluntary, community, social enterprise)",
    "public": "Public sector",
    "public_corporation": "Public corporations (council companies, ALMOs)",
    "individual": "Individuals (not named)",
    "unknown": "Not classified",
}


# --------------------------------------------------------------------------------------------
# Small helpers


def _pence(series: pd.Series) -> int:
    """Exact sum of a pence column as a Python int (never through float)."""
    if len(series) == 0:
        return 0
    return int(series.astype("int64").sum())


def _flag(spend: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with NA read as False (unlocated rows are neither in nor out)."""
    if column not in spend.columns:
        return pd.Series(False, index=spend.index)
    values = spend[column]
    # The spend's flags are plain bools already: no round trip through the nullable type.
    return values if values.dtype == bool else values.astype("boolean").fillna(False).astype(bool)


def payment_dates(spend: pd.DataFrame) -> pd.Series:
    """`payment_date` as datetime64, NaT where missing or not a date: `pd.to_datetime(errors="coerce")`
    without its value-by-value path for Arrow dates (40 ms a call on 16,000 payments)."""
    dates = spend["payment_date"]
    dtype = dates.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date32(dtype.pyarrow_dtype):
        days = pa.array(dates.array).to_numpy(zero_copy_only=False)
        return pd.Series(days.astype("datetime64[s]"), index=dates.index, name=dates.name)
    return pd.to_datetime(dates, errors="coerce")


def _located(spend: pd.DataFrame) -> pd.Series:
    if "located" in spend.columns:
        return _flag(spend, "located")
    return spend["lad_code"].notna()


def _is_individual(spend: pd.DataFrame) -> pd.Series:
    out = spend["supplier_type"].astype("string").fillna("") == "individual"
    if "individual" in spend.columns:
        out = out | _flag(spend, "individual")
    return out


def _each_distinct(values: pd.Series, func) -> np.ndarray:
    """`func` of every value, called once per distinct value (a payee's name repeats dozens of
    times, and a Python loop over Arrow strings costs a microsecond a value)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    results = np.empty(len(distinct), dtype=object)
    for i, value in enumerate(distinct):
        results[i] = func(value)
    return results[codes]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


# Supplier types that are not firms: deprived-area shares are of spend with private and third-sector
# suppliers only (a county hall in a deprived ward is not deprived-area spend).
NOT_FIRMS = ("public", "public_corporation", "individual")
NOT_MEANINGFUL = "net spend is zero or negative (credits exceed payments): no share, benchmark or scenario is given"


def _firms(spend: pd.DataFrame) -> pd.Series:
    """Payments to private and third-sector suppliers (`NOT_FIRMS` left out)."""
    return ~spend["supplier_type"].astype("string").isin(NOT_FIRMS).fillna(False).astype(bool)


def bounded_share(part: int, known: int, total: int, unsure_out: int = 0, unsure_in: int = 0) -> dict[str, float]:
    """A share measured on `known` of `total` pence, with its bounds.

    share = part / known (unmeasured spend assumed to split like the measured spend);
    lo = part / total (all unmeasured spend outside); hi = (part + unmeasured) / total (all inside);
    coverage = known / total. A share of nothing, or of net credits (`known` or `total` zero or
    negative), is not given (NaN); its bounds and coverage still are.

    `unsure_out` / `unsure_in`: measured spend counted outside / inside the group that may in truth be
    on the other side (a large firm placed by its head office: `may_branch`). The share keeps them
    where measured; the bounds and coverage count them as unmeasured, so hi - lo = 1 - coverage.
    """
    unknown = total - known
    return {
        "share": _ratio(part, known) if known > 0 and total > 0 else float("nan"),
        "lo": _ratio(part - unsure_in, total),
        "hi": _ratio(part + unknown + unsure_out, total),
        "coverage": _ratio(known - unsure_in - unsure_out, total),
    }


def location_basis(spend: pd.Series | pd.DataFrame) -> pd.Series:
    """Each payment's `location_basis` (`schema.LOCATION_BASES`), `none` when missing or unlocated."""
    if "location_basis" not in spend.columns:
        return pd.Series("none", index=spend.index, dtype="string")
    basis = spend["location_basis"].astype("string").fillna("none")
    return basis.where(_located(spend), "none")


def office_placed(spend: pd.DataFrame) -> pd.Series:
    """Located only by a head or registered office: where the supplier is based, not where it trades."""
    return location_basis(spend).isin(OFFICE_BASES).astype(bool)


def may_branch(spend: pd.DataFrame) -> pd.Series:
    """Placed by a head or registered office of a large organisation, which may serve the place from
    a branch (CLES: local when based *or branched* there): a head office (a Gender Pay Gap employer,
    250+ staff; an NHS headquarters, many sites) or a registered office of a firm the registers call
    large (Companies House accounts category, Gender Pay Gap). Outside the place, the bounds count it
    as unknown (`measures`)."""
    basis = location_basis(spend)
    large = spend["supplier_type"].astype("string").eq("large").fillna(False).astype(bool)
    return office_placed(spend) & ((basis == "head_office") | large)


def _pence_by(amount: pd.Series, labels: pd.Series) -> dict[Any, int]:
    """Exact pence per distinct label (missing labels left out): one pass, not a mask per label."""
    codes, distinct = pd.factorize(labels)
    known = codes >= 0
    sums = np.zeros(len(distinct), dtype="int64")
    np.add.at(sums, codes[known], amount.astype("int64").to_numpy()[known])
    return dict(zip(list(distinct), sums.tolist(), strict=True))


def located_by_basis(spend: pd.DataFrame) -> dict[str, int]:
    """Located pence by `location_basis`, every basis but `none` in `schema.LOCATION_BASES` order."""
    by = _pence_by(spend["amount_pence"], location_basis(spend))
    return {b: by.get(b, 0) for b in LOCATION_BASES if b != "none"}


def _rows(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> pd.DataFrame:
    """`frame[mask]`; a slice when the rows are one block (the spend is in year order): copying
    forty columns of a year's payments costs milliseconds, and a year is taken many times a report."""
    mask = np.asarray(mask, dtype=bool)
    at = np.flatnonzero(mask)
    if len(at) and at[-1] - at[0] + 1 == len(at):
        return frame.iloc[at[0] : at[-1] + 1]
    return frame[mask]


def for_year(spend: pd.DataFrame, year: str) -> pd.DataFrame:
    """The payments of one financial year (`2012/13`); a year with no payments is a user error."""
    mask = (spend["financial_year"].astype(str) == year).to_numpy(dtype=bool)
    if not mask.any():
        years = sorted(spend["financial_year"].dropna().astype(str).unique())
        raise CwbError(f"financial year {year!r} has no spend; the spend covers {', '.join(years) or 'no years'}")
    return _rows(spend, mask)


def anchors_in(spend: pd.DataFrame) -> list[str]:
    return sorted(spend["anchor"].dropna().astype(str).unique())


# --------------------------------------------------------------------------------------------
# 1. Headline


def measures(
    spend: pd.DataFrame,
    deprived_deciles: Iterable[int],
    sme_measured: bool = True,
    office_limit: float = OFFICE_SHARE_LIMIT,
) -> dict[str, Any]:
    """Every headline measure of one body of spend (one year, all anchors or one): pence and shares.

    Keys: total, located, unlocated, place, wider (place included, as CLES counts it), outside (located
    beyond the wider area: leakage), sme, vcse, deprived (pence); `<x>_share`, `<x>_share_lo`,
    `<x>_share_hi`, `<x>_coverage` for place, wider, outside, sme, vcse, deprived; located_share;
    `meaningful` (net spend above zero: else no share is given, `note` says why).
    SME and VCSE shares are measured on spend whose supplier type is known; the deprived share on
    spend with private and third-sector suppliers (`NOT_FIRMS` left out) located to an LSOA with an
    IMD decile, its bounds on all spend with them.

    `sme_measured=False` (see `sme_measurable`) when no source could tell an SME from a firm of
    unknown size: the SME share is then not estimated (NaN), only bounded, because suppliers of
    unknown size are mostly the SMEs the registers miss, so a share among known sizes would be biased.

    Where a firm trades: `office` is located spend placed by a head or registered office;
    `branch_place` / `branch_wider` the part of it with large organisations outside the place / the
    wider area (`may_branch`), counted as unknown in the place and wider bounds (and coverage). When
    `office` is more than `office_limit` of located spend (`definitions.location.office_share_limit`)
    the central place, wider and outside shares are not given (NaN, `central_note` says why).
    """
    # Masks as NumPy arrays, each column read once: a report takes these measures a dozen times.
    amount = spend["amount_pence"].astype("int64").to_numpy()
    located = _located(spend).to_numpy(dtype=bool)
    in_place = located & _flag(spend, "in_place").to_numpy(dtype=bool)
    in_wider = located & _flag(spend, "in_wider").to_numpy(dtype=bool)
    stype = spend["supplier_type"].astype("string").fillna("unknown")
    decile = pd.to_numeric(spend["imd_decile"], errors="coerce")
    firms = _firms(spend).to_numpy(dtype=bool)
    basis = location_basis(spend)
    office = basis.isin(OFFICE_BASES).to_numpy(dtype=bool)
    # `may_branch`, from the basis read once.
    branch = office & ((basis == "head_office").to_numpy(dtype=bool) | (stype == "large").to_numpy(dtype=bool))

    def pence(mask: np.ndarray) -> int:
        return int(amount[mask].sum())

    sums = {
        "total": int(amount.sum()),
        "located": pence(located),
        "place": pence(in_place),
        "wider": pence(in_wider),
        "typed": pence((stype != "unknown").to_numpy(dtype=bool)),
        "sme": pence((stype == "sme").to_numpy(dtype=bool)),
        "vcse": pence((stype == "vcse").to_numpy(dtype=bool)),
        "firms": pence(firms),
        "with_decile": pence(firms & decile.notna().to_numpy(dtype=bool)),
        "deprived": pence(firms & decile.isin(list(deprived_deciles)).to_numpy(dtype=bool)),
        "office": pence(located & office),
        "branch_place": pence(located & branch & ~in_place),
        "branch_wider": pence(located & branch & ~in_wider),
        "payments": int(len(spend)),
        "suppliers": int(spend["supplier_key"].nunique()),
    }
    return measures_from_sums(sums, sme_measured, office_limit)


# Sums of where a firm trades (`measures`); a source without `location_basis` has none (zero).
OFFICE_SUMS = ("office", "branch_place", "branch_wider")


def central_withheld(office: int, located: int, office_limit: float = OFFICE_SHARE_LIMIT) -> str:
    """Why no central place or wider share is given, or "" when it is: more than `office_limit` of
    located spend placed by a head or registered office says where firms are based, not where they trade."""
    share = _ratio(office, located) if located > 0 else 0.0
    if share <= office_limit:
        return ""
    return (
        f"{share * 100:.0f}% of located spend is placed by a head or registered office, more than the "
        f"{office_limit * 100:.0f}% limit; such an office says where firms are based, not where they trade, "
        "so only the bounds are given"
    )


def measures_from_sums(
    sums: Mapping[str, int], sme_measured: bool = True, office_limit: float = OFFICE_SHARE_LIMIT
) -> dict[str, Any]:
    """`measures` from its sums in pence (`total`, `located`, `place`, `wider`, `typed`, `sme`,
    `vcse`, `firms`, `with_decile`, `deprived`, and `OFFICE_SUMS`: zero when absent) and counts
    (`payments`, `suppliers`): the one definition of the headline's shares, shared with the
    out-of-core twin (`aggregate`)."""
    keys = ("total", "located", "place", "wider", "typed", "sme", "vcse", "firms", "with_decile", "deprived")
    s = {k: int(sums[k]) for k in (*keys, "payments", "suppliers")}
    s.update({k: int(sums.get(k, 0) or 0) for k in OFFICE_SUMS})
    total, loc, place, wider = s["total"], s["located"], s["place"], s["wider"]
    withheld = central_withheld(s["office"], loc, office_limit)
    out: dict[str, Any] = {
        "total": total,
        "located": loc,
        "unlocated": total - loc,
        "place": place,
        "wider": wider,
        "outside": loc - wider,
        "sme": s["sme"],
        "vcse": s["vcse"],
        "deprived": s["deprived"],
        "located_share": _ratio(loc, total),
        "office": s["office"],
        "office_share": _ratio(s["office"], loc) if loc > 0 else float("nan"),
        "branch_place": s["branch_place"],
        "branch_wider": s["branch_wider"],
        "central_note": withheld,
        "payments": s["payments"],
        "suppliers": s["suppliers"],
        "meaningful": total > 0,
        "note": "" if total > 0 else NOT_MEANINGFUL,
    }
    geo = ("place", "wider", "outside")
    for name, part, known, whole, out_, in_ in [
        ("place", place, loc, total, s["branch_place"], 0),
        ("wider", wider, loc, total, s["branch_wider"], 0),
        ("outside", loc - wider, loc, total, 0, s["branch_wider"]),
        ("sme", s["sme"], s["typed"], total, 0, 0),
        ("vcse", s["vcse"], s["typed"], total, 0, 0),
        ("deprived", s["deprived"], s["with_decile"], s["firms"], 0, 0),
    ]:
        b = bounded_share(part, known, whole, out_, in_)
        out[f"{name}_share"] = b["share"] if total > 0 and not (withheld and name in geo) else float("nan")
        out[f"{name}_share_lo"] = b["lo"]
        out[f"{name}_share_hi"] = b["hi"]
        out[f"{name}_coverage"] = b["coverage"]
    if not sme_measured:
        out["sme_share"] = float("nan")
        out["sme_coverage"] = 0.0
        # Every supplier not known to be something else could be an SME.
        out["sme_share_hi"] = _ratio(s["sme"] + (total - s["typed"]), total)
    return out


def sme_measurable(spend: pd.DataFrame, defs: AnalysisDefinitions | None = None) -> bool:
    """Whether SMEs can be told apart in this city's spend: the config gives a Companies House
    file (`companies_file`, with accounts categories), counts suppliers of unknown size as SMEs or
    large (`definitions.sme.unknown_as`), or some supplier was classified as an SME."""
    if defs is not None and (defs.companies_file is not None or defs.unknown_size_as != "unknown"):
        return True
    return bool((spend["supplier_type"].astype("string") == "sme").fillna(False).any())


def headline(
    spend: pd.DataFrame,
    deprived_deciles: Iterable[int],
    sme_measured: bool = True,
    office_limit: float = OFFICE_SHARE_LIMIT,
) -> pd.DataFrame:
    """All anchors together, then each anchor: total, place, wider, outside (leakage), unlocated in
    pence, and each share with its coverage and bounds. One row per anchor, `All anchors` first."""
    rows = [{"anchor": ALL_ANCHORS, **measures(spend, deprived_deciles, sme_measured, office_limit)}]
    for anchor in anchors_in(spend):
        sub = spend[spend["anchor"].astype(str) == anchor]
        rows.append({"anchor": anchor, **measures(sub, deprived_deciles, sme_measured, office_limit)})
    df = pd.DataFrame(rows)
    pence_cols = ["total", "located", "unlocated", "place", "wider", "outside", "sme", "vcse", "deprived"]
    df = df.rename(columns={c: f"{c}_pence" for c in pence_cols})
    for c in pence_cols:
        df[f"{c}_pence"] = df[f"{c}_pence"].astype("int64")
    return df


def bounds_text(lo: pd.Series, hi: pd.Series) -> list[str]:
    """Bounds as readers read them, range first: `1.1% to 99.8%` (the CSV keeps both numbers)."""
    return [f"{a * 100:.1f}% to {b * 100:.1f}%" for a, b in zip(lo, hi, strict=True)]


def headline_table(head: pd.DataFrame) -> pd.DataFrame:
    """The headline for readers: £ and % with bounds, one row per anchor (pounds as numbers)."""
    out = pd.DataFrame({"anchor": head["anchor"]})
    out["total_gbp"] = head["total_pence"] / 100
    for geo in ["place", "wider", "outside"]:
        out[f"{geo}_gbp"] = head[f"{geo}_pence"] / 100
        out[f"{geo}_share"] = head[f"{geo}_share"].round(4)
        out[f"{geo}_share_bounds"] = bounds_text(head[f"{geo}_share_lo"], head[f"{geo}_share_hi"])
    out["unlocated_gbp"] = head["unlocated_pence"] / 100
    out["located_share"] = head["located_share"].round(4)
    out["note"] = head.get("note", "")
    return out


# --------------------------------------------------------------------------------------------
# 2. Geography


def _key_frame(spend: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The `keys` columns as text, missing as ""."""
    return pd.DataFrame({k: spend[k].astype("string").fillna("") for k in keys}, index=spend.index)


def _group_sums(
    frame: pd.DataFrame, sums: Mapping[str, np.ndarray], suppliers: pd.Series | None = None, payments: bool = False
) -> pd.DataFrame:
    """One row per group of `frame`'s columns (the keys, sorted): each of `sums` (int64 arrays, one
    value a row) summed exactly, `suppliers` the distinct values of that column (missing not
    counted) and `payments` the rows. What `groupby(keys, sort=True).agg(...)` gives, without its
    dozen milliseconds of set-up a call: a report groups the same year's spend twenty times."""
    grouped = frame.groupby(list(frame.columns), sort=True, dropna=False)
    ids = grouped.ngroup().to_numpy()
    out = grouped.size().index.to_frame(index=False)
    n = len(out)
    for name, values in sums.items():
        total = np.zeros(n, dtype="int64")
        np.add.at(total, ids, values)
        out[name] = total
    if suppliers is not None:
        codes = pd.factorize(suppliers)[0]
        known = codes >= 0
        width = int(codes.max()) + 1 if known.any() else 1
        pairs = np.unique(ids[known].astype("int64") * width + codes[known])
        out["suppliers"] = np.bincount(pairs // width, minlength=n).astype("int64")
    if payments:
        out["payments"] = np.bincount(ids, minlength=n).astype("int64")
    return out


def _geo_columns(spend: pd.DataFrame, key: str | list[str]) -> pd.DataFrame:
    """Spend by `key` split by place / wider-area (outside the place) / outside / unlocated, in pence."""
    keys = [key] if isinstance(key, str) else list(key)
    located = _located(spend).to_numpy(dtype=bool)
    in_place = _flag(spend, "in_place").to_numpy(dtype=bool) & located
    in_wider = _flag(spend, "in_wider").to_numpy(dtype=bool) & located
    amount = spend["amount_pence"].astype("int64").to_numpy()
    sums = {
        "total_pence": amount,
        "place_pence": np.where(in_place, amount, 0),
        "wider_pence": np.where(in_wider, amount, 0),
        "outside_pence": np.where(located & ~in_wider, amount, 0),
        "unlocated_pence": np.where(~located, amount, 0),
    }
    return shares_with_bounds(_group_sums(_key_frame(spend, keys), sums, spend["supplier_key"]))


def shares_with_bounds(agg: pd.DataFrame) -> pd.DataFrame:
    """From `total_pence, place_pence, wider_pence, unlocated_pence`: the located share, and the place
    and wider shares of located spend with their bounds (all unlocated spend outside -> lo, inside
    -> hi). Shared with `aggregate` so both routes define a share the same way. A group whose net
    spend, or net located spend, is zero or negative has no share (NaN), only bounds."""
    located_pence = agg["total_pence"] - agg["unlocated_pence"]
    agg["located_share"] = _safe_div(located_pence, agg["total_pence"])
    # A share of net credits is not a share (`bounded_share`).
    located_pence = located_pence.where((located_pence > 0) & (agg["total_pence"] > 0), 0)
    agg["place_share"] = _safe_div(agg["place_pence"], located_pence)
    agg["place_share_lo"] = _safe_div(agg["place_pence"], agg["total_pence"])
    agg["place_share_hi"] = _safe_div(agg["place_pence"] + agg["unlocated_pence"], agg["total_pence"])
    agg["wider_share"] = _safe_div(agg["wider_pence"], located_pence)
    agg["wider_share_lo"] = _safe_div(agg["wider_pence"], agg["total_pence"])
    agg["wider_share_hi"] = _safe_div(agg["wider_pence"] + agg["unlocated_pence"], agg["total_pence"])
    return agg


def _names(table: pd.DataFrame, code: str, name: str, wanted: Iterable[str]) -> dict[str, str]:
    """`code -> name` from a reference table, for the `wanted` codes only: a table of Arrow strings
    is read a microsecond a value in Python (12,000 wards: 35 ms a call). The last row of a code wins."""
    codes = table[code].astype(str)
    keep = codes.isin(set(wanted)).to_numpy(dtype=bool)
    return dict(zip(codes[keep], table[name].astype(str)[keep], strict=True))


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    """`num / den` as floats, NaN where `den` is zero (the two share an index)."""
    d = den.astype("float64").to_numpy()
    values = num.astype("float64").to_numpy() / np.where(d != 0, d, np.nan)
    return pd.Series(values, index=num.index, dtype="float64")


def spend_by_lad(spend: pd.DataFrame, geography: pd.DataFrame | None = None, by_anchor: bool = False) -> pd.DataFrame:
    """Spend by supplier local authority district: the place's LADs first, then the rest of the
    wider area, then elsewhere (largest first), and unlocated spend last. `geography` (reference
    `geography.parquet`) adds LAD names."""
    amount = spend["amount_pence"].astype("int64").to_numpy()
    keys = (["anchor"] if by_anchor else []) + ["lad_code", "geo"]
    frame = _key_frame(spend, keys)
    located = _located(spend).to_numpy(dtype=bool)
    frame.loc[~located, "lad_code"] = ""
    frame.loc[~located, "geo"] = "unlocated"
    out = _group_sums(frame, {"spend_pence": amount}, spend["supplier_key"], payments=True)
    return lad_table(out, geography, by_anchor)


def lad_table(out: pd.DataFrame, geography: pd.DataFrame | None, by_anchor: bool) -> pd.DataFrame:
    """Spend by LAD summed (`lad_code`, `geo`, `spend_pence`, `suppliers`, `payments`) -> the published
    table: shares, district names, the place first, then the wider area, then everywhere else.
    Shared with `aggregate.spend_by_lad` so the in-memory and out-of-core tables cannot drift."""
    group_total = out.groupby(["anchor"] if by_anchor else lambda _: 0)["spend_pence"].transform("sum")
    out["share_of_total"] = _safe_div(out["spend_pence"], group_total)
    names = {}
    if geography is not None and len(geography):
        names = _names(geography, "lad_code", "lad_name", out["lad_code"])
    out["lad_name"] = [names.get(c, "") if c else "(not located)" for c in out["lad_code"]]
    out["_geo_rank"] = out["geo"].map({g: i for i, g in enumerate(GEO_ORDER)}).fillna(len(GEO_ORDER))
    sort_keys = (["anchor"] if by_anchor else []) + ["_geo_rank", "spend_pence", "lad_code"]
    out = out.sort_values(sort_keys, ascending=[True] * by_anchor + [True, False, True], kind="mergesort")
    cols = (["anchor"] if by_anchor else []) + [
        "lad_code",
        "lad_name",
        "geo",
        "spend_pence",
        "share_of_total",
        "suppliers",
        "payments",
    ]
    return out[cols].reset_index(drop=True)


def spend_by_ward(spend: pd.DataFrame, wards: pd.DataFrame | None = None, by_anchor: bool = False) -> pd.DataFrame:
    """Spend with suppliers inside the place, by ward (largest first); `(ward not known)` last."""
    in_place = (_flag(spend, "in_place") & _located(spend)).to_numpy(dtype=bool)
    keys = (["anchor"] if by_anchor else []) + ["ward_code"]
    # Only the columns grouped: the spend has forty.
    sub = spend[[*keys, "amount_pence", "supplier_key"]][in_place]
    amount = sub["amount_pence"].astype("int64").to_numpy()
    out = _group_sums(_key_frame(sub, keys), {"spend_pence": amount}, sub["supplier_key"])
    group_total = out.groupby(["anchor"] if by_anchor else lambda _: 0)["spend_pence"].transform("sum")
    out["share_of_place"] = _safe_div(out["spend_pence"], group_total)
    names = {}
    if wards is not None and len(wards):
        names = _names(wards, "ward_code", "ward_name", out["ward_code"])
    out["ward_name"] = [names.get(c, "") if c else "(ward not known)" for c in out["ward_code"]]
    out["_known"] = (out["ward_code"] == "").astype(int)
    sort_keys = (["anchor"] if by_anchor else []) + ["_known", "spend_pence", "ward_code"]
    out = out.sort_values(sort_keys, ascending=[True] * by_anchor + [True, False, True], kind="mergesort")
    cols = (["anchor"] if by_anchor else []) + ["ward_code", "ward_name", "spend_pence", "share_of_place", "suppliers"]
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 3. Sector


def spend_by_sector(spend: pd.DataFrame, level: str = "section", sic: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spend by SIC 2007 section (`level="section"`) or division, split by geography, with the place
    and wider-area shares of each sector's located spend (and bounds): which sectors are local and
    which leak. Largest sector first; spend with no SIC is `(no SIC)`, last."""
    if level not in ("section", "division"):
        raise ValueError("level must be 'section' or 'division'")
    col = f"sic_{level}"
    out = _geo_columns(spend.assign(sector=spend[col]), "sector")
    names = {}
    if sic is not None and len(sic):
        names = _names(sic, col, f"sic_{level}_name", out["sector"])
    out.insert(1, "sector_name", [names.get(s, "") if s else "(no SIC)" for s in out["sector"]])
    out["_none"] = (out["sector"] == "").astype(int)
    out = out.sort_values(["_none", "total_pence", "sector"], ascending=[True, False, True], kind="mergesort")
    return out.drop(columns="_none").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 4. Business type


def count_unknown_size(spend: pd.DataFrame, unknown_as: str) -> pd.DataFrame:
    """The spend with suppliers of unknown size (`supplier_type` unknown) counted as `unknown_as`
    (`definitions.sme.unknown_as`): `unknown` leaves them apart; `sme` or `large` relabels them,
    so every figure by supplier type (SME share, business types, re-spend, exclusions) counts them
    so. Applied once, to the spend the analysis reads."""
    if unknown_as not in ("unknown", "sme", "large"):
        raise ValueError(f"unknown_as must be 'unknown', 'sme' or 'large', not {unknown_as!r}")
    if unknown_as == "unknown":
        return spend
    out = spend.copy()
    stype = out["supplier_type"].astype("string")
    out["supplier_type"] = stype.mask(stype.fillna("unknown") == "unknown", unknown_as)
    return out


def spend_by_business_type(spend: pd.DataFrame, by_anchor: bool = False) -> pd.DataFrame:
    """SME, large, VCSE, public, individual (aggregated), not classified: £ by geography and each
    type's share of total spend (of the anchor's, with `by_anchor`), in that fixed order."""
    frame = spend.copy()
    frame["supplier_type"] = frame["supplier_type"].astype("string").fillna("unknown")
    keys = (["anchor"] if by_anchor else []) + ["supplier_type"]
    out = _geo_columns(frame, keys)
    total = out.groupby(["anchor"] if by_anchor else lambda _: 0)["total_pence"].transform("sum")
    out["share_of_total"] = _safe_div(out["total_pence"], total)
    out["business_type"] = out["supplier_type"].map(BUSINESS_TYPE_NAMES).fillna(out["supplier_type"])
    out["_order"] = out["supplier_type"].map({t: i for i, t in enumerate(SUPPLIER_TYPES)}).fillna(len(SUPPLIER_TYPES))
    out = out.sort_values(keys[:-1] + ["_order", "supplier_type"], kind="mergesort").drop(columns="_order")
    first = keys + ["business_type", "total_pence", "share_of_total"]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def local_business_spend(spend: pd.DataFrame) -> pd.DataFrame:
    """Spend with SMEs and VCSEs in the place and in the wider area. The share is of located spend;
    its bounds are of all spend, the upper one counting that type's unlocated spend as local."""
    amount = spend["amount_pence"].astype("int64")
    located = _located(spend)
    stype = spend["supplier_type"].astype("string").fillna("unknown")
    total = _pence(amount)
    loc = _pence(amount[located])
    rows = []
    for t in ["sme", "vcse"]:
        unlocated_of_type = _pence(amount[~located & (stype == t)])
        for area, flag in [("place", "in_place"), ("wider", "in_wider")]:
            part = _pence(amount[located & _flag(spend, flag) & (stype == t)])
            rows.append(
                {
                    "business_type": BUSINESS_TYPE_NAMES[t].split(" (")[0],
                    "area": area,
                    "spend_pence": part,
                    "share_of_located": _ratio(part, loc),
                    "share_lo": _ratio(part, total),
                    "share_hi": _ratio(part + unlocated_of_type, total),
                    "located_share": _ratio(loc, total),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 5. Deprivation: `deprivation.py` (spend with firms in deprived areas, the place's own LSOAs).


# --------------------------------------------------------------------------------------------
# 6. Suppliers


def benchmark_comparison(
    m: Mapping[str, Any], local_benchmark: float | None, sme_benchmark: float | None
) -> pd.DataFrame:
    """The place's local share and SME share (from `measures`) against the national figures
    (`definitions.benchmark`), with bounds: `above`/`below` only when the whole bounds interval is
    on one side, else `within bounds`; none (None) when the anchors' kinds have no benchmark."""
    rows = []
    for label, key, bench in [
        ("Spend with suppliers in the place", "place", local_benchmark),
        ("Spend with SMEs", "sme", sme_benchmark),
    ]:
        share, lo, hi = m[f"{key}_share"], m[f"{key}_share_lo"], m[f"{key}_share_hi"]
        if bench is None:
            # `definitions.benchmark.anchor_kinds`: the shares are no average of these anchors' kinds.
            bench, verdict = np.nan, "no benchmark for these anchors' kinds: not compared"
        elif not m.get("meaningful", True):
            share, verdict = np.nan, f"not compared: {NOT_MEANINGFUL}"
        elif pd.isna(lo) or pd.isna(hi):
            verdict = "not measured"
        elif lo > bench:
            verdict = "above"
        elif hi < bench:
            verdict = "below"
        elif pd.isna(share):
            verdict = "not measured; bounds straddle the benchmark"
        else:
            verdict = "within bounds"
        rows.append(
            {
                "measure": label,
                "share": share,
                "share_lo": lo,
                "share_hi": hi,
                "coverage": m[f"{key}_coverage"],
                "benchmark": bench,
                "difference": share - bench if not pd.isna(share) else np.nan,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)
