"""The postcodes' grid references and what the reference build makes of them for the map: the
outline of Great Britain (1 km squares holding postcodes, by LAD) and postcode-district centres."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from cwbtools.reference import load_outline, load_postcode_districts, load_postcodes
from cwbtools.reference.postcodes import OUTLINE, POSTCODE_DISTRICTS, build_outline

PRESTON = "E07000123"


def test_live_postcodes_have_a_grid_reference_and_terminated_ones_none(built_reference):
    pcs = load_postcodes(["postcode", "terminated", "easting", "northing", "lad_code"])
    assert pcs["easting"].notna().eq(pcs["northing"].notna()).all()
    assert pcs.loc[pcs["terminated"], "easting"].isna().all()
    live = pcs[~pcs["terminated"]]
    # Code-Point (2025) lacks only the postcodes ended since the ONS file (2022) and a few without a point.
    assert live["easting"].notna().mean() > 0.98
    placed = live.dropna(subset=["easting"])
    assert placed["easting"].between(0, 700_000).all() and placed["northing"].between(0, 1_300_000).all()
    row = pcs.set_index("postcode").loc["PR1 2RL"]
    assert abs(row["easting"] - 353_900) < 1500 and abs(row["northing"] - 429_300) < 1500  # Preston centre


def test_outline_and_district_centres_are_light_and_in_place(built_reference):
    assert (built_reference / OUTLINE).stat().st_size < 1_000_000
    outline, centres = load_outline(), load_postcode_districts()
    assert list(outline.columns) == ["lad_code", "easting_km", "northing_km", "postcodes"]
    assert outline["postcodes"].sum() == load_postcodes(["easting"])["easting"].notna().sum()
    preston = outline[outline["lad_code"] == PRESTON]
    assert 100 < len(preston) < 200  # Preston is 142 km²
    pr1 = centres.set_index("postcode_district").loc["PR1"]
    assert pr1["lad_code"] == PRESTON
    assert (
        (preston["easting_km"] == pr1["easting"] // 1000) & (preston["northing_km"] == pr1["northing"] // 1000)
    ).any()
    assert 2500 < len(centres) < 3200 and centres["postcode_district"].is_unique
    assert not centres["postcode_district"].str.startswith("BT").any()


def test_build_outline_on_a_hand_made_table(tmp_path):
    pd.DataFrame(
        {
            "postcode": ["PR1 2AB", "PR1 2AD", "PR2 1AA", "AB1 0AA"],
            "lad_code": [PRESTON, PRESTON, PRESTON, "S12000033"],
            "terminated": [False, False, False, True],
            "easting": pd.array([354_100, 354_900, 352_000, None], dtype="Int32"),
            "northing": pd.array([429_200, 429_800, 431_500, None], dtype="Int32"),
        }
    ).to_parquet(tmp_path / "postcodes.parquet")
    assert build_outline(tmp_path / "postcodes.parquet") == {"outline": 2, "postcode_districts": 2}
    outline = pd.read_parquet(tmp_path / OUTLINE)
    assert outline.to_dict("list") == {
        "lad_code": [PRESTON, PRESTON],
        "easting_km": [352, 354],
        "northing_km": [431, 429],
        "postcodes": [1, 2],
    }
    centres = pd.read_parquet(tmp_path / POSTCODE_DISTRICTS).set_index("postcode_district")
    assert (centres.loc["PR1", "easting"], centres.loc["PR1", "northing"], centres.loc["PR1", "postcodes"]) == (
        354_500,
        429_500,
        2,
    )
    assert "AB1" not in centres.index  # a terminated postcode has no point, so no district centre


def test_grid_reference_columns_are_whole_metres(built_reference):
    schema = pq.read_schema(built_reference / "postcodes.parquet")
    assert str(schema.field("easting").type) == str(schema.field("northing").type) == "int32"
