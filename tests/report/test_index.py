"""The index's change column (issue 20): a change compares like with like or reads n/a, and a
partial year says so; a one-year place reads n/a (issue 22; the rest of the comparison is
tests/report/test_comparison.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import require_built

from cwbtools.analysis import change
from cwbtools.config import load_config
from cwbtools.paths import processed_dir, repo_root
from cwbtools.report import index

REAL = ["bolton", "hyndburn", "lancashire-blue-light", "oldham", "oxford", "salford"]
BLOCK = {"total_gbp": 1e6, "place_share": 0.2, "wider_share": 0.4, "located_share": 0.5}


def _summary(change_part: dict, partial: bool = False) -> dict:
    block = {**BLOCK, "partial": partial, "months_covered": 9 if partial else 12}
    return {
        "years": {"2018/19": block, "2019/20": block},
        "change": {"from": "2018/19", "to": "2019/20", **change_part},
    }


def test_no_comparable_months_reads_n_a_with_the_reason(tmp_path):
    reason = "A's ledgers cover January to March in 2018/19 and April to December in 2019/20"
    summary = _summary({"comparable": False, "reason": reason, "place_share_change": None}, partial=True)
    h = index.headline(summary)
    assert h["change"] == "n/a" and h["change_note"] == reason
    assert h["year"] == "2018/19 (partial: 9 months)"


def test_a_summary_from_before_comparable_months_gives_no_change_between_partial_years():
    assert index.headline(_summary({"place_share_change": 0.128}, partial=True))["change"] == "n/a"
    assert index.headline(_summary({"place_share_change": 0.128}))["change"] == "+12.8 pp (2018/19 to 2019/20)"


def test_a_change_on_common_months_says_which():
    part = {"comparable": True, "partial": True, "months": {"A": "April to January"}, "place_share_change": -0.05}
    h = index.headline(_summary({**part, "compared": "compared on April to January"}))
    assert h["change"] == "-5.0 pp (2018/19 to 2019/20, April to January only)"
    assert h["change_note"] == "compared on April to January"


def test_a_one_year_place_shows_n_a_for_change(tmp_path):
    """A place with one year has no change: not "+0.0 pp (2024/25 to 2024/25)"."""
    one = {"years": {"2024/25": {**BLOCK, "partial": False, "months_covered": 12}}}
    same = {**one, "change": {"from": "2024/25", "to": "2024/25", "comparable": True, "place_share_change": 0.0}}
    for summary in (one, same):
        h = index.headline(summary)
        assert h["change"] == "n/a" and h["change_note"] == "one year analysed: no change to measure"
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "summary.json").write_text(json.dumps({"city": "One", **same}))
    page = index.write_index(tmp_path, population={}).read_text()
    assert "n/a<br><small>one year analysed" in page and "+0.0 pp" not in page
    assert 'href="comparison.html"' in page and (tmp_path / "comparison.html").is_file()


def test_comparable_years_without_a_central_share_say_so():
    """Head offices place most located spend: the years compare, the central share does not exist."""
    summary = _summary({"comparable": True, "place_share_change": None})
    for block in summary["years"].values():
        block["place_share"] = None
    assert index.change_cell(summary) == ("n/a", "no central place share in 2018/19 and 2019/20, only its range")


def _built(slug: str):
    folder = processed_dir() / slug
    require_built(folder / "spend.parquet", slug)
    config = load_config(repo_root() / "configs" / f"{slug}.yml", check_inputs=False)
    return config, pd.read_parquet(folder / "spend.parquet")


@pytest.mark.parametrize("slug", REAL)
def test_every_real_change_in_the_index_compares_like_with_like_or_reads_n_a(slug, built_reference):
    """The change each real config's report gives (notebook 02's years) on the index: n/a, or a
    figure from payments in the same months of both years for the same anchors."""
    config, spend = _built(slug)
    defs = config.analysis_definitions()
    years = sorted(spend["financial_year"].astype(str).unique())
    a, b = change.comparison_years(defs, years)
    summary = change.change_summary(defs, spend, a, b)
    h = index.headline(summary)
    c = summary["change"]
    if h["change"] == "n/a":
        assert not c["comparable"] and c["reason"] and c["place_share_change"] is None
        return
    cmp = change.comparison(spend, a, b)
    same = change.comparable_spend(spend, cmp)
    cov = change.month_coverage(same).pivot(index="anchor", columns="year", values="covered")
    assert (cov[a] == cov[b]).all(), cov  # the same months of the year, anchor by anchor
    assert set(cov.index) == set(cmp.months)
    if cmp.partial:
        assert "only" in h["change"] and c["partial"]
