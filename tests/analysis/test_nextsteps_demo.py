"""The Preston demo's CLES scenario (issue 21): stated on the procurement base, as CLES stated it,
5% to 10% of £750m = +£37.5m a year, and the same pounds in the summary."""

from __future__ import annotations

import pytest

from cwbtools.analysis import base, baseline
from cwbtools.analysis.nextsteps import scenarios, summary
from cwbtools.city.spend import city_spend
from cwbtools.city.steps import classify_geography
from cwbtools.config import load_config


@pytest.fixture(scope="module")
def demo(built_reference):
    from cwbtools.suppliers.resolve import default_public_bodies

    config = load_config("preston-demo")
    defs = config.analysis_definitions()
    spend = classify_geography(city_spend(config), defs.place_lads, defs.wider_lads, defs.deprived_deciles)
    spend = baseline.count_unknown_size(spend, defs.unknown_size_as)
    return defs, base.classify(spend, base.exclusion_rules(defs, default_public_bodies()))


@pytest.mark.slow
def test_demo_reproduces_cles_5_to_10_percent_of_750m(demo):
    defs, spend = demo
    assert defs.scenario_base == "procurement"  # a definition of the config, not a synthetic-data path
    table = scenarios.uplift(
        base.analysed(spend, defs.base),
        scenarios.specs(defs, defs.baseline_year),
        defs.baseline_year,
        defs.respend,
        base=defs.scenario_base,
        displacement=defs.displacement,
    )
    cles = table.iloc[0]
    assert cles["base_total_pence"] == 75_000_000_000
    assert cles["direct_uplift_pence"] == 3_750_000_000
    assert summary.scenarios_summary(table)[0]["direct_uplift_gbp"] == 37_500_000
    # No benchmark scenario: the demo's anchors include police, a college and a housing association.
    assert "benchmark" not in set(table["source"])
