"""The trend in the local share (CLES report section 4, change over time).

`local_share_trend`: a fractional-logit trend in the spend-weighted local share with anchor fixed
effects, seasonality, and an interrupted time series at a policy start, over the series
`trend_series` builds (per anchor and year, quarter or month). Its inference is only what the
anchors (the clusters) can carry (`inference_tier`): none below five anchors, a wild cluster score
bootstrap from five to nine, cluster-robust errors from ten (docs/METHODS.md). Pure functions over
the spend frame (docs/CONTRACTS.md section 4); `change.py` holds the rest of change over time.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .baseline import _flag, _located, payment_dates

# The flag column that makes a payment local, per measure (the wider area counts the place in, as
# CLES does). Kept here, the lower of the two change-over-time modules: change.py imports it.
LOCAL_MEASURES = {"place": "in_place", "wider": "in_wider"}


@dataclass
class TrendResult:
    """A fitted local-share trend. `coefficients`: term, estimate (log-odds), std_error, ci_lo,
    ci_hi, p_value (NaN where the tier gives none). `fitted`: per period the observed
    spend-weighted share of all anchors and the model's share at a fixed anchor mix, with its
    interval when the tier gives one. `slope`: the yearly change (`ci_*`/`p_value` only with
    inference). `inference`: the `inference_tier`."""

    measure: str
    frequency: str
    method: str
    n_obs: int
    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    slope: dict[str, float] = field(default_factory=dict)
    policy: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    inference: str = "descriptive"
    anchors: int = 0
    comparable_periods: int = 0

    @property
    def ok(self) -> bool:
        return not self.coefficients.empty

    @property
    def has_interval(self) -> bool:
        return "ci_lo" in self.slope

    def table(self) -> pd.DataFrame:
        """The headline of the model in words and numbers, for a report; a descriptive trend has
        no p-value and no interval."""
        rows = [
            {"quantity": "Method", "value": self.method},
            {"quantity": "Observations", "value": str(self.n_obs)},
            {"quantity": "Anchors (clusters)", "value": str(self.anchors)},
            {"quantity": "Comparable periods", "value": str(self.comparable_periods)},
        ]
        s, p = self.slope, self.policy
        if s and self.has_interval:
            rows += [
                {
                    "quantity": "Trend in local share, points per year (95% interval)",
                    "value": f"{s['points_per_year'] * 100:+.2f} ({_signed(s['points_ci_lo'] * 100)} to "
                    f"{_signed(s['points_ci_hi'] * 100)})",
                },
                {
                    "quantity": "Trend, log-odds per year (95% interval)",
                    "value": f"{s['estimate']:+.3f} ({_signed(s['ci_lo'], 3)} to {_signed(s['ci_hi'], 3)})",
                },
                {"quantity": "Trend, p-value (no trend)", "value": f"{s['p_value']:.3g}"},
            ]
        elif s:
            rows += [
                {
                    "quantity": "Trend in local share, points per year (descriptive)",
                    "value": f"{s['points_per_year'] * 100:+.2f}",
                },
                {"quantity": "Trend, log-odds per year (descriptive)", "value": f"{s['estimate']:+.3f}"},
            ]
        if p and "step_ci_lo" in p:
            rows.append(
                {
                    "quantity": f"Step at policy start {p['start']} (log-odds, 95% interval)",
                    "value": f"{p['step']:+.3f} ({_signed(p['step_ci_lo'], 3)} to {_signed(p['step_ci_hi'], 3)})",
                }
            )
            rows.append(
                {
                    "quantity": "Change in yearly trend after the policy start (log-odds, 95% interval)",
                    "value": f"{p['slope_change']:+.3f} ({_signed(p['slope_change_ci_lo'], 3)} to "
                    f"{_signed(p['slope_change_ci_hi'], 3)})",
                }
            )
        elif p:
            rows.append(
                {"quantity": f"Step at policy start {p['start']} (log-odds, descriptive)", "value": f"{p['step']:+.3f}"}
            )
            rows.append(
                {
                    "quantity": "Change in yearly trend after the policy start (log-odds, descriptive)",
                    "value": f"{p['slope_change']:+.3f}",
                }
            )
        rows += (
            [
                {"quantity": "Observed share, " + str(r["period"]), "value": f"{r['observed_share'] * 100:.1f}%"}
                for _, r in self.fitted.iterrows()
            ]
            if not self.has_interval and len(self.fitted) <= 12
            else []
        )
        rows += [{"quantity": "Note", "value": n} for n in self.notes]
        return pd.DataFrame(rows)


def _signed(x: float, decimals: int = 2) -> str:
    """A signed number, or `n/a` where an interval is open on that side."""
    return "n/a" if x is None or not np.isfinite(x) else f"{x:+.{decimals}f}"


def series_frequency(spend: pd.DataFrame, min_quarters: int = 8) -> str:
    """`quarter` when the ledgers have payments in at least `min_quarters` quarters, else `year`.
    Quarterly rather than monthly by default: a small council's month often has only a handful of
    located suppliers, so monthly shares are mostly noise (ask for `frequency="month"` to see it)."""
    dates = payment_dates(spend).dropna()
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
        per = payment_dates(spend).dt.to_period(code)
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


# How much inference the anchors can carry (docs/METHODS.md, "The trend"): the anchors are the
# clusters, so with few of them a standard error is not to be trusted, whatever the periods.
MIN_ANCHORS_FOR_INFERENCE = 5
MIN_ANCHORS_CLUSTER_ROBUST = 10
MIN_COMPARABLE_PERIODS = 3
N_BOOT = 9999
DEFAULT_SEED = 20130401
COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "ci_lo", "ci_hi", "p_value"]


def inference_tier(anchors: int, comparable_periods: int) -> str:
    """`descriptive` (fewer than five anchors or three comparable periods: a slope, no p-value or
    interval), `few_clusters` (five to nine anchors: wild cluster score bootstrap) or
    `cluster_robust` (ten or more)."""
    if anchors < MIN_ANCHORS_FOR_INFERENCE or comparable_periods < MIN_COMPARABLE_PERIODS:
        return "descriptive"
    return "few_clusters" if anchors < MIN_ANCHORS_CLUSTER_ROBUST else "cluster_robust"


def comparable_periods(spend: pd.DataFrame, series: pd.DataFrame, frequency: str) -> tuple[int, list[str]]:
    """How many periods of the series compare with each other, and the partial years left out. A
    financial year compares when every anchor paid in it covers all twelve months (`month_coverage`
    in change.py: payments dated in the month, or a file stating a period that includes it). A
    quarterly or monthly series counts no more periods than the whole years it spans: eight
    quarters of two years four years apart are two clumps, not a trend."""
    # change.py imports this module; the month-coverage rule has its home there.
    from .change import month_coverage

    cov = month_coverage(spend)
    partial_years = set(cov.loc[cov["months"] < 12, "year"])
    years = set(spend["financial_year"].astype(str))
    if frequency == "year":
        partial = sorted(partial_years & set(series["period"]))
        return int(series["period"].nunique()) - len(partial), partial
    whole = len(years - partial_years)
    return min(int(series["period"].nunique()), whole), sorted(partial_years & years)


def local_share_trend(
    spend: pd.DataFrame,
    measure: str = "place",
    frequency: str | None = None,
    policy_start: date | str | None = None,
    level: float = 0.95,
    n_boot: int = N_BOOT,
    seed: int = DEFAULT_SEED,
) -> TrendResult:
    """The spend-weighted local share modelled on time: a fractional logit (GLM binomial, logit
    link, variance weights = located spend) with anchor fixed effects, season dummies for quarterly
    or monthly series, and, with `policy_start`, an interrupted time series (a step and a change of
    slope at that date) when there are at least two periods either side.

    Inference follows `inference_tier`: none (descriptive) with fewer than five anchors or three
    comparable periods; a wild cluster score bootstrap with Webb weights (`wild_score_test`) for
    five to nine anchors; cluster-robust errors from ten. Clusters are anchors, so serial
    correlation within an anchor's quarterly or monthly series is allowed for. `frequency` None
    picks the finest series the ledgers allow (`series_frequency`)."""
    # The GLM module, not statsmodels.api: the API imports every model and costs a second per kernel.
    from scipy import stats
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    frequency = frequency or series_frequency(spend)
    series = trend_series(spend, measure, frequency)
    notes: list[str] = []
    z = float(stats.norm.ppf(0.5 + level / 2))
    # Headed even when empty, so its CSV says what would have been there.
    no_coefficients = pd.DataFrame(columns=COEFFICIENT_COLUMNS)
    n_periods = int(series["period"].nunique())
    n_comparable, partial = comparable_periods(spend, series, frequency)
    anchors = sorted(series["anchor"].unique())
    tier = inference_tier(len(anchors), n_comparable)
    empty = TrendResult(
        measure, frequency, "not estimated", len(series), no_coefficients, _observed(series), notes=notes
    )
    empty.inference, empty.anchors, empty.comparable_periods = "descriptive", len(anchors), n_comparable
    if partial:
        notes.append(f"Partial year(s) {', '.join(partial)}: some anchor has payments in fewer than 12 months.")
    if n_periods < 2:
        notes.append(f"{n_periods} period(s) with located spend: too few to estimate a trend.")
        return empty
    if tier == "descriptive":
        notes.append(
            f"Descriptive only: {_count(len(anchors), 'anchor')} and {_count(n_comparable, 'comparable period')}"
            + ("" if frequency == "year" else f" (whole years spanned by the {frequency}ly series)")
            + "; "
            f"a p-value or interval needs at least {MIN_ANCHORS_FOR_INFERENCE} anchors (the clusters) and "
            f"{MIN_COMPARABLE_PERIODS} comparable periods."
        )
    if frequency == "year" and n_periods == 2:
        notes.append("Two years only: the trend is the straight line between them.")
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
    # A descriptive line may use every observation (two years give the line between them); a test
    # needs at least one observation more than parameters.
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1] or len(X) < X.shape[1] + (tier != "descriptive"):
        notes.append(f"{len(X)} observations for {X.shape[1]} parameters: the model cannot be estimated.")
        return empty
    weights = series["located"].astype(float)
    weights = weights / weights.mean()
    y = series["share"].astype(float)
    model = GLM(y, X, family=Binomial(), var_weights=weights)
    groups = pd.Categorical(series["anchor"]).codes
    tested = ["trend_per_year"] + (["policy: step", "policy: slope change per year"] if policy else [])
    method = "fractional logit (GLM binomial)" + (", anchor fixed effects" if len(anchors) > 1 else "")
    cov = None
    with warnings.catch_warnings():
        # A line through exactly as many points as parameters (two years) has no residual scale.
        warnings.simplefilter("ignore", RuntimeWarning)
        params = model.fit().params
    if tier == "cluster_robust":
        cov = cluster_robust_cov(y, X, weights, groups, params.to_numpy())
        bse = pd.Series(np.sqrt(np.diag(cov)), index=params.index)
        dof = len(anchors) - 1
        crit = float(stats.t.ppf(0.5 + level / 2, dof))
        pvalues = pd.Series(2 * stats.t.sf(np.abs(params / bse), dof), index=params.index)
        ci = {t: (params[t] - crit * bse[t], params[t] + crit * bse[t]) for t in X.columns}
        method += f", errors clustered by anchor (CR1, {len(anchors)} clusters, t with {dof} df)"
    else:
        bse = pd.Series(np.nan, index=params.index)
        pvalues = pd.Series(np.nan, index=params.index)
        ci = {t: (np.nan, np.nan) for t in X.columns}
        if tier == "few_clusters":
            draws = webb_draws(len(anchors), n_boot, seed)
            for term in tested:
                pvalues[term] = wild_score_test(y, X, weights, groups, term, 0.0, draws)
                ci[term] = _inverted_interval(y, X, weights, groups, term, float(params[term]), draws, 1 - level)
            method += (
                f"; p-values and intervals for the trend by wild cluster score bootstrap with Webb weights "
                f"({len(anchors)} anchors as clusters, {len(draws):,} draws)"
            )
        else:
            method += "; descriptive: no standard errors, p-values or intervals"
    method += (
        f"; {frequency}ly series weighted by located spend"
        if frequency != "year"
        else "; yearly series weighted by located spend"
    )
    if frequency != "year" and len(seasons) > 1:
        method += ", season dummies"
    coef = pd.DataFrame(
        {
            "term": params.index,
            "estimate": params.to_numpy(),
            "std_error": bse.to_numpy(),
            "ci_lo": [ci[t][0] for t in params.index],
            "ci_hi": [ci[t][1] for t in params.index],
            "p_value": pvalues.to_numpy(),
        }
    )
    beta = params.to_numpy()
    fitted = _fitted_band(series, X, beta, cov, z)
    pbar = float(np.average(series["share"], weights=series["located"]))
    b = float(params["trend_per_year"])
    scale = pbar * (1 - pbar)
    slope: dict[str, float] = {"estimate": b, "mean_share": pbar, "points_per_year": b * scale}
    if tier != "descriptive":
        lo, hi = ci["trend_per_year"]
        slope.update(
            {
                "std_error": float(bse["trend_per_year"]),
                "ci_lo": float(lo),
                "ci_hi": float(hi),
                "p_value": float(pvalues["trend_per_year"]),
                "points_ci_lo": float(lo) * scale,
                "points_ci_hi": float(hi) * scale,
            }
        )
    pol: dict[str, Any] = {}
    if policy:
        pol = {"start": policy, "step": float(params["policy: step"])}
        pol["slope_change"] = float(params["policy: slope change per year"])
        if tier != "descriptive":
            pol["step_ci_lo"], pol["step_ci_hi"] = map(float, ci["policy: step"])
            pol["slope_change_ci_lo"], pol["slope_change_ci_hi"] = map(float, ci["policy: slope change per year"])
    out = TrendResult(measure, frequency, method, len(series), coef, fitted, slope, pol, notes)
    out.inference, out.anchors, out.comparable_periods = tier, len(anchors), n_comparable
    return out


def _scores(y: pd.Series, X: pd.DataFrame, weights: pd.Series, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-observation scores w (y - mu) x of the fractional logit at linear predictor `eta`, and
    the information X' diag(w mu (1 - mu)) X."""
    x, w = X.to_numpy(float), weights.to_numpy(float)
    mu = 1 / (1 + np.exp(-eta))
    return x * (w * (y.to_numpy(float) - mu))[:, None], x.T @ (x * (w * mu * (1 - mu))[:, None])


def _cluster_sums(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = np.zeros((int(groups.max()) + 1, scores.shape[1]))
    np.add.at(out, groups, scores)
    return out


def cluster_robust_cov(
    y: pd.Series, X: pd.DataFrame, weights: pd.Series, groups: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    """The CR1 sandwich H^-1 (G/(G-1)) sum_g S_g S_g' H^-1 with S_g a cluster's summed scores
    (Cameron and Miller 2015), the small-sample factor G/(G-1) * (n-1)/(n-k)."""
    scores, info = _scores(y, X, weights, X.to_numpy(float) @ beta)
    sg = _cluster_sums(scores, groups)
    n, k, g = len(y), X.shape[1], len(sg)
    bread = np.linalg.inv(info)
    return bread @ (sg.T @ sg) @ bread * (g / (g - 1)) * ((n - 1) / (n - k))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------------------------
# The few-cluster method: a wild cluster score bootstrap (Kline and Santos 2012) with Webb's
# six-point weights (Webb 2023), restricted under the null (docs/METHODS.md).

WEBB_WEIGHTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
ENUMERATE_UP_TO = 50_000


def webb_draws(clusters: int, n_boot: int = N_BOOT, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Webb weights, one row per bootstrap draw and one column per cluster: every one of the 6^G
    combinations when there are at most `ENUMERATE_UP_TO` (exact, no simulation error), else
    `n_boot` seeded draws."""
    if 6**clusters <= ENUMERATE_UP_TO:
        idx = np.indices((6,) * clusters).reshape(clusters, -1).T
        return WEBB_WEIGHTS[idx]
    return np.random.default_rng(seed).choice(WEBB_WEIGHTS, size=(n_boot, clusters))


def wild_score_test(
    y: pd.Series, X: pd.DataFrame, weights: pd.Series, groups: np.ndarray, term: str, value: float, draws: np.ndarray
) -> float:
    """Two-sided p-value of H0: coefficient `term` = `value` in the fractional logit, by the wild
    cluster score bootstrap: fit the model under H0 (the term as an offset), take each cluster's
    score for the term net of the other parameters' (the effective score e_g), and compare the
    studentised statistic sum(e_g) / sqrt(sum e_g^2) with its value under sign-and-scale flips
    e_g * v_g, v_g drawn from Webb's weights."""
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    k = list(X.columns).index(term)
    x = X.to_numpy(float)
    rest = np.delete(x, k, axis=1)
    offset = value * x[:, k]
    restricted = GLM(
        y.to_numpy(float), rest, family=Binomial(), var_weights=weights.to_numpy(float), offset=offset
    ).fit()
    scores, info = _scores(y, X, weights, rest @ restricted.params + offset)
    others = [j for j in range(x.shape[1]) if j != k]
    proj = np.linalg.solve(info[np.ix_(others, others)], info[others, k])
    cluster_scores = _cluster_sums(scores, groups)
    e = cluster_scores[:, k] - cluster_scores[:, others] @ proj
    stat = _studentised(e[None, :])[0]
    boot = _studentised(draws * e[None, :])
    # A tiny tolerance so that draws equal to the observed statistic (all flips +1) count as extreme.
    return float(np.mean(np.abs(boot) >= abs(stat) - 1e-12))


def _studentised(e: np.ndarray) -> np.ndarray:
    den = np.sqrt((e**2).sum(axis=1))
    return np.divide(e.sum(axis=1), den, out=np.zeros(len(e)), where=den > 0)


def _inverted_interval(
    y, X, weights, groups, term: str, estimate: float, draws: np.ndarray, alpha: float
) -> tuple[float, float]:
    """The interval of values the bootstrap test does not reject at `alpha` (test inversion), found
    by bisection either side of the estimate; NaN on a side where no rejection is found."""

    def rejects(v: float) -> bool:
        return wild_score_test(y, X, weights, groups, term, v, draws) < alpha

    bounds = []
    for sign in (-1, 1):
        step = max(abs(estimate), 0.05)
        inner, outer = estimate, estimate + sign * step
        for _ in range(12):
            if rejects(outer):
                break
            inner, outer = outer, outer + sign * step
            step *= 2
        else:
            bounds.append(np.nan)
            continue
        for _ in range(30):
            mid = (inner + outer) / 2
            inner, outer = (inner, mid) if rejects(mid) else (mid, outer)
            if abs(outer - inner) < 1e-4 * max(1.0, abs(estimate)):
                break
        bounds.append((inner + outer) / 2)
    return bounds[0], bounds[1]


def _observed(series: pd.DataFrame) -> pd.DataFrame:
    obs = series.groupby(["period", "start"], sort=True)[["local", "located"]].sum().reset_index()
    obs["observed_share"] = obs["local"] / obs["located"]
    return obs.rename(columns={"local": "local_pence", "located": "located_pence"})


def _fitted_band(
    series: pd.DataFrame, X: pd.DataFrame, beta: np.ndarray, cov: np.ndarray | None, z: float
) -> pd.DataFrame:
    """Per period: the model's all-anchor share at a fixed anchor mix (each anchor weighted by its
    share of located spend over all periods), with a delta-method interval when `cov` is given
    (cluster-robust tier only; NaN otherwise)."""
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
        se = float(np.sqrt(max(grad @ cov @ grad, 0.0))) if cov is not None else np.nan
        rows.append(
            {
                "period": period["period"],
                "fitted_share": value,
                "fitted_ci_lo": float(np.clip(value - z * se, 0.0, 1.0)),
                "fitted_ci_hi": float(np.clip(value + z * se, 0.0, 1.0)),
            }
        )
    return obs.merge(pd.DataFrame(rows), on="period", how="left")
