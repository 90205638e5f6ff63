"""The local-share trend (analysis/trend.py) on simulated spend with a known trend, seasons and a
policy step, and its inference tiers: descriptive below five anchors, the wild cluster score
bootstrap (Webb weights) from five to nine, cluster-robust from ten (issue 20 point 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import require_built
from test_baseline import make_spend

from cwbtools.analysis import trend as trend_model
from cwbtools.paths import processed_dir
from cwbtools.report import charts

REAL_CONFIGS = sorted(p.stem for p in (Path(__file__).parents[2] / "configs").glob("*.yml") if p.stem != "preston-demo")


def _simulated(
    slope: float,
    years: int = 10,
    anchors: int = 3,
    step: float = 0.0,
    policy_year: int | None = None,
    quarterly: bool = False,
    seed: int = 1,
    suppliers: int = 150,
) -> pd.DataFrame:
    """Suppliers of equal size whose chance of being local follows logit p = a_anchor + slope * t
    (+ step after the policy, + a season effect when quarterly)."""
    rng = np.random.default_rng(seed)
    rows = []
    season_effect = [0.0, 0.3, -0.2, 0.1]
    for a in range(anchors):
        for y in range(years):
            for q in range(4 if quarterly else 1):
                t = y + (q * 0.25 if quarterly else 0)
                eta = -1.0 + 0.4 * (a % 4) + slope * t + (season_effect[q] if quarterly else 0)
                if policy_year is not None and y >= policy_year:
                    eta += step
                p = 1 / (1 + np.exp(-eta))
                local = rng.random(suppliers) < p
                for i, is_local in enumerate(local):
                    # Payments spread over the months of the period, so every year is whole.
                    date = pd.Timestamp(2010 + y, 4, 15) + pd.DateOffset(months=3 * q + i % (3 if quarterly else 12))
                    rows.append(
                        dict(
                            anchor=f"anchor {a:02d}",
                            year=f"{2010 + y}/{(11 + y) % 100:02d}",
                            date=date,
                            key=f"k{a}-{y}-{q}-{i}",
                            pence=10_000,
                            geo="place" if is_local else "outside",
                        )
                    )
    return make_spend(rows)


def _printed(trend) -> str:
    return " ".join(trend.table()["quantity"].astype(str) + " " + trend.table()["value"].astype(str))


def test_inference_tiers():
    assert trend_model.inference_tier(1, 40) == "descriptive"
    assert trend_model.inference_tier(4, 40) == "descriptive"
    assert trend_model.inference_tier(6, 2) == "descriptive"
    assert trend_model.inference_tier(5, 3) == "few_clusters"
    assert trend_model.inference_tier(9, 3) == "few_clusters"
    assert trend_model.inference_tier(10, 3) == "cluster_robust"


def test_one_anchor_trend_prints_no_p_value():
    # Forty quarters of one anchor with a real trend: still one cluster, so a slope and the points only.
    spend = _simulated(0.15, years=10, anchors=1, quarterly=True)
    trend = trend_model.local_share_trend(spend, frequency="quarter")
    assert trend.ok and trend.inference == "descriptive"
    assert trend.slope["estimate"] == pytest.approx(0.15, abs=0.05)  # the slope is still given
    assert "p_value" not in trend.slope and "ci_lo" not in trend.slope
    assert trend.coefficients[["std_error", "ci_lo", "ci_hi", "p_value"]].isna().all().all()
    assert trend.fitted[["fitted_ci_lo", "fitted_ci_hi"]].isna().all().all()
    table = trend.table()
    assert not table["quantity"].str.contains("p-value|interval", case=False).any()
    assert not table["value"].str.contains(r"\(.* to .*\)").any()  # no "(lo to hi)" anywhere
    assert "Descriptive only: 1 anchor" in _printed(trend)
    chart = charts.trend_chart(trend)
    assert "interval" not in chart.title and "descriptive" in chart.title


def test_two_years_four_years_apart_give_no_p_value():
    """The demo's old '+3.54 points a year, p = 8e-38' came from two years: two periods carry no test."""
    spend = _simulated(0.2, years=5, anchors=6)
    spend = spend[spend["financial_year"].isin(["2010/11", "2014/15"])]
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert trend.inference == "descriptive" and trend.comparable_periods == 2
    assert "p_value" not in trend.slope and trend.coefficients["p_value"].isna().all()


def test_quarters_of_two_years_are_two_comparable_periods():
    """Eight quarters of two years four years apart: no more than two comparable periods, no test."""
    spend = _simulated(0.2, years=5, anchors=6, quarterly=True, suppliers=40)
    spend = spend[spend["financial_year"].isin(["2010/11", "2014/15"])]
    trend = trend_model.local_share_trend(spend, frequency="quarter")
    assert trend.n_obs == 48 and trend.comparable_periods == 2 and trend.inference == "descriptive"
    assert "p_value" not in trend.slope


def test_partial_year_does_not_count_as_comparable():
    spend = _simulated(0.1, years=3, anchors=6)
    n, partial = trend_model.comparable_periods(spend, trend_model.trend_series(spend), "year")
    assert (n, partial) == (3, [])
    # One anchor's last year has payments in April to September only: that year is partial.
    cut = (spend["financial_year"] == "2012/13") & (spend["anchor"] == "anchor 03")
    spend = spend[~cut | (spend["payment_date"] < pd.Timestamp("2012-10-01"))]
    n, partial = trend_model.comparable_periods(spend, trend_model.trend_series(spend), "year")
    assert (n, partial) == (2, ["2012/13"])
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert trend.inference == "descriptive" and any("Partial year(s) 2012/13" in n for n in trend.notes)


def test_webb_draws_enumerate_small_cluster_counts():
    draws = trend_model.webb_draws(2)
    assert draws.shape == (36, 2) and len({tuple(r) for r in draws}) == 36
    assert draws.mean() == pytest.approx(0.0) and (draws**2).mean() == pytest.approx(1.0)
    assert trend_model.webb_draws(8, n_boot=999).shape == (999, 8)  # 6^8 too many: seeded draws


def _null_series(rng, clusters: int = 6, periods: int = 12, slope_sd: float = 0.15, true_slope: float = 0.0):
    """A share series per cluster whose slope varies by cluster around `true_slope`: within-cluster
    correlation that a test treating periods as independent ignores."""
    rows = []
    for g in range(clusters):
        a, u = rng.normal(-0.5, 0.5), rng.normal(true_slope, slope_sd)
        for t in range(periods):
            eta = a + u * t + rng.normal(0, 0.05)
            rows.append({"g": g, "t": float(t), "y": 1 / (1 + np.exp(-eta)), "w": 1.0})
    s = pd.DataFrame(rows)
    X = pd.DataFrame({"const": 1.0, "trend_per_year": s["t"]})
    for g in range(1, clusters):
        X[f"anchor: {g}"] = (s["g"] == g).astype(float)
    return s["y"], X, s["w"], s["g"].to_numpy()


def test_wild_score_bootstrap_has_about_the_right_size_with_six_clusters():
    """Under the null (mean slope zero, slopes varying by cluster) the 5% test rejects about 5% of
    the time with six clusters; a test treating the 72 observations as independent (HC1) rejects
    far more often. Seeded, so the rates are fixed."""
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    draws = trend_model.webb_draws(6)
    wild = hc1 = 0
    reps = 150
    for _ in range(reps):
        y, X, w, g = _null_series(rng)
        wild += trend_model.wild_score_test(y, X, w, g, "trend_per_year", 0.0, draws) < 0.05
        fit = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit(cov_type="HC1")
        hc1 += fit.pvalues["trend_per_year"] < 0.05
    assert 0.0 < wild / reps <= 0.11
    assert hc1 / reps > 0.3


def test_wild_score_bootstrap_detects_a_real_trend():
    rng = np.random.default_rng(5)
    draws = trend_model.webb_draws(6)
    rejections = sum(
        trend_model.wild_score_test(*_null_series(rng, true_slope=0.3, slope_sd=0.05), "trend_per_year", 0.0, draws)
        < 0.05
        for _ in range(20)
    )
    assert rejections >= 18


def test_six_anchors_use_the_few_cluster_method():
    spend = _simulated(0.15, anchors=6, years=8)
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert trend.inference == "few_clusters" and "wild cluster score bootstrap" in trend.method
    assert trend.slope["p_value"] < 0.05
    assert trend.slope["ci_lo"] < 0.15 < trend.slope["ci_hi"]
    # The interval is where the test stops rejecting: at its ends the p-value is about 5%.
    coef = trend.coefficients.set_index("term")
    assert coef.loc["trend_per_year", "p_value"] == trend.slope["p_value"]
    assert coef.drop("trend_per_year")["p_value"].isna().all()  # only the trend is tested
    assert "p-value" in _printed(trend)


def test_cluster_robust_cov_matches_statsmodels_without_weights():
    """The CR1 sandwich by hand equals statsmodels' clustered GLM errors when all weights are one."""
    import statsmodels.api as sm

    y, X, w, g = _null_series(np.random.default_rng(2), clusters=12)
    fit = sm.GLM(y, X, family=sm.families.Binomial()).fit(cov_type="cluster", cov_kwds={"groups": g})
    ours = trend_model.cluster_robust_cov(y, X, w, g, fit.params.to_numpy())
    assert np.sqrt(np.diag(ours)) == pytest.approx(fit.bse.to_numpy(), rel=1e-6)


def test_trend_recovers_known_slope_with_ten_anchors():
    spend = _simulated(0.15, anchors=10, suppliers=80)
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert trend.ok and trend.inference == "cluster_robust" and "anchor fixed effects" in trend.method
    assert trend.slope["ci_lo"] < 0.15 < trend.slope["ci_hi"]
    assert trend.slope["ci_lo"] > 0  # a real trend is detected
    fitted = trend.fitted
    assert len(fitted) == 10 and (fitted["fitted_ci_lo"] <= fitted["fitted_share"]).all()
    assert fitted["fitted_share"].is_monotonic_increasing


def test_trend_with_seasons_and_policy_step():
    spend = _simulated(0.05, years=8, anchors=10, step=0.6, policy_year=4, quarterly=True, seed=3, suppliers=60)
    trend = trend_model.local_share_trend(spend, frequency="quarter", policy_start="2014-04-01")
    assert "season dummies" in trend.method
    assert trend.policy["step_ci_lo"] < 0.6 < trend.policy["step_ci_hi"]
    assert trend.policy["step_ci_lo"] > 0
    assert trend.slope["ci_lo"] < 0.05 < trend.slope["ci_hi"]
    assert set(trend.table()["quantity"]) >= {"Method", "Trend in local share, points per year (95% interval)"}


def test_trend_too_few_periods_is_explained():
    spend = _simulated(0.1, years=1, anchors=1)
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert not trend.ok and any("too few" in n for n in trend.notes)


def test_series_frequency():
    assert trend_model.series_frequency(_simulated(0.1, years=3, anchors=1, quarterly=True)) == "quarter"  # 12 quarters
    assert trend_model.series_frequency(_simulated(0.1, years=1, anchors=1)) == "year"  # 4 quarters


@pytest.mark.realdata
@pytest.mark.parametrize("slug", REAL_CONFIGS)
def test_no_p_value_from_fewer_than_five_anchors_on_real_configs(slug):
    """Every real config has one or two anchors: its trends are descriptive, with no p-value."""
    path = processed_dir() / slug / "spend.parquet"
    require_built(path, slug)
    spend = pd.read_parquet(path)
    spend = spend[spend["in_base"].astype("boolean").fillna(False)] if "in_base" in spend else spend
    assert spend["anchor"].nunique() < 5
    for measure in ["place", "wider"]:
        trend = trend_model.local_share_trend(spend, measure)
        assert trend.inference == "descriptive"
        assert "p_value" not in trend.slope and trend.coefficients["p_value"].isna().all()
        assert not trend.table()["quantity"].str.contains("p-value|interval", case=False).any()
