"""Every definition shown in "Definitions in force" changes the figure it names.

The rows are read from `CityConfig.definitions_table()` itself: a new row without a case here fails.
Each case changes one definition in the synthetic Preston demo's config, rebuilds the analysis
arguments with `CityConfig.analysis_definitions()`, recomputes the governed figure through the
real analysis functions (as the notebooks call them) and asserts it moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from cwbtools.analysis import baseline, change, headlines, trend
from cwbtools.analysis.nextsteps import influenceable, scenarios
from cwbtools.analysis.respend import respend_lm3
from cwbtools.city.inputs import supplier_survey
from cwbtools.city.spend import city_spend
from cwbtools.city.steps import classify_geography
from cwbtools.config import CityConfig, load_config

DEMO = "preston-demo"
ROWS = list(load_config(DEMO, check_inputs=False, resolve_areas=False).definitions_table()["definition"])


@pytest.fixture(scope="module")
def demo(built_reference) -> tuple[CityConfig, pd.DataFrame]:
    config = load_config(DEMO)
    return config, city_spend(config)


def _prepared(config: CityConfig, spend: pd.DataFrame):
    """The definitions and the spend as the notebooks read them: geography classified for the
    config's areas (as the pipeline does) and suppliers of unknown size counted as configured."""
    defs = config.analysis_definitions()
    spend = classify_geography(spend, defs.place_lads, defs.wider_lads, defs.deprived_deciles)
    return defs, baseline.count_unknown_size(spend, defs.unknown_size_as)


# -- the figures (each as notebook 01, 02 or 03 computes it) ----------------------------------------


def _baseline(defs, spend):
    return baseline.for_year(spend, defs.baseline_year)


def _measures(defs, spend):
    return baseline.measures(_baseline(defs, spend), defs.deprived_deciles, baseline.sme_measurable(spend, defs))


def _lm3(defs, spend):
    row = respend_lm3(_baseline(defs, spend), defs.respend, supplier_survey(defs)).iloc[0]
    return row["kind"], int(row["round3_pence"]), float(row["lm3"])


def _influenceable(defs, spend):
    year = baseline.for_year(spend, defs.latest_year)
    classified = influenceable.classify(year, influenceable.exclusion_rules(defs.not_influenceable))
    return int(influenceable.measures(classified).set_index("spend").loc["Influenceable spend", "total_pence"])


def _scenarios(defs, spend):
    t = scenarios.uplift(spend, scenarios.specs(defs, defs.latest_year), defs.baseline_year, defs.respend)
    return t[["name", "to_share", "direct_uplift_pence", "indirect_low_pence", "indirect_high_pence"]].to_dict(
        "records"
    )


def _benchmark(defs, spend):
    return baseline.benchmark_comparison(_measures(defs, spend), defs.local_benchmark, defs.sme_benchmark)[
        ["benchmark", "verdict"]
    ].to_dict("records")


# -- one case per row --------------------------------------------------------------------------------


@dataclass
class Case:
    change: Callable[[CityConfig, pd.DataFrame, Any], None]  # (config, spend, tmp_path): edit the config
    figure: Callable[[Any, pd.DataFrame], Any]
    spend: Callable[[pd.DataFrame], pd.DataFrame] = lambda s: s  # the spend the case needs, if not the demo's


def _set(path: str, value):
    def change_(config, spend, tmp_path):
        *parents, last = path.split(".")
        obj = config
        for part in parents:
            obj = getattr(obj, part)
        setattr(obj, last, value)

    return change_


def _largest_influenceable_supplier(config, spend, tmp_path):
    defs, prepared = _prepared(config, spend)
    year = baseline.for_year(prepared, defs.latest_year)
    left = influenceable.classify(year, influenceable.exclusion_rules(defs.not_influenceable))
    left = left[left["influenceable"]]
    config.definitions.not_influenceable.suppliers = [left.groupby("supplier_name")["amount_pence"].sum().idxmax()]


def _survey(config, spend, tmp_path):
    defs, prepared = _prepared(config, spend)
    year = _baseline(defs, prepared)
    place = year[year["in_place"]].groupby("supplier_key")["amount_pence"].sum().nlargest(20)
    path = tmp_path / "survey.csv"
    pd.DataFrame({"supplier_key": place.index, "local_respend_share": 0.9}).to_csv(path, index=False)
    config.definitions.supplier_survey = str(path)
    config.allow_outside_data = True  # the survey is in the test's own folder


def _years(config, spend, tmp_path):
    config.baseline_year = "2016/17"


def _policy_trend(defs, spend):
    return trend.local_share_trend(spend, "place", policy_start=defs.policy_start).table().to_dict("records")


def _unknown_size(spend: pd.DataFrame) -> pd.DataFrame:
    """Some firms' size unknown (as when no register tells it): the demo's large firms outside Lancashire."""
    out = spend.copy()
    out.loc[(out["supplier_type"] == "large") & (out["geo"] == "outside"), "supplier_type"] = "unknown"
    return out


CASES: dict[str, Case] = {
    "Data": Case(_set("synthetic", False), lambda d, s: headlines.baseline_summary(d, s, d.baseline_year)["synthetic"]),
    "Place": Case(_set("place.lad_codes", ["E07000117"]), lambda d, s: _measures(d, s)["place_share"]),
    "Wider area": Case(_set("wider_area.lad_codes", ["E07000123"]), lambda d, s: _measures(d, s)["wider_share"]),
    "Years": Case(_years, lambda d, s: change.change_summary(d, s)["change"]["place_gbp_change"]),
    "Deprived area": Case(_set("definitions.deprived.deciles", [1]), lambda d, s: _measures(d, s)["deprived_share"]),
    "SME": Case(
        _set("definitions.sme.unknown_as", "sme"),
        lambda d, s: (
            _measures(d, s)["sme_share"],
            baseline.spend_by_business_type(_baseline(d, s))["total_pence"].tolist(),
            _lm3(d, s),
        ),
        _unknown_size,
    ),
    "Not influenceable: supplier types": Case(
        _set("definitions.not_influenceable.supplier_types", ["public", "individual", "large"]), _influenceable
    ),
    "Not influenceable: SIC divisions": Case(_set("definitions.not_influenceable.sic_divisions", []), _influenceable),
    "Not influenceable: expense categories": Case(
        _set("definitions.not_influenceable.expense_patterns", ["cleaning"]), _influenceable
    ),
    "Not influenceable: named suppliers": Case(_largest_influenceable_supplier, _influenceable),
    "Benchmark: local share": Case(
        _set("definitions.benchmark.local_share", 0.05), lambda d, s: (_benchmark(d, s), _scenarios(d, s))
    ),
    "Benchmark: SME share": Case(_set("definitions.benchmark.sme_share", 0.2), _benchmark),
    "Re-spend per £1 by supplier type": Case(
        _set("definitions.respend.sme", 0.9), lambda d, s: (_lm3(d, s), _scenarios(d, s))
    ),
    "Supplier survey": Case(_survey, _lm3),
    "Policy start": Case(_set("definitions.policy_start", None), _policy_trend),
    "Scenario": Case(lambda c, s, t: setattr(c.scenarios[0], "to_share", 0.2), _scenarios),
}


def _case(row: str) -> Case | None:
    return CASES.get(row) or (CASES["Scenario"] if row.startswith("Scenario: ") else None)


def test_the_demo_shows_every_kind_of_row():
    # The demo is synthetic and has a scenario: its table has every kind of row a config can show.
    assert ROWS[0] == "Data" and any(r.startswith("Scenario: ") for r in ROWS)
    assert {r for r in CASES if r != "Scenario"} <= set(ROWS)


@pytest.mark.parametrize("row", ROWS)
def test_each_definition_changes_its_figure(row, demo, tmp_path):
    case = _case(row)
    assert case is not None, (
        f"definition row {row!r} has no case in tests/base/test_definitions.py: which figure does it govern?"
    )
    config, spend = demo
    spend = case.spend(spend)
    before = case.figure(*_prepared(config, spend))
    changed = config.model_copy(deep=True)
    case.change(changed, spend, tmp_path)
    shown = config.definitions_table().set_index("definition")["value"]
    now = changed.definitions_table().set_index("definition")["value"]
    assert row not in now.index or now[row] != shown[row], "the report must show the changed definition"
    after = case.figure(*_prepared(changed, spend))
    assert after != before, f"changing {row!r} left its figure at {before!r}"


def test_respend_rate_for_smes_changes_lm3(demo):
    """The wrong result this fixes: `definitions.respend` was shown in the report but LM3 used the
    benchmark's fixed 63p / 40p pair, so `respend: {sme: 0.9}` changed nothing."""
    config, spend = demo
    defs, prepared = _prepared(config, spend)
    year = _baseline(defs, prepared)
    base = respend_lm3(year, defs.respend).iloc[0]
    changed = config.model_copy(deep=True)
    changed.definitions.respend.sme = 0.9
    defs9 = changed.analysis_definitions()
    lm3 = respend_lm3(year, defs9.respend).iloc[0]
    assert (
        changed.definitions_table()
        .set_index("definition")
        .loc["Re-spend per £1 by supplier type", "value"]
        .startswith("sme 0.90")
    )
    assert lm3["lm3"] > base["lm3"]
    # Round 3 is each type's round-2 pounds times its rate: only the SMEs' part moves, by 27p per £1.
    place_sme = int(year.loc[year["in_place"] & (year["supplier_type"] == "sme"), "amount_pence"].sum())
    assert lm3["round3_pence"] - base["round3_pence"] == pytest.approx(place_sme * 0.27, abs=1)
    assert lm3["round2_pence"] == base["round2_pence"] == int(year.loc[year["in_place"], "amount_pence"].sum())
