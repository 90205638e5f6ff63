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

from cwbtools.analysis import base, baseline, change, headlines, trend
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
    config's areas (as the pipeline does), suppliers of unknown size counted as configured, and
    each payment classified by the exclusion rules (`report.context`'s `all_spend`; the figures
    are measured on `_analysed`)."""
    defs = config.analysis_definitions()
    spend = classify_geography(spend, defs.place_lads, defs.wider_lads, defs.deprived_deciles)
    spend = baseline.count_unknown_size(spend, defs.unknown_size_as)
    return defs, base.classify(spend, base.exclusion_rules(defs, _bodies()))


def _analysed(defs, spend):
    """The spend the figures are measured on: the procurement base, or all kept spend (`definitions.base`)."""
    return base.analysed(spend, defs.base)


def _bodies():
    from cwbtools.suppliers.resolve import default_public_bodies

    return default_public_bodies()


# -- the figures (each as notebook 01, 02 or 03 computes it) ----------------------------------------


def _baseline(defs, spend):
    return baseline.for_year(_analysed(defs, spend), defs.baseline_year)


def _measures(defs, spend):
    return baseline.measures(
        _baseline(defs, spend), defs.deprived_deciles, baseline.sme_measurable(_analysed(defs, spend), defs)
    )


def _lm3(defs, spend):
    row = respend_lm3(_baseline(defs, spend), defs.respend, supplier_survey(defs)).iloc[0]
    return row["kind"], int(row["round3_pence"]), float(row["lm3"])


def _influenceable(defs, spend):
    """Influenceable spend in each year (notebook 03 shows one; the demo's utilities are in 2012/13)."""
    return [
        int(
            influenceable.measures(baseline.for_year(spend, y))
            .set_index("spend")
            .loc["Influenceable spend", "total_pence"]
        )
        for y in defs.years
    ]


def _total(defs, spend):
    return _measures(defs, spend)["total"], _measures(defs, spend)["place_share"]


def _scenarios(defs, spend):
    t = scenarios.uplift(
        _analysed(defs, spend),
        scenarios.specs(defs, defs.latest_year),
        defs.baseline_year,
        defs.respend,
        base=defs.scenario_base,
        displacement=defs.displacement,
    )
    cols = ["name", "to_share", "direct_uplift_pence", "respend_uplift_low_pence", "respend_uplift_high_pence"]
    return t[cols].to_dict("records")


def _regional(defs, spend):
    from cwbtools.analysis import multipliers
    from cwbtools.reference import load_lsoa

    table = multipliers.for_place(multipliers.load_multipliers(), defs.place_lads, load_lsoa(), defs.flq_delta)
    return table["output_multiplier"].round(9).tolist()


def _benchmark_all_kinds(key, value):
    """The demo's anchors are of kinds the councils' benchmark is no average of: list them all, so
    the benchmark applies, then change `key` (issue 21)."""

    def change(config, spend, tmp):
        config.definitions.benchmark.anchor_kinds = sorted({str(a.kind) for a in config.anchors})
        if key:
            setattr(config.definitions.benchmark, key, value)

    return change


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
    # A definition resolution reads (not analysis): its figure from the config itself.
    config_figure: Callable[[CityConfig], Any] | None = None


def _set(path: str, value):
    def change_(config, spend, tmp_path):
        *parents, last = path.split(".")
        obj = config
        for part in parents:
            obj = getattr(obj, part)
        setattr(obj, last, value)

    return change_


def _largest(spend: pd.DataFrame, column: str) -> str:
    return str(spend.groupby(column)["amount_pence"].sum().idxmax())


def _largest_influenceable_supplier(config, spend, tmp_path):
    defs, prepared = _prepared(config, spend)
    year = baseline.for_year(prepared, defs.latest_year)
    config.definitions.exclusions.not_influenceable.suppliers = [_largest(year[year["influenceable"]], "supplier_name")]


def _largest_payee_a_transfer(config, spend, tmp_path):
    """The base's largest payee in the baseline year named as a transfer payee."""
    defs, prepared = _prepared(config, spend)
    config.definitions.exclusions.transfers.payees = [_largest(_baseline(defs, prepared), "supplier_name")]


def _largest_category_a_transfer(config, spend, tmp_path):
    defs, prepared = _prepared(config, spend)
    config.definitions.exclusions.transfers.expenses = [_largest(_baseline(defs, prepared), "expense_category")]


def _a_public_corporation(spend: pd.DataFrame) -> pd.DataFrame:
    """The demo's largest SME typed as a public corporation (as a council company would be)."""
    out = spend.copy()
    out.loc[out["supplier_key"] == _largest(out[out["supplier_type"] == "sme"], "supplier_key"), "supplier_type"] = (
        "public_corporation"
    )
    return out


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
    trended = trend.local_share_trend(_analysed(defs, spend), "place", policy_start=defs.policy_start)
    return trended.table().to_dict("records")


def _public_classes(defs, spend):
    """Pence by public class, the suppliers classified by name under the config's decision table (as
    resolution does; the demo's public payees are named like councils and NHS trusts)."""
    from cwbtools.suppliers.public import classify_public
    from cwbtools.suppliers.resolve import default_public_bodies

    payees = spend.drop_duplicates("supplier_key")[["supplier_key", "supplier_name", "individual"]]
    classes = classify_public(payees, default_public_bodies(), defs.public_bodies)["public_class"]
    by_key = dict(zip(payees["supplier_key"], classes.fillna("none")))
    return spend.groupby(spend["supplier_key"].map(by_key))["amount_pence"].sum().to_dict()


def _unknown_size(spend: pd.DataFrame) -> pd.DataFrame:
    """Some firms' size unknown (as when no register tells it): the demo's large firms outside Lancashire."""
    out = spend.copy()
    out.loc[(out["supplier_type"] == "large") & (out["geo"] == "outside"), "supplier_type"] = "unknown"
    return out


def _placed_by_head_office(spend: pd.DataFrame) -> pd.DataFrame:
    """Every located supplier placed by a head office (as the Gender Pay Gap register places them)."""
    return spend.assign(location_basis=spend["location_basis"].where(spend["location_basis"] == "none", "head_office"))


def _place_share(defs, spend):
    summary = headlines.baseline_summary(defs, spend, defs.baseline_year)
    return summary["years"][defs.baseline_year]["place_share"]


def _fuzzy_placed(config: CityConfig):
    """Where resolution places a £200k fuzzy name match (tests/suppliers/test_location.py's pair) under
    the config's threshold."""
    import sys
    from pathlib import Path

    from cwbtools.city.inputs import _resolution_inputs
    from cwbtools.suppliers import resolve_suppliers

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "suppliers"))
    import test_location as hand

    above = _resolution_inputs(config)["confirm_fuzzy_above_pence"]
    res = resolve_suppliers(
        hand._transactions(), registers=hand._registers(), postcodes=hand.POSTCODES, confirm_fuzzy_above_pence=above
    )
    return res.suppliers.set_index("supplier_name").loc["Metric Group Limited", "location_basis"]


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
    "Base": Case(_set("definitions.base", "all"), _total),
    "Excluded from the base: transfers by payee": Case(_largest_payee_a_transfer, _total),
    "Excluded from the base: transfers by expense": Case(_largest_category_a_transfer, _total),
    "Public corporations": Case(
        _set("definitions.exclusions.public_corporations", "base"), _total, _a_public_corporation
    ),
    "Not influenceable: supplier types": Case(
        _set("definitions.exclusions.not_influenceable.supplier_types", ["large"]), _influenceable
    ),
    "Not influenceable: SIC divisions": Case(
        _set("definitions.exclusions.not_influenceable.sic_divisions", []), _influenceable
    ),
    "Not influenceable: named suppliers": Case(_largest_influenceable_supplier, _influenceable),
    "Public bodies: general government": Case(_set("definitions.public_bodies.council", "not_public"), _public_classes),
    "Public bodies: public corporation": Case(
        _set("definitions.public_bodies.council", "public_corporation"), _public_classes
    ),
    "Public bodies: not public": Case(_set("definitions.public_bodies.nhs_trust", "not_public"), _public_classes),
    "Public bodies: name patterns": Case(_set("definitions.public_bodies.name_patterns", False), _public_classes),
    "Benchmark: local share": Case(
        _benchmark_all_kinds("local_share", 0.05), lambda d, s: (_benchmark(d, s), _scenarios(d, s))
    ),
    "Benchmark: SME share": Case(_benchmark_all_kinds("sme_share", 0.2), _benchmark),
    "Benchmark: anchor kinds": Case(_benchmark_all_kinds(None, None), _benchmark),
    "Scenario base": Case(_set("definitions.scenario_base", "influenceable"), _scenarios),
    "Displacement": Case(_set("definitions.displacement", 0.5), _scenarios),
    "FLQ delta": Case(_set("definitions.flq_delta", 0.5), _regional),
    "Re-spend per £1 by supplier type": Case(
        _set("definitions.respend.sme", 0.9), lambda d, s: (_lm3(d, s), _scenarios(d, s))
    ),
    "Supplier survey": Case(_survey, _lm3),
    "Policy start": Case(_set("definitions.policy_start", None), _policy_trend),
    "Scenario": Case(lambda c, s, t: setattr(c.scenarios[0], "to_share", 0.2), _scenarios),
    "Central share withheld above": Case(
        _set("definitions.location.office_share_limit", 1.0), _place_share, spend=_placed_by_head_office
    ),
    "Fuzzy matches confirmed above": Case(
        _set("definitions.location.confirm_fuzzy_above_gbp", 1_000_000), None, config_figure=_fuzzy_placed
    ),
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

    def figure(c):
        return case.config_figure(c) if case.config_figure else case.figure(*_prepared(c, spend))

    before = figure(config)
    changed = config.model_copy(deep=True)
    case.change(changed, spend, tmp_path)
    shown = config.definitions_table().set_index("definition")["value"]
    now = changed.definitions_table().set_index("definition")["value"]
    assert row not in now.index or now[row] != shown[row], "the report must show the changed definition"
    after = figure(changed)
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
    # (Its lower bound: round 2's located place pounds, issue 21.)
    assert lm3["round3_lo_pence"] - base["round3_lo_pence"] == pytest.approx(place_sme * 0.27, abs=1)
    assert lm3["round2_lo_pence"] == base["round2_lo_pence"] == int(year.loc[year["in_place"], "amount_pence"].sum())
