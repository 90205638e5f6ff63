"""How the charts are drawn (`report.charts`): without seaborn (and so without scipy) in the
kernel, in seaborn's look, each figure laid out once and drawn once per format."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from cwbtools.report import charts
from cwbtools.report.charts import _base


def test_importing_the_charts_leaves_seaborn_and_scipy_out():
    # A fresh interpreter: this one may have imported either for another test.
    code = "import sys, cwbtools.report.charts; print(sorted({'seaborn', 'scipy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_look_is_seaborns_whitegrid():
    sns = pytest.importorskip("seaborn")
    theirs = dict(sns.axes_style("whitegrid", {"grid.color": "#E6E6E6"}))
    theirs.pop("image.cmap")  # seaborn's own colormap: no chart uses a default colormap
    assert theirs == _base.WHITEGRID


def _bars(ax) -> list[tuple]:
    return sorted(
        (round(p.get_x(), 6), round(p.get_y(), 6), round(p.get_width(), 6), round(p.get_height(), 6))
        + tuple(np.round(p.get_facecolor(), 6))
        for p in ax.patches
        if p.get_width() or p.get_height()  # seaborn's zero-size legend proxies
    )


@pytest.mark.parametrize("horizontal", [False, True])
def test_grouped_bars_are_drawn_as_seaborn_drew_them(horizontal):
    sns = pytest.importorskip("seaborn")
    long = pd.DataFrame(
        {
            "cat": ["b", "a", "c", "b", "a", "c"] if horizontal else [3, 1, 2, 3, 1, 2],
            "value": [0.3, -0.1, 0.2, 0.05, 0.4, 0.0],
            "level": ["first"] * 3 + ["second"] * 3,
        }
    )
    colours = [charts.OKABE_ITO["blue"], charts.OKABE_ITO["orange"]]
    axes = []
    for draw in ("seaborn", "ours"):
        with _base._style():
            ax = Figure().add_subplot()
            if draw == "seaborn":
                xy = {"y": "cat", "x": "value"} if horizontal else {"x": "cat", "y": "value"}
                sns.barplot(data=long, **xy, hue="level", palette=colours, ax=ax)
            else:
                _base._grouped_bars(ax, long, "cat", "value", "level", colours, horizontal=horizontal)
            ax.legend()
        axes.append(ax)
    theirs, ours = axes
    assert _bars(ours) == _bars(theirs)
    axis = "y" if horizontal else "x"
    for get in (f"get_{axis}lim", f"get_{axis}ticks"):
        assert list(getattr(ours, get)()) == list(getattr(theirs, get)())
    labels = [[t.get_text() for t in getattr(a, f"get_{axis}ticklabels")()] for a in axes]
    assert labels[0] == labels[1] == (["b", "a", "c"] if horizontal else ["1", "2", "3"])
    assert [t.get_text() for t in ours.get_legend().get_texts()] == ["first", "second"]
    assert not any(line.get_visible() for line in getattr(ours, f"{axis}axis").get_gridlines())


def test_a_chart_is_laid_out_once_and_drawn_once_per_format(monkeypatch):
    draws = []
    real = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda self, renderer: draws.append(type(renderer).__name__) or real(self, renderer)
    )
    chart = charts.top_supplier_curve(pd.DataFrame({"rank": [1, 2, 3], "cumulative_share": [0.5, 0.8, 1.0]}))
    assert chart.svg.startswith(b"<?xml")
    # No layout engine left behind: with one, each savefig draws the whole figure once more first.
    assert chart.figure.get_layout_engine() is None
    assert draws == ["RendererAgg", "MixedModeRenderer"]  # the PNG, the SVG


def test_the_shares_title_gives_the_range_when_the_central_share_is_withheld():
    """Oldham's headline chart read "n/a of located spend went to suppliers in Oldham": a withheld
    central figure is said as its range instead."""
    from cwbtools.analysis.baseline import ALL_ANCHORS
    from cwbtools.report.charts.baseline import _shares_title

    row = pd.Series(
        {
            "anchor": ALL_ANCHORS,
            "place_share": None,
            "wider_share": None,
            "located_share": 0.254,
            "place_share_lo": 0.074,
            "place_share_hi": 0.998,
        }
    )
    title = _shares_title(row, "Oldham", "Greater Manchester")
    assert title.startswith("Between 7.4% and 99.8% of spend went to suppliers in Oldham") and "n/a" not in title
    central = _shares_title(pd.Series({**row.to_dict(), "place_share": 0.1, "wider_share": 0.2}), "Oldham", "GM")
    assert central.startswith("10.0% of located spend went to suppliers in Oldham, 20.0% in GM")
