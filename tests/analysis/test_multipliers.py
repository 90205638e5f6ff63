"""IOAT 2020 Type I output multipliers and the SIC 2007 -> IOAT mapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cwbtools.analysis import multipliers as m


@pytest.mark.parametrize(
    "sic_code, division, expected",
    [
        ("62020", None, "J62"),  # whole division
        ("41201", None, "F41, F42 & F43"),  # divisions joined in the IOAT
        ("43210", "43", "F41, F42 & F43"),
        ("06100", None, "B06 & B07"),
        ("12000", None, "C1101T1106 & C12"),  # tobacco joins alcoholic beverages
        ("11070", None, "C1107"),
        ("11010", None, "C1101T1106 & C12"),
        ("20150", None, "C20A"),  # split by class
        ("20160", None, "C20B"),
        ("20200", None, "C20C"),
        ("20412", None, "C204"),
        ("23510", None, "C235_6"),
        ("23700", None, "C23OTHER"),
        ("25400", None, "C254"),
        ("25110", None, "C25OTHER"),
        ("33150", None, "C3315"),
        ("33120", None, "C33OTHER"),
        ("35110", None, "D351"),
        ("35220", None, "D352_3"),
        ("49100", None, "H491_2"),
        ("49410", None, "H493T495"),
        ("68310", None, "L683"),
        ("68209", None, "L68BXL683"),  # never the imputed-rent industry
        ("69201", None, "M692"),
        ("87100", None, "Q87 & Q88"),
        ("88990", None, "Q87 & Q88"),
        ("1110", None, "A01"),  # Companies House code that lost its leading zero
        (None, "10", None),  # split division known only by division
        ("99000", None, None),  # no IOAT industry
        (None, None, None),
    ],
)
def test_ioat_code(sic_code, division, expected):
    assert m.ioat_code(sic_code, division) == expected


def test_mapping_covers_every_ioat_industry_but_imputed_rent(shared_data):
    table = m.load_multipliers()
    mapped = set(m.mapping_table()["ioat_code"].dropna())
    assert mapped <= set(table["ioat_code"]), mapped - set(table["ioat_code"])
    assert set(table["ioat_code"]) - mapped == {"L68A"}


def test_mapping_covers_every_sic_division(shared_data):
    sic = pd.read_csv(shared_data / "reference/sic2007/companies-house-sic-codes.tsv", sep="\t", dtype=str)
    codes = sic.iloc[:, 0].str.extract(r"(\d{5})")[0].dropna()
    unmapped = sorted({c for c in codes if m.ioat_code(c) is None and c[:2] not in ("98", "99")})
    assert unmapped == []


def test_multipliers_read_from_workbook(shared_data):
    table = m.load_multipliers()
    assert len(table) == 105
    got = dict(zip(table["ioat_code"], table["output_multiplier"]))
    # Values as printed in the workbook's Multipliers sheet, column P1 (Output).
    assert got["J62"] == pytest.approx(1.506, abs=5e-4)
    assert got["F41, F42 & F43"] == pytest.approx(2.121, abs=5e-4)
    assert got["T97"] == pytest.approx(1.0)
    assert table["output_multiplier"].between(1.0, 3.5).all()


def test_output_multiplier_is_leontief_column_sum(shared_data):
    """The P1 multiplier must be the Type I Leontief inverse's column sum: checks we read the
    right column, not just a plausible one."""
    raw = pd.read_excel(
        m.ioat_path(), sheet_name="Leontief", header=None, engine="openpyxl"
    )  # not the reader under test
    header = next(r for r in range(12) if raw.iloc[r, 1] == "SIC")
    codes = [m._clean_code(c) for c in raw.iloc[header, 2:] if isinstance(c, str)]
    body = raw.iloc[header + 3 : header + 3 + len(codes), 2 : 2 + len(codes)].astype(float).to_numpy()
    sums = dict(zip(codes, body.sum(axis=0)))
    table = m.load_multipliers()
    for code, value in zip(table["ioat_code"], table["output_multiplier"]):
        assert value == pytest.approx(sums[code], rel=1e-6), code


def test_sector_multipliers_fallbacks(shared_data):
    table = m.load_multipliers()
    got = dict(zip(table["ioat_code"], table["output_multiplier"]))
    weight = dict(zip(table["ioat_code"], table["output_gbp_m"]))
    frame = pd.DataFrame(
        {
            "sic_code": ["62020", None, None, None],
            "sic_division": ["62", "69", None, None],
            "sic_section": ["J", "M", "E", None],
        }
    )
    out = m.sector_multipliers(frame, table)
    assert list(out["multiplier_basis"]) == ["industry", "division average", "section average", "all-industry average"]
    assert out.loc[0, "output_multiplier"] == pytest.approx(got["J62"])
    legal, acct = "M691", "M692"
    expected = (got[legal] * weight[legal] + got[acct] * weight[acct]) / (weight[legal] + weight[acct])
    assert out.loc[1, "output_multiplier"] == pytest.approx(expected)
    e = ["E36", "E37", "E38", "E39"]
    expected_e = sum(got[c] * weight[c] for c in e) / sum(weight[c] for c in e)
    assert out.loc[2, "output_multiplier"] == pytest.approx(expected_e)


def test_indirect_pence_is_integer_and_exact():
    direct = pd.Series([100_000, 3], dtype="int64")
    mult = pd.Series([1.5, 2.5])
    out = m.indirect_pence(direct, mult)
    assert out.dtype == np.int64
    assert list(out) == [50_000, 4]  # 4.5 rounds half to even
