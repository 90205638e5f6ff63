"""Where every pound went: all kept spend through each exclusion to procurement spend (the base) and
to influenceable spend, as a waterfall (`analysis.base.where_every_pound`)."""

from __future__ import annotations

import pandas as pd

from ._base import OKABE_ITO, Chart, _figure, _finish, _pct, _style, gbp_axis, gbp_label

_TOTALS = {"All kept spend": OKABE_ITO["grey"], "Procurement spend (the base)": OKABE_ITO["blue"]}


def where_every_pound(table: pd.DataFrame, title: str | None = None) -> Chart:
    """Waterfall: all kept spend, minus each exclusion in the order applied, to procurement spend and
    then influenceable spend. Takes `base.where_every_pound` (all anchors); memo lines are not drawn."""
    steps = table[table["scope"] != "memo"]
    if "anchor" in steps.columns:
        steps = steps[steps["anchor"] == steps["anchor"].iloc[0]]
    steps = steps[(steps["scope"] == "") | (steps["spend_pence"] != 0)].reset_index(drop=True)
    pounds = steps["spend_pence"].astype(float) / 100
    is_total = steps["scope"] == ""
    bottoms, heights, running = [], [], 0.0
    for value, total in zip(pounds, is_total):
        if total:
            bottoms.append(0.0)
            heights.append(value)
            running = value
        else:
            bottoms.append(running + value)
            heights.append(-value)
            running += value
    colours = [
        _TOTALS.get(line, OKABE_ITO["green"]) if total else OKABE_ITO["orange"]
        for line, total in zip(steps["line"], is_total)
    ]
    with _style():
        fig, ax = _figure(9, 5.2)
        ax.bar(range(len(steps)), heights, bottom=bottoms, color=colours, edgecolor="white")
        for i, (b, h, v) in enumerate(zip(bottoms, heights, pounds)):
            ax.text(i, b + h, gbp_label(v), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(steps)))
        ax.set_xticklabels([s.replace(" (", "\n(") for s in steps["line"]], rotation=30, ha="right", fontsize=8)
        gbp_axis(ax.yaxis)
        ax.set_ylabel("Spend")
    total = float(pounds.iloc[0])
    base = float(pounds[steps["line"] == "Procurement spend (the base)"].iloc[0])
    share = base / total if total else float("nan")
    title = title or (
        f"{gbp_label(base)} of {gbp_label(total)} kept spend ({_pct(share)}) is procurement: the base every share is measured on"
    )
    caption = "Where every pound went: all kept spend through each exclusion to procurement and influenceable spend"
    removed = [f"{line} {gbp_label(-v)}" for line, v, t in zip(steps["line"], pounds, is_total) if not t]
    alt = (
        f"Waterfall chart: all kept spend {gbp_label(total)}; set aside: {'; '.join(removed) or 'nothing'}; "
        f"procurement spend {gbp_label(base)}; influenceable spend {gbp_label(float(pounds.iloc[-1]))}."
    )
    return _finish(fig, ax, title, steps, caption, alt)
