"""The trend in the local share, with its uncertainty (CLES report section 4, change over time).

`local_share_trend`: a fractional-logit trend in the spend-weighted local share with anchor fixed
effects, robust standard errors, intervals, seasonality, and an interrupted time series at a policy
start, over the series `trend_series` builds (per anchor and year, quarter or month). Pure functions
over the spend frame (docs/CONTRACTS.md section 4); `change.py` holds the rest of change over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .baseline import _flag, _located

# The flag column that makes a payment local, per measure (the wider area counts the place in, as
# CLES does). Kept here, the lower of the two change-over-time modules: change.py imports it.
LOCAL_MEASURES = {"place": "in_place", "wider": "in_wider"}


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
            rows.append(
                {
                    "quantity": "Trend in local share, points per year (95% CI)",
                    "value": f"{s['points_per_year'] * 100:+.2f} ({s['points_ci_lo'] * 100:+.2f} to "
                    f"{s['points_ci_hi'] * 100:+.2f})",
                }
            )
            rows.append(
                {
                    "quantity": "Trend, log-odds per year (95% CI)",
                    "value": f"{s['estimate']:+.3f} ({s['ci_lo']:+.3f} to {s['ci_hi']:+.3f})",
                }
            )
        if self.policy:
            p = self.policy
            rows.append(
                {
                    "quantity": f"Step at policy start {p['start']} (log-odds, 95% CI)",
                    "value": f"{p['step']:+.3f} ({p['step_ci_lo']:+.3f} to {p['step_ci_hi']:+.3f})",
                }
            )
            rows.append(
                {
                    "quantity": "Change in yearly trend after the policy start (log-odds, 95% CI)",
                    "value": f"{p['slope_change']:+.3f} ({p['slope_change_ci_lo']:+.3f} to "
                    f"{p['slope_change_ci_hi']:+.3f})",
                }
            )
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
    frame = pd.DataFrame(
        {
            "anchor": spend["anchor"].astype(str),
            "local": amount.where(located & _flag(spend, LOCAL_MEASURES[measure]), 0),
            "located": amount.where(located, 0),
        }
    )
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


def local_share_trend(
    spend: pd.DataFrame,
    measure: str = "place",
    frequency: str | None = None,
    policy_start: date | str | None = None,
    level: float = 0.95,
    cluster_min: int = 10,
) -> TrendResult:
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
    empty = TrendResult(
        measure, frequency, "not estimated", len(series), no_coefficients, _observed(series), notes=notes
    )
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
                notes.append(
                    f"Policy start {when.date()}: with these periods a step at that date cannot be told "
                    "apart from the trend and the seasons, so it is not modelled."
                )
        else:
            notes.append(
                f"Policy start {when.date()}: {pre} period(s) before and {post} after; an interrupted "
                "time series needs at least two on each side."
            )
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
        method = (
            "fractional logit (GLM binomial), "
            + ("anchor fixed effects, " if len(anchors) > 1 else "")
            + "heteroskedasticity-robust (HC1) errors"
        )
    method += (
        f"; {frequency}ly series weighted by located spend"
        if frequency != "year"
        else "; yearly series weighted by located spend"
    )
    if frequency != "year" and len(seasons) > 1:
        method += ", season dummies"
    params, bse = fit.params, fit.bse
    coef = pd.DataFrame(
        {
            "term": params.index,
            "estimate": params.to_numpy(),
            "std_error": bse.to_numpy(),
            "ci_lo": (params - z * bse).to_numpy(),
            "ci_hi": (params + z * bse).to_numpy(),
            "p_value": fit.pvalues.to_numpy(),
        }
    )
    cov = fit.cov_params().to_numpy()
    beta = params.to_numpy()
    fitted = _fitted_band(series, X, beta, cov, z)
    pbar = float(np.average(series["share"], weights=series["located"]))
    b, se = float(params["trend_per_year"]), float(bse["trend_per_year"])
    scale = pbar * (1 - pbar)
    slope = {
        "estimate": b,
        "std_error": se,
        "ci_lo": b - z * se,
        "ci_hi": b + z * se,
        "p_value": float(fit.pvalues["trend_per_year"]),
        "mean_share": pbar,
        "points_per_year": b * scale,
        "points_ci_lo": (b - z * se) * scale,
        "points_ci_hi": (b + z * se) * scale,
    }
    pol: dict[str, Any] = {}
    if policy:
        s, ss = float(params["policy: step"]), float(bse["policy: step"])
        c, cs = float(params["policy: slope change per year"]), float(bse["policy: slope change per year"])
        pol = {
            "start": policy,
            "step": s,
            "step_ci_lo": s - z * ss,
            "step_ci_hi": s + z * ss,
            "slope_change": c,
            "slope_change_ci_lo": c - z * cs,
            "slope_change_ci_hi": c + z * cs,
        }
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
        rows.append(
            {
                "period": period["period"],
                "fitted_share": value,
                "fitted_ci_lo": max(0.0, value - z * se),
                "fitted_ci_hi": min(1.0, value + z * se),
            }
        )
    return obs.merge(pd.DataFrame(rows), on="period", how="left")
