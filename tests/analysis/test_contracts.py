"""Contracts Finder notices: awards, SME share, local winners, contracts ending soon."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from cwbtools.analysis import contracts as cf
from cwbtools.city import inputs
from cwbtools.errors import CwbError


def _notice(i, status="awarded", value=1000.0, supplier="A Ltd", sme=None, awarded="2024-01-10", title="Job"):
    return {
        "id": f"n{i}",
        "title": title,
        "description": "",
        "organisation": "Council",
        "status": status,
        "notice_type": "Contract",
        "published_date": "2024-01-01",
        "deadline_date": "2023-12-01",
        "awarded_date": awarded if status == "awarded" else None,
        "value_low": value,
        "value_high": 0,
        "awarded_value": value if status == "awarded" else 0,
        "awarded_supplier": supplier if status == "awarded" else None,
        "awarded_to_sme": sme,
        "cpv_codes": "",
        "cpv_description": "",
        "region": "",
        "postcode": "pr12rl",
        "suitable_for_sme": True,
        "url": "",
    }


@pytest.fixture()
def small(tmp_path):
    notices = [
        _notice(1, value=100000.10, supplier="Big Co Limited", sme=False, title="Waste 2023-2026"),
        _notice(2, value=50000.05, supplier="Local Joinery Ltd", sme=True, awarded="2024-06-01"),
        _notice(3, value=25000.00, supplier="Mystery Partners", sme=None, awarded="2020-02-29"),
        _notice(4, status="closed", value=900000),
    ]
    path = tmp_path / "procurement.json"
    path.write_text(json.dumps({"meta": {"generated": "2025-03-01T10:00:00Z"}, "contracts": notices}))
    return path


def test_values_are_exact_pence(small):
    n = inputs.read_notices(small)
    assert list(n["awarded_value_pence"].iloc[:3]) == [10_000_010, 5_000_005, 2_500_000]
    assert pd.isna(n.loc[3, "awarded_value_pence"])
    assert n.loc[0, "postcode"] == "PR1 2RL"


def test_awards_and_sme_share(small):
    n = inputs.read_notices(small)
    a = cf.awards(n)
    assert list(a["notice_id"]) == ["n1", "n2", "n3"]
    s = cf.sme_share_of_awards(n).iloc[0]
    # Worked by hand: 3 awards, one with no SME flag, one SME of the two known.
    assert s["awards"] == 3 and s["awards_sme_flag_unknown"] == 1 and s["sme_awards"] == 1
    assert s["sme_share_of_awards"] == pytest.approx(0.5)
    assert s["sme_share_of_value"] == pytest.approx(5_000_005 / 15_000_015)
    assert s["awarded_pence"] == 17_500_015


def test_end_dates_stated_or_assumed(small):
    n = inputs.read_notices(small).set_index("notice_id")
    assert n.loc["n1", "end_date"] == date(2026, 12, 31)
    assert n.loc["n1", "end_basis"].startswith("stated")
    assert n.loc["n2", "end_date"] == date(2027, 6, 1)
    assert n.loc["n3", "end_date"] == date(2023, 2, 28)  # 29 Feb + 3 years
    assert pd.isna(n.loc["n4", "end_date"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Service 2022-25", date(2025, 12, 31)),
        ("Weeds (2024/25 to 2025/26)", date(2026, 3, 31)),
        ("running until 30th June 2028 will", date(2028, 6, 30)),
        ("support system until 2025", date(2025, 12, 31)),
        ("HCC 2015/129", None),
        ("Water Contract 2023", None),
    ],
)
def test_stated_end(text, expected):
    got = inputs.stated_end(text)
    assert (got[0] if got else None) == expected


def test_ending_soon(small):
    n = inputs.read_notices(small)
    soon = cf.ending_soon(n, date(2025, 3, 1), within_months=24)
    assert list(soon["notice_id"]) == ["n1"]  # ends Dec 2026; n2 ends June 2027, n3 ended 2023
    assert list(cf.ending_soon(n, date(2025, 3, 1), within_months=36)["notice_id"]) == ["n1", "n2"]
    assert inputs.data_date(small) == date(2025, 3, 1)


def test_local_winners(small):
    n = inputs.read_notices(small)
    suppliers = pd.DataFrame(
        {
            "supplier_name": ["LOCAL JOINERY LIMITED", "Big Co Ltd", "Big Co Ltd", "Big Co"],
            "lad_code": ["E07000123", "E09000001", "E09000001", "E07000117"],
            "individual": [False, False, False, False],
        }
    )
    located = cf.locate_winners(n, suppliers, ["E07000123"], ["E07000117"])
    geo = dict(zip(located["notice_id"], located["winner_geo"]))
    assert geo == {"n1": "outside", "n2": "place", "n3": "unknown"}
    table = cf.local_winners(located).set_index("winner_geo")
    assert table.loc["place", "awarded_pence"] == 5_000_005
    assert table.loc["wider", "awards"] == 0
    assert table["awarded_pence"].sum() == 17_500_015


def test_missing_or_bad_file(tmp_path):
    with pytest.raises(CwbError, match="not found"):
        inputs.read_notices(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CwbError, match="bad.json"):
        inputs.read_notices(bad)


def test_preston_notices(spend_dir):
    path = spend_dir / "preston-contracts" / "procurement.json"
    n = inputs.read_notices(path)
    stats = json.loads(path.read_text())["stats"]
    assert len(n) == stats["total_notices"]
    a = cf.awards(n)
    assert len(a) == stats["awarded_count"]
    # The publisher's own totals, to the penny.
    assert int(a["awarded_value_pence"].sum()) == round(stats["total_awarded_value"] * 100)
    assert cf.sme_share_of_awards(n).iloc[0]["sme_awards"] == stats["sme_awarded_count"]
    assert "&amp;" not in " ".join(a["awarded_supplier"])
