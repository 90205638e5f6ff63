"""The notebook context (`cwbtools.report.context`) and the texts a chart carries: what a notebook
writes goes through the one safe path, a missing input shows as a note, and a chart's caption and
alt text come from its data."""

from __future__ import annotations

import pandas as pd
import pytest

from cwbtools.paths import repo_root
from cwbtools.privacy import INDIVIDUALS_LABEL
from cwbtools.report import charts, present
from cwbtools.report.context import Missing, given, open_report

STANDIN_A = repo_root() / "tests" / "data" / "notebooks" / "standin-a.yml"


@pytest.fixture
def r(tmp_path):
    """A report on the stand-in city (no ledgers read: the tests below never touch its spend)."""
    report = open_report(STANDIN_A, year="2019/20", report_dir=tmp_path)
    report.shown = []
    report.show = report.shown.append
    report.coverage = "Based on hand-made figures."  # what `based_on` falls back to
    return report


def test_open_report_takes_the_years_the_notebooks_ask_for(tmp_path):
    assert open_report(STANDIN_A, report_dir=tmp_path).year == "2018/19"  # the baseline year
    assert open_report(STANDIN_A, report_dir=tmp_path, default_year="latest").year == "2019/20"
    change = open_report("tests/data/notebooks/standin-a.yml", years=None, report_dir=tmp_path)
    assert change.year is None and change.report_dir == tmp_path
    assert (change.place, change.wider) == ("Preston", "Lancashire")
    with pytest.raises(AttributeError, match="several years"):
        _ = change.year_spend


def test_a_table_is_written_through_the_safe_path_and_shown(r, tmp_path):
    df = pd.DataFrame(
        {
            "supplier_name": ["Jane Smith", "Acme Ltd"],
            "supplier_type": ["individual", "sme"],
            "spend_pence": [100, 200],
            "note": ["=HYPERLINK(1)", "x"],
        }
    )
    r.table(df, "Top suppliers", "Top <suppliers>")
    csv = (tmp_path / "data" / "top-suppliers.csv").read_text()
    present.table(df, "same", "t", "b", tmp_path)
    assert csv == (tmp_path / "data" / "same.csv").read_text(), "the context writes what present.table writes"
    assert "Jane Smith" not in csv and INDIVIDUALS_LABEL in csv and "'=HYPERLINK" in csv
    [shown] = r.shown
    assert "Top &lt;suppliers&gt;" in shown.data and "Based on hand-made figures." in shown.data
    assert 'href="data/top-suppliers.csv"' in shown.data


def test_a_chart_writes_its_data_and_shows_its_caption_and_alt_text(r, tmp_path):
    churn = pd.DataFrame(
        {
            "suppliers": ["continuing", "gained", "lost"],
            "count": [10, 4, 2],
            "change_pence": [150_00, 2_500_000_00, -40_000_00],
        }
    )
    chart = charts.churn_chart(churn, "Preston")
    r.chart(chart, "supplier-churn-chart", based_on="Two years of <ledgers>.")
    written = pd.read_csv(tmp_path / "data" / "supplier-churn-chart.csv")
    assert written["change_pence"].tolist() == churn["change_pence"].tolist()
    [shown] = r.shown
    html = shown.data
    assert f'alt="{chart.alt}"' in html and "<figcaption" in html
    assert f"<strong>{chart.caption}.</strong> Two years of &lt;ledgers&gt;." in html
    assert 'href="data/supplier-churn-chart.csv"' in html


def test_a_name_is_written_once_per_notebook(r):
    r.table(pd.DataFrame({"a": [1]}), "spend-by-lad", "t")
    with pytest.raises(ValueError, match="already written"):
        r.chart(charts.top_supplier_curve(pd.DataFrame({"rank": [1], "cumulative_share": [1.0]})), "Spend by LAD")


def test_a_missing_input_shows_as_its_note_and_nothing_is_written(r, tmp_path):
    notices = Missing("No contract notices: name the file as contracts_notices in the config.")
    called = []
    r.table(given(called.append, notices), "contract-awards", "Awards")
    r.chart(given(charts.churn_chart, notices, "Preston"), "churn")
    r.note(notices)
    assert called == [] and not (tmp_path / "data").exists()
    assert [m for m in r.shown] == [notices] * 3
    assert "cwb-missing" in notices._repr_html_() and "contracts_notices" in notices._repr_html_()
    assert given(len, [1, 2]) == 2


def test_the_summary_part_is_merged(r, tmp_path):
    r.summary({"change": {"from": "2018/19"}})
    r.summary({"change": {"to": "2019/20"}})
    assert (tmp_path / "summary.json").read_text().count("2019/20") == 1


# --------------------------------------------------------------------------------------------
# Captions and alt text come from the data


def _by_lad(first: str, pence: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lad_code": ["E07000123", "E09000033", ""],
            "lad_name": ["Preston", first, ""],
            "geo": ["place", "outside", "unlocated"],
            "spend_pence": [500_00, pence, 7],
            "share_of_total": [500_00 / (500_00 + pence), pence / (500_00 + pence), 0.0],
        }
    )


def test_a_chart_says_what_its_data_show():
    chart = charts.spend_by_lad(_by_lad("Westminster", 1_230_000_00))
    assert chart.caption == "The 2 districts receiving most located spend"
    assert chart.alt.startswith("Bar chart of the 2 districts")
    assert "the largest is Westminster (E09000033) with £1.2m (100.0% of all spend)" in chart.alt
    other = charts.spend_by_lad(_by_lad("Camden", 90_000_00))
    assert "the largest is Camden (E09000033) with £90k" in other.alt and other.alt != chart.alt
    assert f'alt="{chart.alt}"' in chart._repr_html_()


def test_every_chart_function_leaves_writing_to_the_context():
    import inspect

    functions = [
        f
        for name, f in vars(charts).items()
        if inspect.isfunction(f) and f.__module__.startswith(charts.__name__) and "Chart" in str(inspect.signature(f))
    ]
    assert len(functions) >= 14
    for func in functions:
        assert not {"report_dir", "csv_name"} & set(inspect.signature(func).parameters), func.__name__


def test_a_waterfall_alt_text_carries_each_step():
    dec = pd.DataFrame(
        [
            {
                "measure": "place",
                "anchor": "All anchors",
                "from": "2012/13",
                "to": "2016/17",
                "local_from_pence": 38_000_000_00,
                "total_effect_pence": -6_800_000_00,
                "share_effect_pence": 81_000_000_00,
                "local_to_pence": 112_200_000_00,
            }
        ]
    )
    chart = charts.decomposition_waterfall(dec, "place", "Preston")
    assert chart.caption == "Change in spend with suppliers in Preston, 2012/13 to 2016/17"
    assert chart.alt == (
        "Waterfall chart: spend with suppliers in Preston was £38m in 2012/13; total spend "
        "changing -£6.8m, the local share changing +£81m; £112m in 2016/17."
    )


def test_a_single_anchor_is_not_counted_as_one_of_many():
    row = {
        "total_pence": 1000,
        "place_pence": 100,
        "wider_pence": 300,
        "outside_pence": 100,
        "unlocated_pence": 600,
        "place_share": 0.25,
        "wider_share": 0.75,
        "located_share": 0.4,
    }
    head = pd.DataFrame([{"anchor": "All anchors", **row}, {"anchor": "Bolton Council", **row}])
    chart = charts.geography_shares(head, "Bolton", "Greater Manchester")
    # One anchor: one bar, named for it (a bar per anchor would repeat the total: issue 22).
    assert list(chart.data["anchor"]) == ["All anchors"]
    assert chart.caption.endswith("for the one anchor, Bolton Council")
    assert "1 anchor" not in chart.alt
    assert (
        "Bolton Council: 10.0% in Bolton, 20.0% rest of Greater Manchester, 10.0% outside Greater Manchester"
        in chart.alt
    )
    two = pd.concat([head, head.iloc[[1]].assign(anchor="Bolton Police")], ignore_index=True)
    assert len(charts.geography_shares(two, "Bolton", "Greater Manchester").data) == 3
