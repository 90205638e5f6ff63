"""Change over time (CLES report section 4): what moved between years, and why.

Pure functions over the spend frame (docs/CONTRACTS.md section 4), money in integer pence.

* `measures_by_year`: every baseline measure per year, all anchors and each anchor.
* `year_coverage`, `comparability_notes`, `balanced_anchors`: is one year comparable with another?
  (CLES's 2016/17 Preston figure was on a smaller total than 2012/13.)
* `decompose_local_change`: the change in local pounds split exactly into the part from total spend
  changing and the part from the local share changing: dL = p0 * dT + T1 * dp.
* `shift_share`: the change in local share across sectors split into composition (spend moving
  between sectors) and localisation (the local share within sectors changing).
* `local_share_trend`: a fractional-logit trend in the local share with anchor fixed effects,
  robust standard errors, intervals, seasonality, and an interrupted time series at a policy start.
* `supplier_churn`: local suppliers gained and lost, and how much of the change came from each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .analysis import (ALL_ANCHORS, _flag, _gbp, _located, _pence, anchors_in, for_year, measures, sme_measurable,
                       year_summary)
from .definitions import AnalysisDefinitions
from .errors import CwbError

LOCAL_MEASURES = {"place": "in_place", "wider": "in_wider"}


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


def measures_by_year(spend: pd.DataFrame, years: list[str] | None = None, by_anchor: bool = True, *,
                     deprived_deciles, anchors: list[str] | None = None, sme_measured: bool = True) -> pd.DataFrame:
    """One row per year (and per anchor, with `All anchors` first): totals, place / wider / outside
    pence and shares with bounds, SME, VCSE and deprived-area shares, located coverage. With
    `anchors`, only those (for example `balanced_anchors`)."""
    if anchors is not None:
        spend = spend[spend["anchor"].astype(str).isin(list(anchors))]
    rows = []
    for year in _years(spend, years):
        sub = spend[spend["financial_year"].astype(str) == year]
        rows.append({"year": year, "anchor": ALL_ANCHORS, "anchors": sub["anchor"].nunique(),
                     **measures(sub, deprived_deciles, sme_measured)})
        if by_anchor:
            for anchor in anchors_in(sub):
                rows.append({"year": year, "anchor": anchor, "anchors": 1,
                             **measures(sub[sub["anchor"].astype(str) == anchor], deprived_deciles, sme_measured)})
    out = pd.DataFrame(rows)
    pence = ["total", "located", "unlocated", "place", "wider", "outside", "sme", "vcse", "deprived"]
    out = out.rename(columns={c: f"{c}_pence" for c in pence})
    for c in pence:
        out[f"{c}_pence"] = out[f"{c}_pence"].astype("int64")
    order = {ALL_ANCHORS: ""}
    out["_a"] = out["anchor"].map(lambda a: order.get(a, "~" + a))
    return out.sort_values(["_a", "year"], kind="mergesort").drop(columns="_a").reset_index(drop=True)


def year_coverage(spend: pd.DataFrame, years: list[str] | None = None) -> pd.DataFrame:
    """Per anchor and year: spend, payments, months with payments, first and last payment date,
    located share. Shows at a glance which ledgers are partial or missing."""
    years = _years(spend, years)
    sub = spend[spend["financial_year"].astype(str).isin(years)]
    dates = pd.to_datetime(sub["payment_date"], errors="coerce")
    frame = pd.DataFrame({"anchor": sub["anchor"].astype(str), "year": sub["financial_year"].astype(str),
                          "amount_pence": sub["amount_pence"].astype("int64"),
                          "located_pence": sub["amount_pence"].astype("int64").where(_located(sub), 0),
                          "month": dates.dt.to_period("M").astype(str), "date": dates})
    out = frame.groupby(["anchor", "year"], sort=True).agg(
        total_pence=("amount_pence", "sum"), located_pence=("located_pence", "sum"),
        payments=("amount_pence", "size"), months=("month", "nunique"),
        first_payment=("date", "min"), last_payment=("date", "max"),
    ).reset_index()
    full = pd.MultiIndex.from_product([sorted(frame["anchor"].unique()), years], names=["anchor", "year"])
    out = out.set_index(["anchor", "year"]).reindex(full).reset_index()
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


def comparability_notes(spend: pd.DataFrame, years: list[str] | None = None, months_full: int = 12,
                        coverage_gap: float = 0.10, total_jump: float = 1.5) -> list[str]:
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
            notes.append(f"{anchor} {row['year']}: payments in {row['months']} of 12 months only "
                         f"({row['first_payment']} to {row['last_payment']}).")
    totals = cov.groupby("year").agg(total=("total_pence", "sum"), located=("located_pence", "sum"))
    median = float(totals["total"].median()) if len(totals) > 2 else float("nan")
    if median > 0:
        for year, total in totals["total"].items():
            ratio = total / median
            if ratio > total_jump or ratio < 1 / total_jump:
                notes.append(f"{year}: total spend {_gbp(total)} is {ratio:.1f} times the median year "
                             f"({_gbp(median)}); check what the ledgers include that year.")
    share = totals["located"] / totals["total"].where(totals["total"] != 0)
    if share.notna().sum() > 1 and share.max() - share.min() > coverage_gap:
        notes.append(f"Located coverage ranges from {share.min() * 100:.0f}% ({share.idxmin()}) to "
                     f"{share.max() * 100:.0f}% ({share.idxmax()}): shares are measured on different parts of spend.")
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
    return {"local_from_pence": local_from, "local_to_pence": local_to, "change_pence": change,
            "total_from_pence": total_from, "total_to_pence": total_to,
            "share_from": local_from / total_from if total_from else np.nan,
            "share_to": local_to / total_to if total_to else np.nan,
            "total_effect_pence": total_effect, "share_effect_pence": change - total_effect}


def decompose_local_change(spend: pd.DataFrame, year_from: str, year_to: str, by_anchor: bool = False,
                           anchors: list[str] | None = None, base: str = "total") -> pd.DataFrame:
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
            rows.append({"anchor": anchor, "measure": measure, "from": year_from, "to": year_to, "base": base,
                         **decompose(l0, t0, l1, t1)})
    return pd.DataFrame(rows)


def shift_share(spend: pd.DataFrame, year_from: str, year_to: str, level: str = "section",
                measure: str = "place", base: str = "total") -> pd.DataFrame:
    """Shift-share of the local share across SIC sectors. With w_s a sector's share of spend and p_s
    its local share: dp = sum (w1 - w0) p0 [composition] + sum w1 (p1 - p0) [localisation], exactly.
    A sector absent in one year takes the other year's local share there, so it counts as pure
    composition. Effects are in share points and in pence at the later year's total (x T1).
    Spend with no SIC is its own sector, `(no SIC)`."""
    col = f"sic_{level}"
    frames = {}
    for label, year in (("0", year_from), ("1", year_to)):
        sub = for_year(spend, year)
        located = _located(sub)
        amount = sub["amount_pence"].astype("int64")
        f = pd.DataFrame({"sector": sub[col].astype("string").fillna("(no SIC)").replace("", "(no SIC)"),
                          "base": amount if base == "total" else amount.where(located, 0),
                          "local": amount.where(located & _flag(sub, LOCAL_MEASURES[measure]), 0)})
        frames[label] = f.groupby("sector", sort=True).sum()
    both = frames["0"].add_suffix("_0").join(frames["1"].add_suffix("_1"), how="outer").fillna(0).astype("int64")
    t0, t1 = both["base_0"].sum(), both["base_1"].sum()
    if t0 == 0 or t1 == 0:
        raise CwbError(f"shift-share needs spend in both {year_from} and {year_to}")
    w0, w1 = both["base_0"] / t0, both["base_1"] / t1
    p0 = (both["local_0"] / both["base_0"].where(both["base_0"] != 0)).astype("float64")
    p1 = (both["local_1"] / both["base_1"].where(both["base_1"] != 0)).astype("float64")
    p0, p1 = p0.fillna(p1).fillna(0.0), p1.fillna(p0).fillna(0.0)
    out = pd.DataFrame({
        "sector": both.index, "base_from_pence": both["base_0"].to_numpy(), "base_to_pence": both["base_1"].to_numpy(),
        "local_from_pence": both["local_0"].to_numpy(), "local_to_pence": both["local_1"].to_numpy(),
        "weight_from": w0.to_numpy(), "weight_to": w1.to_numpy(),
        "local_share_from": p0.to_numpy(), "local_share_to": p1.to_numpy(),
    })
    out["composition_effect"] = (out["weight_to"] - out["weight_from"]) * out["local_share_from"]
    out["localisation_effect"] = out["weight_to"] * (out["local_share_to"] - out["local_share_from"])
    out["composition_effect_pence"] = (out["composition_effect"] * t1).round().astype("int64")
    out["localisation_effect_pence"] = (out["localisation_effect"] * t1).round().astype("int64")
    out.insert(0, "measure", measure)
    return out.sort_values(["base_to_pence", "sector"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def shift_share_summary(shift: pd.DataFrame) -> pd.DataFrame:
    """The shift-share in three lines: composition, localisation, and the change in local share they
    add up to (in share points and pence at the later year's total)."""
    t0, t1 = shift["base_from_pence"].sum(), shift["base_to_pence"].sum()
    share0 = shift["local_from_pence"].sum() / t0
    share1 = shift["local_to_pence"].sum() / t1
    comp, loc = shift["composition_effect"].sum(), shift["localisation_effect"].sum()
    return pd.DataFrame({
        "effect": ["Composition: spend moving between sectors", "Localisation: local share within sectors",
                   "Change in local share"],
        "share_points": [comp, loc, share1 - share0],
        "pence_at_later_total": [int(round(comp * t1)), int(round(loc * t1)), int(round((share1 - share0) * t1))],
    })


# --------------------------------------------------------------------------------------------
# 3. Trend with uncertainty


@dataclass
class TrendResult:
    """A fitted local-share trend. `coefficients`: term, estimate (log-odds), std_error, ci_lo,
    ci_hi, p_value. `fitted`: per period the observed spend-weighted share of all anchors and the
    model's share at a fixed anchor mix, with its interval. `slope`: the yearly change."""

    measure: str
    frequency: str
    method: str
    n_obs: int
    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    slope: dict[str, float] = field(default_factory=dict)
    policy: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.coefficients.empty

    def table(self) -> pd.DataFrame:
        """The headline of the model in words and numbers, for a report."""
        rows = [{"quantity": "Method", "value": self.method}, {"quantity": "Observations", "value": str(self.n_obs)}]
        if self.slope:
            s = self.slope
            rows.append({"quantity": "Trend in local share, points per year (95% CI)",
                         "value": f"{s['points_per_year'] * 100:+.2f} ({s['points_ci_lo'] * 100:+.2f} to "
                                  f"{s['points_ci_hi'] * 100:+.2f})"})
            rows.append({"quantity": "Trend, log-odds per year (95% CI)",
                         "value": f"{s['estimate']:+.3f} ({s['ci_lo']:+.3f} to {s['ci_hi']:+.3f})"})
        if self.policy:
            p = self.policy
            rows.append({"quantity": f"Step at policy start {p['start']} (log-odds, 95% CI)",
                         "value": f"{p['step']:+.3f} ({p['step_ci_lo']:+.3f} to {p['step_ci_hi']:+.3f})"})
            rows.append({"quantity": "Change in yearly trend after the policy start (log-odds, 95% CI)",
                         "value": f"{p['slope_change']:+.3f} ({p['slope_change_ci_lo']:+.3f} to "
                                  f"{p['slope_change_ci_hi']:+.3f})"})
        rows += [{"quantity": "Note", "value": n} for n in self.notes]
        return pd.DataFrame(rows)


def series_frequency(spend: pd.DataFrame, min_quarters: int = 8) -> str:
    """`quarter` when the ledgers have payments in at least `min_quarters` quarters, else `year`.
    Quarterly rather than monthly by default: a small council's month often has only a handful of
    located suppliers, so monthly shares are mostly noise (ask for `frequency="month"` to see it)."""
    dates = pd.to_datetime(spend["payment_date"], errors="coerce").dropna()
    if dates.empty:
        return "year"
    if dates.dt.to_period("Q").nunique() >= min_quarters:
        return "quarter"
    return "year"


def _fy_start(year: str) -> pd.Timestamp:
    return pd.Timestamp(int(str(year)[:4]), 4, 1)


def trend_series(spend: pd.DataFrame, measure: str = "place", frequency: str = "year") -> pd.DataFrame:
    """Per anchor and period: local pence, located pence, share, period start, time in years from
    the first period's midpoint and the season (quarter or month of the financial year)."""
    located = _located(spend)
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame({"anchor": spend["anchor"].astype(str),
                          "local": amount.where(located & _flag(spend, LOCAL_MEASURES[measure]), 0),
                          "located": amount.where(located, 0)})
    if frequency == "year":
        frame["period"] = spend["financial_year"].astype(str)
        starts = {y: _fy_start(y) for y in frame["period"].unique()}
        frame["start"] = frame["period"].map(starts)
        months = 12
    else:
        code = "Q-MAR" if frequency == "quarter" else "M"
        per = pd.to_datetime(spend["payment_date"], errors="coerce").dt.to_period(code)
        frame["period"] = per.astype(str)
        frame["start"] = per.dt.start_time
        months = 3 if frequency == "quarter" else 1
    frame = frame.dropna(subset=["start"])
    out = frame.groupby(["anchor", "period", "start"], sort=True)[["local", "located"]].sum().reset_index()
    out = out[out["located"] > 0].copy()
    out["share"] = (out["local"] / out["located"]).clip(0, 1)
    mid = out["start"] + pd.to_timedelta(months * 30.44 / 2, unit="D")
    out["t"] = (mid - mid.min()).dt.days / 365.25
    fy_month = (out["start"].dt.month - 4) % 12  # 0 = April
    out["season"] = (fy_month // 3 + 1) if frequency == "quarter" else (fy_month + 1 if frequency == "month" else 0)
    return out.sort_values(["anchor", "start"], kind="mergesort").reset_index(drop=True)


def local_share_trend(spend: pd.DataFrame, measure: str = "place", frequency: str | None = None,
                      policy_start: date | str | None = None, level: float = 0.95, cluster_min: int = 10) -> TrendResult:
    """The spend-weighted local share modelled on time: a fractional logit (GLM binomial, logit
    link, variance weights = located spend) with anchor fixed effects, season dummies for quarterly
    or monthly series, and, with `policy_start`, an interrupted time series (a step and a change of
    slope at that date) when there are at least two periods either side.

    Standard errors are heteroskedasticity-robust (HC1); clustered by anchor when there are at least
    `cluster_min` anchors (fewer clusters give unreliable cluster-robust errors). `frequency` None
    picks the finest series the ledgers allow (`series_frequency`)."""
    import statsmodels.api as sm
    from scipy import stats

    frequency = frequency or series_frequency(spend)
    series = trend_series(spend, measure, frequency)
    notes: list[str] = []
    z = float(stats.norm.ppf(0.5 + level / 2))
    # Headed even when empty, so its CSV says what would have been there.
    no_coefficients = pd.DataFrame(columns=["term", "estimate", "std_error", "ci_lo", "ci_hi", "p_value"])
    empty = TrendResult(measure, frequency, "not estimated", len(series), no_coefficients, _observed(series), notes=notes)
    if series["period"].nunique() < 3 and not (series["period"].nunique() == 2 and series["anchor"].nunique() > 1):
        notes.append(f"{series['period'].nunique()} period(s) with located spend: too few to estimate a trend.")
        return empty
    if frequency == "year" and series["period"].nunique() == 2:
        notes.append("Two years only: the trend is the straight line between them.")
    anchors = sorted(series["anchor"].unique())
    X = pd.DataFrame({"const": 1.0, "trend_per_year": series["t"]}, index=series.index)
    for a in anchors[1:]:
        X[f"anchor: {a}"] = (series["anchor"] == a).astype(float)
    seasons = sorted(series["season"].unique())
    if frequency != "year" and len(seasons) > 1:
        label = "quarter" if frequency == "quarter" else "month"
        for s in seasons[1:]:
            X[f"{label} of year: {s}"] = (series["season"] == s).astype(float)
    policy = None
    if policy_start:
        when = pd.Timestamp(policy_start)
        after = series["start"] >= when
        pre, post = series.loc[~after, "period"].nunique(), series.loc[after, "period"].nunique()
        if pre >= 2 and post >= 2:
            t_policy = (when - series["start"].min()).days / 365.25
            X2 = X.copy()
            X2["policy: step"] = after.astype(float)
            X2["policy: slope change per year"] = after.astype(float) * (series["t"] - t_policy)
            if np.linalg.matrix_rank(X2.to_numpy()) == X2.shape[1]:
                X, policy = X2, str(when.date())
            else:
                notes.append(f"Policy start {when.date()}: with these periods a step at that date cannot be told "
                             "apart from the trend and the seasons, so it is not modelled.")
        else:
            notes.append(f"Policy start {when.date()}: {pre} period(s) before and {post} after; an interrupted "
                         "time series needs at least two on each side.")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1] or len(X) <= X.shape[1]:
        notes.append(f"{len(X)} observations for {X.shape[1]} parameters: the model cannot be estimated.")
        return empty
    weights = series["located"].astype(float)
    weights = weights / weights.mean()
    model = sm.GLM(series["share"].astype(float), X, family=sm.families.Binomial(), var_weights=weights)
    if len(anchors) >= cluster_min:
        groups = pd.Categorical(series["anchor"]).codes
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        method = f"fractional logit (GLM binomial), anchor fixed effects, errors clustered by anchor ({len(anchors)})"
    else:
        fit = model.fit(cov_type="HC1")
        method = "fractional logit (GLM binomial), " + ("anchor fixed effects, " if len(anchors) > 1 else "") + \
                 "heteroskedasticity-robust (HC1) errors"
    method += f"; {frequency}ly series weighted by located spend" if frequency != "year" else "; yearly series weighted by located spend"
    if frequency != "year" and len(seasons) > 1:
        method += ", season dummies"
    params, bse = fit.params, fit.bse
    coef = pd.DataFrame({"term": params.index, "estimate": params.to_numpy(), "std_error": bse.to_numpy(),
                         "ci_lo": (params - z * bse).to_numpy(), "ci_hi": (params + z * bse).to_numpy(),
                         "p_value": fit.pvalues.to_numpy()})
    cov = fit.cov_params().to_numpy()
    beta = params.to_numpy()
    fitted = _fitted_band(series, X, beta, cov, z)
    pbar = float(np.average(series["share"], weights=series["located"]))
    b, se = float(params["trend_per_year"]), float(bse["trend_per_year"])
    scale = pbar * (1 - pbar)
    slope = {"estimate": b, "std_error": se, "ci_lo": b - z * se, "ci_hi": b + z * se,
             "p_value": float(fit.pvalues["trend_per_year"]), "mean_share": pbar,
             "points_per_year": b * scale, "points_ci_lo": (b - z * se) * scale, "points_ci_hi": (b + z * se) * scale}
    pol: dict[str, Any] = {}
    if policy:
        s, ss = float(params["policy: step"]), float(bse["policy: step"])
        c, cs = float(params["policy: slope change per year"]), float(bse["policy: slope change per year"])
        pol = {"start": policy, "step": s, "step_ci_lo": s - z * ss, "step_ci_hi": s + z * ss,
               "slope_change": c, "slope_change_ci_lo": c - z * cs, "slope_change_ci_hi": c + z * cs}
    return TrendResult(measure, frequency, method, len(series), coef, fitted, slope, pol, notes)


def _observed(series: pd.DataFrame) -> pd.DataFrame:
    obs = series.groupby(["period", "start"], sort=True)[["local", "located"]].sum().reset_index()
    obs["observed_share"] = obs["local"] / obs["located"]
    return obs.rename(columns={"local": "local_pence", "located": "located_pence"})


def _fitted_band(series: pd.DataFrame, X: pd.DataFrame, beta: np.ndarray, cov: np.ndarray, z: float) -> pd.DataFrame:
    """Per period: the model's all-anchor share at a fixed anchor mix (each anchor weighted by its
    share of located spend over all periods), with a delta-method interval."""
    obs = _observed(series)
    mix = series.groupby("anchor")["located"].sum()
    mix = mix / mix.sum()
    rows = []
    for _, period in obs.iterrows():
        template = X.loc[series["period"] == period["period"]].iloc[0].copy()
        value, grad = 0.0, np.zeros(len(beta))
        for anchor, m in mix.items():
            x = template.copy()
            for col in X.columns:
                if col.startswith("anchor: "):
                    x[col] = 1.0 if col == f"anchor: {anchor}" else 0.0
            xv = x.to_numpy(dtype=float)
            p = 1 / (1 + np.exp(-xv @ beta))
            value += m * p
            grad += m * p * (1 - p) * xv
        se = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
        rows.append({"period": period["period"], "fitted_share": value,
                     "fitted_ci_lo": max(0.0, value - z * se), "fitted_ci_hi": min(1.0, value + z * se)})
    return obs.merge(pd.DataFrame(rows), on="period", how="left")


# --------------------------------------------------------------------------------------------
# 4. Supplier churn


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
    groups = [("continuing", sorted(keys_a & keys_b)), ("gained", sorted(keys_b - keys_a)), ("lost", sorted(keys_a - keys_b))]
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


def change_summary(defs: AnalysisDefinitions, spend: pd.DataFrame, year_from: str | None = None,
                   year_to: str | None = None) -> dict[str, Any]:
    """`{"years": {...}, "change": {...}}` for summary.json (docs/SUMMARY.md): every year's block
    (same schema as the baseline's) and the change from the baseline year to the latest."""
    years = _years(spend)
    year_from = year_from or defs.baseline_year
    year_to = year_to or defs.latest_year
    dec = decompose_local_change(spend, year_from, year_to).set_index("measure")
    m0 = measures(for_year(spend, year_from), defs.deprived_deciles)
    m1 = measures(for_year(spend, year_to), defs.deprived_deciles)
    sme = sme_measurable(spend, defs)
    years_block = {y: year_summary(for_year(spend, y), defs.deprived_deciles, sme) for y in years}
    return {"years": years_block, "change": {
        "from": year_from, "to": year_to,
        "place_gbp_change": (m1["place"] - m0["place"]) / 100,
        "wider_gbp_change": (m1["wider"] - m0["wider"]) / 100,
        "place_share_change": m1["place_share"] - m0["place_share"],
        "wider_share_change": m1["wider_share"] - m0["wider_share"],
        "total_effect_gbp": int(dec.loc["place", "total_effect_pence"]) / 100,
        "share_effect_gbp": int(dec.loc["place", "share_effect_pence"]) / 100,
        "wider_total_effect_gbp": int(dec.loc["wider", "total_effect_pence"]) / 100,
        "wider_share_effect_gbp": int(dec.loc["wider", "share_effect_pence"]) / 100,
        "total_gbp_change": (m1["total"] - m0["total"]) / 100,
        "balanced_anchors": balanced_anchors(spend, [year_from, year_to]),
        "comparability_notes": comparability_notes(spend, [year_from, year_to]),
    }}


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
