"""Charts of the next steps (notebook 03)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...formats import gbp
from ._base import (
    OKABE_ITO,
    Chart,
    _figure,
    _finish,
    _pct,
    _plural,
    _style,
    gbp_axis,
    gbp_label,
    pct_axis,
)

# --------------------------------------------------------------------------------------------
# Next-steps charts


def leakage_by_sector(table: pd.DataFrame, wider_name: str = "the wider area", n: int = 12) -> Chart:
    """Horizontal bars: leakage by sector (`nextsteps.leakage.by_sector`), largest first, titled
    with the largest leak."""
    data = table[table["leakage_pence"] > 0].head(n).copy()
    data["label"] = [f"{s} {name}"[:50] if s else name for s, name in zip(data["sector"], data["sector_name"])]
    with _style():
        fig, ax = _figure(9, 1.5 + 0.4 * max(len(data), 1))
        ax.barh(data["label"][::-1], (data["leakage_pence"] / 100)[::-1], color=OKABE_ITO["orange"])
        gbp_axis(ax.xaxis)
        ax.set_xlabel(f"Spend with suppliers outside {wider_name}")
    title = "Leakage by sector"
    if len(data):
        top = data.iloc[0]
        title = (
            f"{top['label'].strip()} leaks most: {gbp_label(top['leakage_pence'] / 100)} outside "
            f"{wider_name}, {top['leakage_share_of_sector']:.0%} of its located spend"
        )
    caption = f"Spend with suppliers outside {wider_name} in the {_plural(len(data), 'most leaking sector')}"
    alt = (
        f"Bar chart of the spend with suppliers outside {wider_name} in the "
        f"{_plural(len(data), 'most leaking sector')}, largest first"
    )
    if len(data):
        alt += (
            f"; the largest is {top['label'].strip()} with {gbp_label(top['leakage_pence'] / 100)} "
            f"({_pct(top['leakage_share_of_sector'])} of its located spend)"
        )
    return _finish(fig, ax, title, data.drop(columns="label"), caption, alt + ".")


def trajectory(traj: pd.DataFrame, area_name: str, scenario_name: str) -> Chart:
    """The share a year on the straight path to a scenario's target (`nextsteps.scenarios.trajectory`):
    its last uplift is the scenario's direct uplift, the same pounds as the scenarios table."""
    with _style():
        fig, ax = _figure(9, 4)
        x = np.arange(len(traj))
        ax.plot(x, traj["share"], "o-", color=OKABE_ITO["blue"])
        ax.plot(x[:1], traj["share"].iloc[:1], "o", color=OKABE_ITO["black"], label="start")
        ax.set_xticks(x, traj["financial_year"])
        pct_axis(ax.yaxis)
        ax.set_ylabel(f"Share of spend in {area_name}")
        ax.legend(frameon=False)
    a, b = traj.iloc[0], traj.iloc[-1]
    title = (
        f"'{scenario_name}': from {a['share']:.1%} in {a['financial_year']} to {b['share']:.1%} by "
        f"{b['financial_year']}, {gbp(b['uplift_pence'])} a year more in {area_name}"
    )
    caption = (
        f"Share of spend in {area_name}: from the scenario's starting share in {a['financial_year']}, a straight "
        f"path to the target of '{scenario_name}', in pounds of the scenario's own base total"
    )
    alt = (
        f"Line chart of the share of spend in {area_name} by year, {a['financial_year']} to "
        f"{b['financial_year']}: starting at {_pct(a['share'])}, then a straight line to {_pct(b['share'])}, "
        f"{gbp(b['uplift_pence'])} a year more in {area_name}."
    )
    return _finish(fig, ax, title, traj, caption, alt)
