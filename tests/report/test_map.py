"""The map of where the money went (`analysis.districts`, `report.charts.map`): spend added up to
postcode districts, never a payee's point, never a person; drawn in under 2 s, its SVG under 1 MB."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
from conftest import require_built

from cwbtools.analysis import base, baseline, districts
from cwbtools.config import load_config
from cwbtools.paths import processed_dir, repo_root
from cwbtools.privacy import individual_rows
from cwbtools.report import charts

CENTRES = pd.DataFrame(
    {
        "postcode_district": ["PR1", "PR2", "BB1", "LS1"],
        "easting": [354000, 353000, 368000, 430000],
        "northing": [429000, 432000, 428000, 433000],
        "postcodes": [900, 1200, 800, 700],
        "lad_code": ["E07000123", "E07000123", "E06000008", "E08000035"],
    }
)
OUTLINE = pd.DataFrame(
    {
        "lad_code": ["E07000123", "E07000123", "E06000008", "E08000035", "E08000035"],
        "easting_km": [353, 354, 368, 430, 431],
        "northing_km": [429, 432, 428, 433, 433],
        "postcodes": [40, 30, 20, 10, 5],
    }
)


def _spend(rows):
    cols = ["supplier_key", "amount_pence", "geo", "lad_code", "supplier_type", "individual"]
    return pd.DataFrame(rows, columns=cols)


def _suppliers(rows):
    return pd.DataFrame(rows, columns=["supplier_key", "postcode", "postcode_district"])


SPEND = _spend(
    [
        ("a", 1000, "place", "E07000123", "sme", False),
        ("a", 500, "place", "E07000123", "sme", False),
        ("b", 700, "place", "E07000123", "large", False),
        ("c", 300, "wider", "E06000008", "sme", False),  # district only, from the ledger
        ("d", 9000, "outside", "E08000035", "large", False),
        ("e", 400, "outside", "S12000036", "sme", False),  # a district with no centre: not drawn
        ("f", 100, "unlocated", None, "unknown", False),
        # An individual located in PR2, where no organisation is: no circle may stand for them.
        ("individual", 5000, "place", "E07000123", "individual", True),
        ("g", 800, "place", "E07000123", "sme", True),  # flagged individual whatever its type
    ]
)
SUPPLIERS = _suppliers(
    [
        ("a", "PR1 2AB", None),
        ("b", "PR1 3CD", None),
        ("c", None, "BB1"),
        ("d", "LS1 4DY", None),
        ("e", "EH99 1SP", None),
        ("f", None, None),
        ("individual", "PR2 8XX", None),
        ("g", "PR2 9YY", None),
    ]
)


def test_spend_is_added_up_by_district_without_individuals():
    got = districts.spend_by_district(SPEND, SUPPLIERS, CENTRES)
    assert got["postcode_district"].tolist() == ["LS1", "PR1", "BB1"]  # largest first; no PR2: only individuals there
    pr1 = got.set_index("postcode_district").loc["PR1"]
    assert (pr1["spend_pence"], pr1["suppliers"], pr1["payments"], pr1["geo"]) == (2200, 2, 3, "place")
    assert (pr1["easting"], pr1["northing"]) == (354000, 429000)  # the district's centre, not a payee's
    assert got.set_index("postcode_district").loc["BB1", "spend_pence"] == 300  # placed by the ledger's district
    assert got.attrs == {
        "located_pence": 11900,
        "mapped_pence": 11500,
        "no_district_pence": 400,
        "few_suppliers_pence": 0,
    }
    assert got["share_of_mapped"].sum() == pytest.approx(1.0)
    assert list(got.columns) == districts.DISTRICT_COLUMNS  # no name, no postcode: nothing to find a payee by


def test_districts_with_too_few_suppliers_are_left_out():
    got = districts.spend_by_district(SPEND, SUPPLIERS, CENTRES, min_suppliers=2)
    assert got["postcode_district"].tolist() == ["PR1"]
    assert got.attrs["few_suppliers_pence"] == 9300 and got.attrs["mapped_pence"] == 2200
    with pytest.raises(ValueError, match="at least 1"):
        districts.spend_by_district(SPEND, SUPPLIERS, CENTRES, min_suppliers=0)


def test_a_district_takes_the_geography_of_most_of_its_spend():
    spend = _spend([("a", 100, "place", "E1", "sme", False), ("b", 300, "wider", "E2", "sme", False)])
    sups = _suppliers([("a", "PR1 1AA", None), ("b", "PR1 9ZZ", None)])
    got = districts.spend_by_district(spend, sups, CENTRES)
    assert got.loc[0, "geo"] == "wider" and got.loc[0, "suppliers"] == 2


def test_squares_of_areas_and_coarser_grids():
    land = districts.areas(OUTLINE, ["E07000123"], ["E07000123", "E06000008"])
    assert land["area"].tolist() == ["place", "place", "wider", "outside", "outside"]
    assert len(districts.squares(land, ["place"])) == 2 and len(districts.squares(land, ["outside"])) == 2
    gb = districts.squares(land, km=5)
    assert sorted(zip(gb["easting_km"], gb["northing_km"])) == [(350, 425), (350, 430), (365, 425), (430, 430)]
    assert gb.attrs["km"] == 5


def _svg(chart) -> bytes:
    out = io.BytesIO()
    chart.figure.savefig(out, format="svg", bbox_inches="tight")
    return out.getvalue()


def test_map_on_hand_made_districts():
    by_district = districts.spend_by_district(SPEND, SUPPLIERS, CENTRES)
    land = districts.areas(OUTLINE, ["E07000123"], ["E07000123", "E06000008"])
    chart = charts.where_the_money_went(by_district, land, "Preston", "Lancashire")
    assert chart.title.startswith("Located spend reached 3 postcode districts; the most went to LS1")
    assert "19.1% in Preston, 2.6% in the rest of Lancashire, 78.3% outside Lancashire" in chart.alt
    assert "£4 of located spend (3.4%) has no postcode district" in chart.caption
    assert chart.data is by_district and chart.png.startswith(b"\x89PNG")
    assert b"<svg" in _svg(chart)


def test_ward_ranking_leaves_the_unknown_ward_to_the_caption():
    by_ward = pd.DataFrame(
        {
            "ward_code": ["E05000002", "E05000001", ""],
            "ward_name": ["Fishwick", "Brookfield", "(ward not known)"],
            "spend_pence": [300_000, 500_000, 100_000],
            "share_of_place": [0.333, 0.556, 0.111],
            "suppliers": [2, 3, 1],
        }
    )
    chart = charts.ward_ranking(by_ward, "Preston")
    assert chart.data["ward_name"].tolist() == ["Brookfield", "Fishwick"]
    assert chart.title == "Brookfield received more of the spend in Preston than any other ward: £5k (55.6%)"
    assert "£1k with suppliers whose ward is not known is not shown" in chart.caption
    assert "Brookfield £5k, Fishwick £3k" in chart.alt


def test_salford_map_is_fast_small_and_of_districts_only(built_reference):
    """Salford's built spend on the built reference: every circle is a district of organisations,
    drawn in under 2 s of CPU (wall time on a shared 2-core machine says more about the neighbours)
    with an SVG under 1 MB."""
    from cwbtools import reference

    folder = processed_dir() / "salford"
    require_built(folder / "spend.parquet", "salford")
    config = load_config(repo_root() / "configs" / "salford.yml")
    defs = config.analysis_definitions()
    spend = base.analysed(base.classify(pd.read_parquet(folder / "spend.parquet"), []), defs.base)
    spend = baseline.for_year(spend, config.baseline_year)
    suppliers = pd.read_parquet(folder / "suppliers.parquet")
    outline, centres = reference.load_outline(), reference.load_postcode_districts()

    started = time.process_time()
    by_district = districts.spend_by_district(spend, suppliers, centres)
    land = districts.areas(outline, config.place.lad_codes, config.wider_area.lad_codes)
    chart = charts.where_the_money_went(by_district, land, "Salford", "Greater Manchester")
    svg = _svg(chart)
    seconds = time.process_time() - started
    print(f"salford map: {seconds:.2f}s CPU, SVG {len(svg) / 1000:.0f} KB, {len(by_district)} districts")
    assert seconds < 2 and len(svg) < 1_000_000
    assert len(by_district) > 50 and (by_district["suppliers"] >= 1).all()
    assert by_district["easting"].notna().all()
    # The districts' spend is the located spend of organisations, every penny: none of an individual's.
    people = individual_rows(spend)
    organisations = spend[~people & spend["lad_code"].notna() & (spend["geo"] != "unlocated")]
    assert by_district.attrs["located_pence"] == organisations["amount_pence"].sum()
    assert by_district["spend_pence"].sum() == by_district.attrs["mapped_pence"]
    assert (
        by_district.attrs["mapped_pence"] + by_district.attrs["no_district_pence"]
        == organisations["amount_pence"].sum()
    )
    # Each circle sits at its district's centre, never at a postcode of its own.
    at = by_district.merge(centres, on="postcode_district", suffixes=("", "_centre"))
    assert (at["easting"] == at["easting_centre"]).all() and (at["northing"] == at["northing_centre"]).all()
