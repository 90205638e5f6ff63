"""The local-share trend (analysis/trend.py) on simulated spend with a known trend, seasons and a
policy step."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_baseline import make_spend

from cwbtools.analysis import trend as trend_model


def _simulated(
    slope: float,
    years: int = 10,
    anchors: int = 3,
    step: float = 0.0,
    policy_year: int | None = None,
    quarterly: bool = False,
    seed: int = 1,
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
                eta = -1.0 + 0.4 * a + slope * t + (season_effect[q] if quarterly else 0)
                if policy_year is not None and y >= policy_year:
                    eta += step
                p = 1 / (1 + np.exp(-eta))
                local = rng.random(150) < p
                date = pd.Timestamp(2010 + y, 4, 15) + pd.DateOffset(months=3 * q)
                for i, is_local in enumerate(local):
                    rows.append(
                        dict(
                            anchor=f"anchor {a}",
                            year=f"{2010 + y}/{(11 + y) % 100:02d}",
                            date=date,
                            key=f"k{a}-{y}-{q}-{i}",
                            pence=10_000,
                            geo="place" if is_local else "outside",
                        )
                    )
    return make_spend(rows)


def test_trend_recovers_known_slope():
    spend = _simulated(0.15)
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert trend.ok and "anchor fixed effects" in trend.method
    assert trend.slope["ci_lo"] < 0.15 < trend.slope["ci_hi"]
    assert trend.slope["ci_lo"] > 0  # a real trend is detected
    fitted = trend.fitted
    assert len(fitted) == 10 and (fitted["fitted_ci_lo"] <= fitted["fitted_share"]).all()
    assert fitted["fitted_share"].is_monotonic_increasing


def test_trend_with_seasons_and_policy_step():
    spend = _simulated(0.05, years=8, step=0.6, policy_year=4, quarterly=True, seed=3)
    trend = trend_model.local_share_trend(spend, frequency="quarter", policy_start="2014-04-01")
    assert "season dummies" in trend.method
    assert trend.policy["step_ci_lo"] < 0.6 < trend.policy["step_ci_hi"]
    assert trend.policy["step_ci_lo"] > 0
    assert trend.slope["ci_lo"] < 0.05 < trend.slope["ci_hi"]
    assert set(trend.table()["quantity"]) >= {"Method", "Trend in local share, points per year (95% CI)"}


def test_trend_too_few_periods_is_explained():
    spend = _simulated(0.1, years=1, anchors=1)
    trend = trend_model.local_share_trend(spend, frequency="year")
    assert not trend.ok and "too few" in trend.notes[0]


def test_series_frequency():
    assert trend_model.series_frequency(_simulated(0.1, years=3, anchors=1, quarterly=True)) == "quarter"  # 12 quarters
    assert trend_model.series_frequency(_simulated(0.1, years=3, anchors=1)) == "year"
