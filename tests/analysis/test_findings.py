"""A page's opening screen (issue 22) on hand-made spend whose answers are worked out by hand."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from test_baseline import _defs, make_spend

from cwbtools.analysis import findings
from cwbtools.report import summary_page


def _year(rows: list[dict], months: int = 12) -> pd.DataFrame:
    """`rows` spread over the first `months` months of 2012/13 (April on)."""
    dates = pd.date_range("2012-04-15", periods=months, freq="MS") + pd.Timedelta(days=14)
    return make_spend([{**r, "date": str(dates[i % months].date())} for i, r in enumerate(rows)])


# 100 suppliers of £100 each: 10 in the place, 20 more in the wider area, 40 outside, 30 unlocated
# (the 30 unlocated: 20 limited companies and 10 with no legal form).
GEOS = ["place"] * 10 + ["wider"] * 20 + ["outside"] * 40 + ["unlocated"] * 30


def _spread() -> pd.DataFrame:
    rows = []
    for i, geo in enumerate(GEOS):
        name = f"Firm {i} Ltd" if geo != "unlocated" or i < 90 else f"Trader {i}"
        rows.append({"key": f"k{i}", "name": name, "pence": 10_000, "geo": geo})
    return _year(rows)


@pytest.fixture(scope="module")
def spread():
    return _spread()


def test_where_it_went_adds_up_to_the_base(spread):
    m = findings.measures(spread, [1, 2])
    where = findings.where_it_went(m, "Placeton", "Widershire").set_index("area")
    assert list(where.index) == list(findings.WHERE_AREAS)
    assert where["spend_gbp"].tolist() == [1000.0, 2000.0, 4000.0, 3000.0]
    assert where["share"].sum() == pytest.approx(1.0)
    assert where.loc["rest of wider area", "label"] == "rest of Widershire"


def test_words_give_the_range_first_and_a_central_figure_only_where_allowed(spread):
    m = findings.measures(spread, [1, 2])
    text = findings.where_text(m, "Placeton", "Widershire", "procurement spend")
    # place: 10 of 100 at least, 40 of 100 at most; central 10 of 70 located.
    assert text.startswith("Between 10.0% and 40.0% of procurement spend went to suppliers in Placeton")
    assert "central figures, on located spend, are 14.3% and 42.9%" in text
    withheld = {**m, "central_note": "withheld", "office": m["located"]}
    text = findings.where_text(withheld, "Placeton", "Widershire", "procurement spend")
    assert text.index("Between 10.0% and 40.0%") < text.index(
        "No central figure: 100.0% of located spend is placed by a head or registered office"
    )
    assert "central figures" not in text


def test_the_lever_is_the_larger_of_companies_house_and_the_address_check(spread):
    m = findings.measures(spread, [1, 2])
    # Without Companies House: 20 of the 30 unlocated (£2,000) are limited companies it would place.
    assert findings.registrable_unlocated(spread) == 200_000
    lever = findings.raise_located(spread, m, companies_house=False, sheet=None, slug="placeton")
    assert "Companies House" in lever and "£2k" in lever and "66.7% of unlocated spend" in lever
    # An address-check sheet of 25 unresolved suppliers (£2,500) beats it; located rows on it do not count.
    keys = [f"k{i}" for i in range(70, 95)] + [f"k{i}" for i in range(5)]
    sheet = pd.DataFrame({"supplier_key": keys, "resolved_by": ["unresolved"] * 25 + ["identifier"] * 5})
    lever = findings.raise_located(spread, m, companies_house=False, sheet=sheet, slug="placeton")
    assert "the 25 largest unlocated suppliers (£2k, 83.3% of unlocated spend)" in lever
    assert "data/processed/placeton/address-check.csv" in lever
    # The sheet is of the baseline year: on another year's page its suppliers count that year's
    # pounds (a sheet's own figures once made 110% of a later year's unlocated spend).
    later = spread[~spread["supplier_key"].isin([f"k{i}" for i in range(85, 95)])]
    assert findings.on_the_sheet(later, sheet) == (15, 150_000)
    lever = findings.raise_located(later, findings.measures(later, [1, 2]), True, sheet, "placeton")
    assert "the 15 largest unlocated suppliers (£2k, 75.0% of unlocated spend)" in lever
    # With Companies House already used, the sheet is the lever even when smaller.
    lever = findings.raise_located(spread, m, companies_house=True, sheet=sheet.head(3), slug="placeton")
    assert "the 3 largest unlocated suppliers" in lever
    located = _year([{"key": "a", "pence": 100, "geo": "place"}])
    assert findings.raise_located(located, findings.measures(located, [1]), False, None, "x") == (
        "Every pound was located."
    )


def test_caveats_flag_partial_years_and_dominant_suppliers(spread):
    m = findings.measures(spread, [1, 2])
    assert findings.caveats(spread, m, "Placeton", "2012/13") == []
    partial = _year([{"key": f"k{i}", "pence": 10_000, "geo": g} for i, g in enumerate(GEOS)], months=9)
    said = findings.caveats(partial, findings.measures(partial, [1, 2]), "Placeton", "2012/13")
    assert said == ["Partial year: the ledgers cover 9 of 12 months of 2012/13; figures are not annualised."]
    big = _year(
        [
            {"key": "big", "pence": 900_000, "geo": "outside"},
            *[{"key": f"k{i}", "pence": 10_000, "geo": g} for i, g in enumerate(GEOS)],
        ]
    )
    said = findings.caveats(big, findings.measures(big, [1, 2]), "Placeton", "2012/13")
    assert said == ["A few suppliers dominate: the largest payee has 47.4% of the spend."]
    # Under a tenth of all spend, but most of the pounds placed in the place: said in pounds (the
    # share of located spend is the central figure, often withheld).
    local = _year(
        [
            {"key": "leisure", "pence": 100_000, "geo": "place"},
            *[{"key": f"k{i}", "pence": 10_000, "geo": g} for i, g in enumerate(GEOS)],
        ]
    )
    said = findings.caveats(local, findings.measures(local, [1, 2]), "Placeton", "2012/13")
    assert said == ["One supplier holds 50.0% of the £2k placed in Placeton: the Placeton figures move with it."]


def test_per_anchor_breakdowns_only_with_more_than_one_anchor():
    one = pd.DataFrame({"anchor": ["All anchors", "A", "A"], "x": [1, 2, 3]})
    assert findings.several_anchors(one) is None
    two = pd.DataFrame({"anchor": ["A", "B"], "x": [1, 2]})
    assert findings.several_anchors(two) is two


def test_the_opening_screen_links_each_finding_to_its_section(spread):
    defs = _defs()
    hostile = spread.assign(supplier_name=spread["supplier_name"].where(spread.index > 0, "<script>x</script> Ltd"))
    brief = findings.baseline_brief(hostile, hostile, defs, "2012/13", companies_house=False)
    assert len(brief.findings) == 3 and brief.next_steps
    page = summary_page.opening_html(brief, "Placeton", "Widershire")
    assert "<script" not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert "#2.-Geography" in hrefs and "#6.-Suppliers" in hrefs and "03_next_steps.html#1.-Leakage" in hrefs
    assert "Between 10.0% and 40.0%" in page and "Located: 70.0%" in page
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1)).decode()
    assert svg.count("<rect") == 8 and "Placeton, bounds: 10.0% to 40.0%" in svg
    assert summary_page.anchor("8. Re-spend (LM3)") == "8.-Re-spend-(LM3)"


def test_the_change_page_opens_with_the_change_in_pounds_on_the_months_compared(spread):
    # 2013/14: the same suppliers a year on, one place supplier paid £400 more; only April to
    # December covered, so 2012/13 is compared on those nine months too.
    later = spread.copy()
    later["payment_date"] = later["payment_date"] + pd.DateOffset(years=1)
    later["financial_year"] = "2013/14"
    later.loc[later.index[0], "amount_pence"] += 40_000
    later = later[later["payment_date"].dt.month.isin([4, 5, 6, 7, 8, 9, 10, 11, 12])]
    both = pd.concat([spread, later], ignore_index=True)
    brief = findings.change_brief(both, both, _defs(), ["2012/13", "2013/14"], companies_house=False)
    assert brief.findings[0].text == (
        "2012/13 and 2013/14 are compared on the months covered in both: A on April to December (9 months) "
        "of each year: spend placed in Placeton £800 in 2012/13, £1k in 2013/14."
    )
