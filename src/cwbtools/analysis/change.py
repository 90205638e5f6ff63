"""Change over time (CLES report section 4): what moved between years, and why.

Pure functions over the spend frame (docs/CONTRACTS.md section 4), money in integer pence.

* `measures_by_year`: every baseline measure per year, all anchors and each anchor.
* `year_coverage`, `comparability_notes`, `balanced_anchors`: is one year comparable with another?
  (CLES's 2016/17 Preston figure was on a smaller total than 2012/13.)
* `decompose_local_change`: the change in local pounds split exactly into the part from total spend
  changing and the part from the local share changing: dL = p0 * dT + T1 * dp.
* `shift_share`: the change in local share across sectors split into composition (spend moving
  between sectors) and localisation (the local share within sectors changing).
* `local_share_trend` (in `trend.py`, importable from here too): a fractional-logit trend in the local
  share with anchor fixed effects, robust standard errors, intervals, seasonality, and an interrupted
  time series at a policy start.
* `supplier_churn`: local suppliers gained and lost, and how much of the change came from each.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..definitions import OFFICE_SHARE_LIMIT, AnalysisDefinitions
from ..errors import CwbError
from ..formats import gbp as _gbp
from .base import analysed, classified
from .baseline import (
    ALL_ANCHORS,
    OFFICE_SUMS,
    _flag,
    _located,
    _pence,
    anchors_in,
    bounds_text,
    for_year,
    measures,
    payment_dates,
    sme_measurable,
)

# Comparable months and the suppliers behind a change live in comparable.py; notebook 02 calls them
# through `change`.
from .comparable import (  # noqa: F401
    Comparison,
    comparable_spend,
    comparison,
    coverage_constant,
    driver_text,
    leave_top_k,
    month_coverage,
    month_text,
    notes_text,
    row_months,
)
from .headlines import year_summary
from .trend import LOCAL_MEASURES

# The trend has a module of its own (trend.py); notebook 02 calls it as `change.local_share_trend`.
from .trend import local_share_trend as local_share_trend


def _years(spend: pd.DataFrame, years: list[str] | None = None) -> list[str]:
    present = sorted(spend["financial_year"].dropna().astype(str).unique())
    if years is None:
        return present
    missing = [y for y in years if y not in present]
    if missing:
        raise CwbError(f"financial year(s) {', '.join(missing)} have no spend; the spend covers {', '.join(present)}")
    return sorted(years)


# --------------------------------------------------------------------------------------------
# 1. Every baseline measure by year, and whether years compare


def _months(spend: pd.DataFrame) -> int:
    """Months of the year any of the payments covers (`row_months`): 12 for a whole year."""
    return bin(int(np.bitwise_or.reduce(row_months(spend).to_numpy(), initial=0))).count("1")


def measures_by_year(
    spend: pd.DataFrame,
    years: list[str] | None = None,
    by_anchor: bool = True,
    *,
    deprived_deciles,
    anchors: list[str] | None = None,
    sme_measured: bool = True,
    office_limit: float = OFFICE_SHARE_LIMIT,
) -> pd.DataFrame:
    """One row per year (and per anchor, with `All anchors` first): the months covered (fewer than
    12: a partial year, its figures not annualised), totals, place / wider / outside
    pence and shares with bounds, SME, VCSE and deprived-area shares, located coverage. With
    `anchors`, only those (for example `balanced_anchors`). A central share is withheld above
    `office_limit`, as in the headline."""
    if anchors is not None:
        spend = spend[spend["anchor"].astype(str).isin(list(anchors))]
    rows = []
    for year in _years(spend, years):
        sub = spend[spend["financial_year"].astype(str) == year]
        rows.append(
            {
                "year": year,
                "anchor": ALL_ANCHORS,
                "anchors": sub["anchor"].nunique(),
                "months": _months(sub),
                **measures(sub, deprived_deciles, sme_measured, office_limit),
            }
        )
        if by_anchor:
            for anchor in anchors_in(sub):
                rows.append(
                    {
                        "year": year,
                        "anchor": anchor,
                        "anchors": 1,
                        "months": _months(sub[sub["anchor"].astype(str) == anchor]),
                        **measures(
                            sub[sub["anchor"].astype(str) == anchor], deprived_deciles, sme_measured, office_limit
                        ),
                    }
                )
    out = pd.DataFrame(rows)
    pence = ["total", "located", "unlocated", "place", "wider", "outside", "sme", "vcse", "deprived"]
    pence += [c for c in OFFICE_SUMS if c in out.columns]
    # The reason a central share is withheld is said once, in the headline, not on every row.
    out = out.drop(columns=["central_note"], errors="ignore").rename(columns={c: f"{c}_pence" for c in pence})
    for c in pence:
        out[f"{c}_pence"] = out[f"{c}_pence"].astype("int64")
    order = {ALL_ANCHORS: ""}
    out["_a"] = out["anchor"].map(lambda a: order.get(a, "~" + a))
    return out.sort_values(["_a", "year"], kind="mergesort").drop(columns="_a").reset_index(drop=True)


def shares_by_year(mby: pd.DataFrame) -> pd.DataFrame:
    """`measures_by_year` for readers: per year (and anchor), the months covered, the spend, its
    located share, and the place and wider shares as bounds first, the central figure where it is
    given. Every other measure stays in the full table."""
    out = mby[["year", "anchor", "months", "total_pence", "located_share"]].copy()
    for geo in LOCAL_MEASURES:
        out[f"{geo}_share_bounds"] = bounds_text(mby[f"{geo}_share_lo"], mby[f"{geo}_share_hi"])
        out[f"{geo}_share"] = mby[f"{geo}_share"]
    return out


def year_coverage(spend: pd.DataFrame, years: list[str] | None = None) -> pd.DataFrame:
    """Per anchor and year: spend, payments, months covered (`month_coverage`: a dated payment's
    month or an undated one's stated period), first and last dated payment, located share. Shows
    at a glance which ledgers are partial or missing."""
    years = _years(spend, years)
    sub = spend[spend["financial_year"].astype(str).isin(years)]
    dates = payment_dates(sub)
    frame = pd.DataFrame(
        {
            "anchor": sub["anchor"].astype(str),
            "year": sub["financial_year"].astype(str),
            "amount_pence": sub["amount_pence"].astype("int64"),
            "located_pence": sub["amount_pence"].astype("int64").where(_located(sub), 0),
            "date": dates,
        }
    )
    out = (
        frame.groupby(["anchor", "year"], sort=True)
        .agg(
            total_pence=("amount_pence", "sum"),
            located_pence=("located_pence", "sum"),
            payments=("amount_pence", "size"),
            first_payment=("date", "min"),
            last_payment=("date", "max"),
        )
        .reset_index()
    )
    full = pd.MultiIndex.from_product([sorted(frame["anchor"].unique()), years], names=["anchor", "year"])
    out = out.set_index(["anchor", "year"]).reindex(full).reset_index()
    # The one count of months (the change section and the partial-year flags use it too): counting
    # dated months here once called a year with an undated quarter "9 of 12 months" beside "12".
    covered = month_coverage(sub)[["anchor", "year", "months"]]
    out = out.merge(covered, on=["anchor", "year"], how="left")
    out = out[["anchor", "year", "total_pence", "located_pence", "payments", "months", "first_payment", "last_payment"]]
    for c in ["total_pence", "located_pence", "payments", "months"]:
        out[c] = out[c].fillna(0).astype("int64")
    out["located_share"] = (out["located_pence"] / out["total_pence"].where(out["total_pence"] != 0)).astype("float64")
    out["first_payment"] = out["first_payment"].dt.date.astype("string")
    out["last_payment"] = out["last_payment"].dt.date.astype("string")
    return out


def balanced_anchors(spend: pd.DataFrame, years: list[str] | None = None) -> list[str]:
    """Anchors with spend in every one of `years`: the balanced panel."""
    years = _years(spend, years)
    present = spend[spend["financial_year"].astype(str).isin(years)].groupby("anchor")["financial_year"].nunique()
    return sorted(str(a) for a, n in present.items() if n == len(set(years)))


def _balanced_and_every(spend: pd.DataFrame, years: list[str] | None) -> tuple[list[str], bool]:
    """The balanced anchors, and whether they are every anchor of `years`."""
    balanced = balanced_anchors(spend, years)
    every = anchors_in(spend[spend["financial_year"].astype(str).isin(_years(spend, years))])
    return balanced, balanced == every


def balanced_text(spend: pd.DataFrame, years: list[str] | None = None) -> str:
    """What the balanced view (only the anchors with spend in every year) keeps, in words."""
    balanced, every = _balanced_and_every(spend, years)
    if not balanced:
        return "No anchor has spend in every year, so there is no balanced view."
    if every:
        return f"Every anchor ({', '.join(balanced)}) has spend in every year: no anchor joins or leaves."
    return (
        "The balanced view keeps only the anchors with spend in every year, so that a change is not an anchor "
        f"joining or leaving: {', '.join(balanced)}."
    )


def balanced_shares(
    spend: pd.DataFrame, defs: AnalysisDefinitions, years: list[str] | None = None, sme_measured: bool = True
) -> pd.DataFrame | None:
    """`shares_by_year` of the balanced anchors together, measured by `defs`, or None when they
    are every anchor or none (`balanced_text` says which)."""
    balanced, every = _balanced_and_every(spend, years)
    if not balanced or every:
        return None
    mby = measures_by_year(
        spend,
        years,
        by_anchor=False,
        anchors=balanced,
        deprived_deciles=defs.deprived_deciles,
        sme_measured=sme_measured,
        office_limit=defs.office_share_limit,
    )
    return shares_by_year(mby)


def comparability_notes(
    spend: pd.DataFrame,
    years: list[str] | None = None,
    months_full: int = 12,
    coverage_gap: float = 0.10,
    total_jump: float = 1.5,
) -> list[str]:
    """Plain-language flags when years are not like for like: an anchor missing from a year, a
    ledger with fewer than `months_full` months of payments, located coverage moving by more
    than `coverage_gap` between years, or (with three years or more) a year's total more than
    `total_jump` times the median year's or less than its inverse. Empty when the years compare."""
    cov = year_coverage(spend, years)
    notes = []
    for anchor, group in cov.groupby("anchor", sort=True):
        missing = group.loc[group["payments"] == 0, "year"].tolist()
        if missing:
            notes.append(f"{anchor} has no spend in {', '.join(missing)}.")
        partial = group[(group["payments"] > 0) & (group["months"] < months_full)]
        for _, row in partial.iterrows():
            notes.append(
                f"{anchor} {row['year']}: payments in {row['months']} of 12 months only "
                f"({row['first_payment']} to {row['last_payment']})."
            )
    totals = cov.groupby("year").agg(total=("total_pence", "sum"), located=("located_pence", "sum"))
    median = float(totals["total"].median()) if len(totals) > 2 else float("nan")
    if median > 0:
        for year, total in totals["total"].items():
            ratio = total / median
            if ratio > total_jump or ratio < 1 / total_jump:
                notes.append(
                    f"{year}: total spend {_gbp(total)} is {ratio:.1f} times the median year "
                    f"({_gbp(median)}); check what the ledgers include that year."
                )
    share = totals["located"] / totals["total"].where(totals["total"] != 0)
    if share.notna().sum() > 1 and share.max() - share.min() > coverage_gap:
        notes.append(
            f"Located coverage ranges from {share.min() * 100:.0f}% ({share.idxmin()}) to "
            f"{share.max() * 100:.0f}% ({share.idxmax()}): shares are measured on different parts of spend."
        )
    return notes


# --------------------------------------------------------------------------------------------
# 2. Decomposition and shift-share


def _local_totals(spend: pd.DataFrame, measure: str, base: str) -> tuple[int, int]:
    """(local pence, base pence) where base is all spend (`total`) or located spend (`located`)."""
    amount = spend["amount_pence"].astype("int64")
    located = _located(spend)
    local = _pence(amount[located & _flag(spend, LOCAL_MEASURES[measure])])
    denom = _pence(amount) if base == "total" else _pence(amount[located])
    return local, denom


def _round_half_away(x: Fraction) -> int:
    return int(x + Fraction(1, 2)) if x >= 0 else -int(-x + Fraction(1, 2))


def decompose(local_from: int, total_from: int, local_to: int, total_to: int) -> dict[str, Any]:
    """dL = p0 * dT + T1 * dp with p = L / T, in whole pence. The total effect p0 * dT is computed
    exactly and rounded to the penny; the share effect is the rest, so the two add up to dL exactly."""
    change = local_to - local_from
    if total_from == 0:
        total_effect = 0
    else:
        total_effect = _round_half_away(Fraction(local_from, total_from) * (total_to - total_from))
    return {
        "local_from_pence": local_from,
        "local_to_pence": local_to,
        "change_pence": change,
        "total_from_pence": total_from,
        "total_to_pence": total_to,
        "share_from": local_from / total_from if total_from else np.nan,
        "share_to": local_to / total_to if total_to else np.nan,
        "total_effect_pence": total_effect,
        "share_effect_pence": change - total_effect,
    }


def decompose_local_change(
    spend: pd.DataFrame,
    year_from: str,
    year_to: str,
    by_anchor: bool = False,
    anchors: list[str] | None = None,
    base: str = "total",
) -> pd.DataFrame:
    """The change in spend with suppliers in the place and in the wider area between two years,
    split into the part from total spend changing (p0 * dT) and the part from the local share
    changing (T1 * dp). `base="total"` takes shares of all spend (so a change in how much spend
    could be located shows in the share effect); `"located"` of located spend. With `anchors`, only
    those (for example the balanced panel)."""
    if base not in ("total", "located"):
        raise ValueError("base must be 'total' or 'located'")
    if anchors is not None:
        spend = spend[spend["anchor"].astype(str).isin(anchors)]
        if spend.empty:  # no anchor in both years: nothing to compare like for like
            return pd.DataFrame(columns=["anchor", "measure", "from", "to", "base", *decompose(0, 0, 0, 0)])
    a, b = for_year(spend, year_from), for_year(spend, year_to)
    groups = [(ALL_ANCHORS, a, b)]
    if by_anchor:
        for anchor in sorted(set(anchors_in(a)) | set(anchors_in(b))):
            groups.append((anchor, a[a["anchor"].astype(str) == anchor], b[b["anchor"].astype(str) == anchor]))
    rows = []
    for anchor, sa, sb in groups:
        for measure in LOCAL_MEASURES:
            l0, t0 = _local_totals(sa, measure, base)
            l1, t1 = _local_totals(sb, measure, base)
            rows.append(
                {
                    "anchor": anchor,
                    "measure": measure,
                    "from": year_from,
                    "to": year_to,
                    "base": base,
                    **decompose(l0, t0, l1, t1),
                }
            )
    return pd.DataFrame(rows)


NO_SIC, UNLOCATED = "(no SIC)", "(unlocated)"


def shift_share(
    spend: pd.DataFrame,
    year_from: str,
    year_to: str,
    level: str = "section",
    measure: str = "place",
    base: str = "located",
) -> pd.DataFrame:
    """Shift-share of the local share across SIC sectors, on located spend with a SIC code (`spend`
    is the procurement base). With w_s a sector's share of that spend and p_s its local share:
    dp = sum (w1 - w0) p0 [composition] + sum w1 (p1 - p0) [localisation], exactly. A sector absent
    in one year takes the other year's local share there, so it counts as pure composition. Effects
    are in share points and in pence at the later year's total (x T1).

    Located spend with no SIC code and unlocated spend are no sector: they follow as rows `(no SIC)`
    and `(unlocated)` with their pence in `apart_*` columns (base, local, weights and effects zero),
    so sums over all rows are the sector sums. `base="total"` keeps unlocated spend in its sector
    (the old reading: unlocated spend counted as not local)."""
    col = f"sic_{level}"
    frames, apart = {}, {}
    for label, year in (("0", year_from), ("1", year_to)):
        sub = for_year(spend, year)
        located = _located(sub)
        amount = sub["amount_pence"].astype("int64")
        sector = sub[col].astype("string").fillna(NO_SIC).replace("", NO_SIC)
        in_base = located if base == "located" else pd.Series(True, index=sub.index)
        local = amount.where(located & _flag(sub, LOCAL_MEASURES[measure]), 0)
        f = pd.DataFrame({"sector": sector, "base": amount.where(in_base, 0), "local": local})
        known = f[f["sector"] != NO_SIC]
        frames[label] = known.groupby("sector", sort=True)[["base", "local"]].sum()
        no_sic = f[f["sector"] == NO_SIC]
        apart[label] = {
            NO_SIC: (_pence(no_sic["base"]), _pence(no_sic["local"])),
            UNLOCATED: (_pence(amount[~in_base & (sector != NO_SIC)]), 0),
        }
    both = frames["0"].add_suffix("_0").join(frames["1"].add_suffix("_1"), how="outer").fillna(0).astype("int64")
    t0, t1 = both["base_0"].sum(), both["base_1"].sum()
    if t0 == 0 or t1 == 0:
        raise CwbError(f"shift-share needs located spend with a SIC code in both {year_from} and {year_to}")
    w0, w1 = both["base_0"] / t0, both["base_1"] / t1
    p0 = (both["local_0"] / both["base_0"].where(both["base_0"] != 0)).astype("float64")
    p1 = (both["local_1"] / both["base_1"].where(both["base_1"] != 0)).astype("float64")
    p0, p1 = p0.fillna(p1).fillna(0.0), p1.fillna(p0).fillna(0.0)
    out = pd.DataFrame(
        {
            "sector": both.index,
            "base_from_pence": both["base_0"].to_numpy(),
            "base_to_pence": both["base_1"].to_numpy(),
            "local_from_pence": both["local_0"].to_numpy(),
            "local_to_pence": both["local_1"].to_numpy(),
            "weight_from": w0.to_numpy(),
            "weight_to": w1.to_numpy(),
            "local_share_from": p0.to_numpy(),
            "local_share_to": p1.to_numpy(),
        }
    )
    out["composition_effect"] = (out["weight_to"] - out["weight_from"]) * out["local_share_from"]
    out["localisation_effect"] = out["weight_to"] * (out["local_share_to"] - out["local_share_from"])
    out["composition_effect_pence"] = (out["composition_effect"] * t1).round().astype("int64")
    out["localisation_effect_pence"] = (out["localisation_effect"] * t1).round().astype("int64")
    out = out.sort_values(["base_to_pence", "sector"], ascending=[False, True], kind="mergesort")
    rest = pd.DataFrame(
        [
            {
                "sector": name,
                "apart_from_pence": apart["0"][name][0],
                "apart_to_pence": apart["1"][name][0],
                "apart_local_from_pence": apart["0"][name][1],
                "apart_local_to_pence": apart["1"][name][1],
            }
            for name in (NO_SIC, UNLOCATED)
        ]
    )
    out = pd.concat([out, rest], ignore_index=True)
    ints = [c for c in out.columns if c.endswith("_pence")]
    floats = [c for c in out.columns if c.startswith(("weight", "local_share", "composition", "localisation"))]
    out[ints] = out[ints].fillna(0).astype("int64")
    out[floats] = out[floats].fillna(0.0)
    out.insert(1, "in_shift_share", out["sector"].ne(NO_SIC) & out["sector"].ne(UNLOCATED))
    out.insert(0, "measure", measure)
    return out


def shift_share_summary(shift: pd.DataFrame) -> pd.DataFrame:
    """The shift-share in lines: composition and localisation, the change in local share (of located
    spend with a SIC code) they add up to exactly; then apart, located spend with no SIC code, the
    change in the local share of all located spend once it is counted, and unlocated spend, which no
    share includes. Share points, pence at the later year's total, and the spend from and to."""
    t0, t1 = int(shift["base_from_pence"].sum()), int(shift["base_to_pence"].sum())
    share0 = shift["local_from_pence"].sum() / t0
    share1 = shift["local_to_pence"].sum() / t1
    comp, loc = shift["composition_effect"].sum(), shift["localisation_effect"].sum()
    comp_p, loc_p = int(shift["composition_effect_pence"].sum()), int(shift["localisation_effect_pence"].sum())
    apart = shift.set_index("sector")
    n0, n1 = (int(apart.at[NO_SIC, c]) if NO_SIC in apart.index else 0 for c in ("apart_from_pence", "apart_to_pence"))
    nl0, nl1 = (
        int(apart.at[NO_SIC, c]) if NO_SIC in apart.index else 0
        for c in ("apart_local_from_pence", "apart_local_to_pence")
    )
    u0, u1 = (
        int(apart.at[UNLOCATED, c]) if UNLOCATED in apart.index else 0 for c in ("apart_from_pence", "apart_to_pence")
    )
    all0 = (shift["local_from_pence"].sum() + nl0) / (t0 + n0)
    all1 = (shift["local_to_pence"].sum() + nl1) / (t1 + n1)
    return pd.DataFrame(
        {
            "effect": [
                "Composition: located spend moving between sectors",
                "Localisation: local share within sectors",
                "Change in local share of located spend with a SIC code",
                "Apart: located spend with no SIC code (local share from and to)",
                "Change in local share of all located spend",
                "Apart: unlocated spend (in no share)",
            ],
            "share_points": [
                comp,
                loc,
                share1 - share0,
                (nl1 / n1 if n1 else np.nan) - (nl0 / n0 if n0 else np.nan),
                all1 - all0,
                np.nan,
            ],
            "pence_at_later_total": [comp_p, loc_p, comp_p + loc_p, None, None, None],
            "from_pence": [None, None, t0, n0, t0 + n0, u0],
            "to_pence": [None, None, t1, n1, t1 + n1, u1],
        }
    ).astype({"pence_at_later_total": "Int64", "from_pence": "Int64", "to_pence": "Int64"})


# --------------------------------------------------------------------------------------------
# 3. Supplier churn


def supplier_churn(spend: pd.DataFrame, year_from: str, year_to: str, measure: str = "place") -> pd.DataFrame:
    """Local suppliers (any spend with them located in the place, or wider area) in one year or
    both: continuing, gained, lost. Their rows add up exactly to the change in local pence, so the
    change splits into same suppliers spending more or less against suppliers gained and lost.
    Counts only: no supplier is named."""

    def local(year: str) -> pd.Series:
        sub = for_year(spend, year)
        mask = _located(sub) & _flag(sub, LOCAL_MEASURES[measure])
        s = sub[mask].groupby(sub.loc[mask, "supplier_key"].astype(str))["amount_pence"].sum().astype("int64")
        return s[s != 0]

    a, b = local(year_from), local(year_to)
    keys_a, keys_b = set(a.index), set(b.index)
    groups = [
        ("continuing", sorted(keys_a & keys_b)),
        ("gained", sorted(keys_b - keys_a)),
        ("lost", sorted(keys_a - keys_b)),
    ]
    rows = []
    for name, keys in groups:
        f, t = int(a.reindex(keys).fillna(0).sum()), int(b.reindex(keys).fillna(0).sum())
        rows.append({"suppliers": name, "count": len(keys), "from_pence": f, "to_pence": t, "change_pence": t - f})
    out = pd.DataFrame(rows)
    out.insert(0, "measure", measure)
    out["from"], out["to"] = year_from, year_to
    return out


# --------------------------------------------------------------------------------------------
# summary.json: the change part


CHANGE_FIGURES = (
    "place_gbp_change",
    "wider_gbp_change",
    "place_share_change",
    "wider_share_change",
    "total_effect_gbp",
    "share_effect_gbp",
    "wider_total_effect_gbp",
    "wider_share_effect_gbp",
    "total_gbp_change",
)


_COMPARED = ("compared", "partial", "months")
_DRIVERS = ("coverage_constant", "leave_top_k", "driver")


def change_figures(spend: pd.DataFrame, cmp: Comparison, defs: AnalysisDefinitions, area: str = "") -> dict:
    """The change block's figures (docs/SUMMARY.md) on the payments that compare
    (`comparable_spend` of `spend`, the base): every figure null, with the reason, when none do."""
    if not cmp.comparable:
        return {"comparable": False, "reason": cmp.reason, **dict.fromkeys(_COMPARED + CHANGE_FIGURES + _DRIVERS)}
    same = comparable_spend(spend, cmp)
    a, b = cmp.year_from, cmp.year_to
    dec = decompose_local_change(same, a, b).set_index("measure")
    m0, m1 = (measures(for_year(same, y), defs.deprived_deciles, office_limit=defs.office_share_limit) for y in (a, b))
    held = coverage_constant(same, a, b).set_index(["measure", "view"])
    top = leave_top_k(same, a, b)
    return {
        "comparable": True,
        "reason": None,
        "compared": cmp.text,
        "partial": cmp.partial,
        "months": {anchor: month_text(mask) for anchor, mask in cmp.months.items()},
        "place_gbp_change": (m1["place"] - m0["place"]) / 100,
        "wider_gbp_change": (m1["wider"] - m0["wider"]) / 100,
        "place_share_change": m1["place_share"] - m0["place_share"],
        "wider_share_change": m1["wider_share"] - m0["wider_share"],
        "total_effect_gbp": int(dec.loc["place", "total_effect_pence"]) / 100,
        "share_effect_gbp": int(dec.loc["place", "share_effect_pence"]) / 100,
        "wider_total_effect_gbp": int(dec.loc["wider", "total_effect_pence"]) / 100,
        "wider_share_effect_gbp": int(dec.loc["wider", "share_effect_pence"]) / 100,
        "total_gbp_change": (m1["total"] - m0["total"]) / 100,
        "coverage_constant": {
            f"{m}_share_change": float(held.loc[(m, "suppliers located in both years"), "share_change"])
            for m in LOCAL_MEASURES
        },
        "leave_top_k": {
            str(int(row.left_out)): None if pd.isna(row.share_change) else float(row.share_change)
            for row in top.iloc[1:].itertuples()
        },
        "driver": driver_text(same, a, b, area or defs.place_name) or None,
    }


def change_summary(
    defs: AnalysisDefinitions, spend: pd.DataFrame, year_from: str | None = None, year_to: str | None = None
) -> dict[str, Any]:
    """`{"years": {...}, "change": {...}}` for summary.json (docs/SUMMARY.md): every year's block
    (same schema as the baseline's) and the change from the baseline year to the latest, on the
    base (`definitions.base`) and on the months covered in both years (`comparison`); null figures
    and the reason when no month compares. `spend` is all kept spend, classified or not."""
    every = classified(spend, defs)
    spend = analysed(every, defs.base)
    years = _years(spend)
    year_from = year_from or defs.baseline_year
    year_to = year_to or defs.latest_year
    sme = sme_measurable(spend, defs)
    years_block = {y: year_summary(defs, for_year(every, y), sme) for y in years}
    return {
        "years": years_block,
        "change": {
            "from": year_from,
            "to": year_to,
            **change_figures(spend, comparison(every, year_from, year_to), defs),
            "balanced_anchors": balanced_anchors(spend, [year_from, year_to]),
            "comparability_notes": comparability_notes(spend, [year_from, year_to]),
        },
    }


def for_years(spend: pd.DataFrame, years: list[str] | None) -> pd.DataFrame:
    """The payments of the given financial years (all years when None)."""
    return spend[spend["financial_year"].astype(str).isin(_years(spend, years))]


def comparison_years(defs: AnalysisDefinitions, years: list[str]) -> tuple[str, str]:
    """The years a change is measured between: the baseline year (when among `years`, else the
    first) and the latest; when the baseline is the latest year, the first year and the baseline."""
    years = sorted(years)
    base = defs.baseline_year if defs.baseline_year in years else years[0]
    return (years[0], base) if base == years[-1] else (base, years[-1])


def comparability_text(notes: list[str]) -> str:
    """The comparability flags as Markdown, or a sentence saying the years compare."""
    if not notes:
        return "Every anchor has a full ledger in every year, and located coverage is similar: the years compare."
    return "**Read the comparisons with care:**\n\n" + "\n".join(f"- {n}" for n in notes)
