"""Charts of change over time (notebook 02)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...analysis.baseline import ALL_ANCHORS
from ._base import (
    GEO_COLOURS,
    OKABE_ITO,
    TITLE_Y,
    Chart,
    _figure,
    _finish,
    _grouped_bars,
    _new_figure,
    _pct,
    _plural,
    _points,
    _style,
    _tidy,
    _wrap,
    gbp_axis,
    gbp_label,
    pct_axis,
    signed_gbp,
)

# --------------------------------------------------------------------------------------------
# Change-over-time charts


def shares_over_time(
    mby: pd.DataFrame,
    boot_by_year: pd.DataFrame | None = None,
    place_name: str = "the place",
    wider_name: str = "the wider area",
    anchor: str = ALL_ANCHORS,
    title: str | None = None,
) -> Chart:
    """Place and wider-area shares by year for one anchor group (`change.measures_by_year`), with the
    bootstrap 95% interval as a band (`uncertainty.bootstrap_shares(by_year=True)`) and the bounds
    from unlocated spend as dotted lines."""
    data = mby[mby["anchor"] == anchor][
        [
            "year",
            "place_share",
            "place_share_lo",
            "place_share_hi",
            "wider_share",
            "wider_share_lo",
            "wider_share_hi",
            "located_share",
        ]
    ].copy()
    if boot_by_year is not None:
        b = boot_by_year[boot_by_year["anchor"] == anchor]
        for m in ["place_share", "wider_share"]:
            ci = b[b["measure"] == m].set_index("year")[["ci_lo", "ci_hi"]]
            data[f"{m}_ci_lo"] = data["year"].map(ci["ci_lo"])
            data[f"{m}_ci_hi"] = data["year"].map(ci["ci_hi"])
    x = np.arange(len(data))
    with _style():
        fig, ax = _figure(9, 4.8)
        for m, name, colour in [
            ("place_share", f"In {place_name}", GEO_COLOURS["place"]),
            ("wider_share", f"In {wider_name}", OKABE_ITO["green"]),
        ]:
            ax.plot(x, data[m], "o-", color=colour, label=name)
            if f"{m}_ci_lo" in data.columns:
                ax.fill_between(
                    x,
                    data[f"{m}_ci_lo"].astype(float),
                    data[f"{m}_ci_hi"].astype(float),
                    color=colour,
                    alpha=0.2,
                    label=f"{name}: 95% interval",
                )
            ax.plot(x, data[f"{m}_lo"], ":", color=colour, linewidth=1)
            ax.plot(x, data[f"{m}_hi"], ":", color=colour, linewidth=1, label=f"{name}: bounds")
        ax.set_xticks(x, data["year"])
        pct_axis(ax.yaxis)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Share of located spend")
        ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if title is None and len(data) >= 2:
        a, b_ = data.iloc[0], data.iloc[-1]
        title = (
            f"The share in {place_name} went from {_pct(a['place_share'])} in {a['year']} to "
            f"{_pct(b_['place_share'])} in {b_['year']}"
        )
    bands = boot_by_year is not None
    caption = (
        "Local shares by year"
        + (" with 95% bootstrap intervals (bands)" if bands else "")
        + " and bounds (dotted)"
        + ("" if anchor == ALL_ANCHORS else f", {anchor}")
    )
    alt = f"Line chart of the share of located spend in {place_name} and in {wider_name} by year"
    if len(data):
        a, b_ = data.iloc[0], data.iloc[-1]
        alt += (
            f", {a['year']} to {b_['year']} ({_plural(len(data), 'year')}): in {place_name} from "
            f"{_pct(a['place_share'])} to {_pct(b_['place_share'])}, in {wider_name} from "
            f"{_pct(a['wider_share'])} to {_pct(b_['wider_share'])}"
        )
    alt += ("; 95% intervals shown as bands" if bands else "") + "; bounds as dotted lines."
    return _finish(fig, ax, title or "Local shares by year", data, caption, alt)


def anchor_small_multiples(mby: pd.DataFrame, place_name: str = "the place", title: str | None = None) -> Chart | None:
    """One small panel per anchor: share in the place by year, with the bounds as a band. None
    with one anchor: its one panel would repeat the chart of all anchors."""
    data = mby[mby["anchor"] != ALL_ANCHORS][
        ["anchor", "year", "place_share", "place_share_lo", "place_share_hi", "total_pence"]
    ].copy()
    anchors = sorted(data["anchor"].unique())
    if len(anchors) < 2:
        return None
    years = sorted(data["year"].unique())
    n = len(anchors)
    cols = min(3, n)
    rows_n = int(np.ceil(n / cols))
    with _style():
        fig = _new_figure(3.2 * cols + 0.5, 2.6 * rows_n + 0.8)
        axes = fig.subplots(rows_n, cols, sharex=True, sharey=True, squeeze=False)
        for i, ax in enumerate(axes.flat):
            if i >= len(anchors):
                ax.set_visible(False)
                continue
            d = data[data["anchor"] == anchors[i]].set_index("year").reindex(years)
            x = np.arange(len(years))
            ax.fill_between(
                x,
                d["place_share_lo"].astype(float),
                d["place_share_hi"].astype(float),
                color=GEO_COLOURS["place"],
                alpha=0.15,
            )
            ax.plot(x, d["place_share"].astype(float), "o-", color=GEO_COLOURS["place"])
            ax.set_title("\n".join(_wrap(anchors[i], 30)[:2]), fontsize=9, y=TITLE_Y)
            ax.set_xticks(
                x, [y if len(years) <= 5 or j % 2 == 0 else "" for j, y in enumerate(years)], fontsize=7, rotation=45
            )
            pct_axis(ax.yaxis)
            ax.set_ylim(0, 1)
    latest = (
        data[data["year"] == years[-1]].sort_values(["place_share", "anchor"], ascending=[False, True])
        if years
        else data
    )
    if title is None and len(anchors) == 1:
        title = f"{anchors[0]}: share of located spend in {place_name} by year, with bounds"
    known = latest.dropna(subset=["place_share"])
    if title is None and len(known):
        top = known.iloc[0]
        title = f"In {years[-1]}, {top['anchor']} spent the largest share in {place_name} ({_pct(top['place_share'])})"
    title = title or "Share in the place by anchor"
    fig.suptitle("\n".join(_wrap(title, 90)), x=0.02, ha="left", fontsize=12, fontweight="bold")
    _tidy(fig)
    caption = f"Share in {place_name} by anchor and year; the band is the bounds from unlocated spend"
    alt = (
        f"Small multiples, one line chart per anchor ({len(anchors)}): the share of located "
        f"spend in {place_name} by year, with the bounds as a band"
    )
    if len(known) > 1:
        high, low = known.iloc[0], known.iloc[-1]
        alt += (
            f". In {years[-1]} the highest is {high['anchor']} ({_pct(high['place_share'])}), "
            f"the lowest {low['anchor']} ({_pct(low['place_share'])})"
        )
    elif len(known):
        alt += f". In {years[-1]}: {known.iloc[0]['anchor']}, {_pct(known.iloc[0]['place_share'])}"
    return Chart(fig, title, data, caption, alt + ".")


def decomposition_waterfall(
    dec: pd.DataFrame,
    measure: str = "place",
    area_name: str = "the place",
    anchor: str = ALL_ANCHORS,
    title: str | None = None,
) -> Chart:
    """Waterfall: local spend in the first year, + effect of total spend changing, + effect of the
    local share changing, = local spend in the later year (`change.decompose_local_change`)."""
    r = dec[(dec["measure"] == measure) & (dec["anchor"] == anchor)].iloc[0]
    steps = pd.DataFrame(
        {
            "step": [f"{r['from']}", "Total spend changed", "Local share changed", f"{r['to']}"],
            "pence": [r["local_from_pence"], r["total_effect_pence"], r["share_effect_pence"], r["local_to_pence"]],
        }
    )
    pounds = steps["pence"].astype(float) / 100
    bottoms = [0.0, pounds[0], pounds[0] + pounds[1], 0.0]
    heights = [pounds[0], pounds[1], pounds[2], pounds[3]]
    colours = [
        OKABE_ITO["grey"],
        OKABE_ITO["sky"] if pounds[1] >= 0 else OKABE_ITO["orange"],
        OKABE_ITO["blue"] if pounds[2] >= 0 else OKABE_ITO["vermillion"],
        OKABE_ITO["grey"],
    ]
    with _style():
        fig, ax = _figure(8, 4.8)
        ax.bar(steps["step"], heights, bottom=bottoms, color=colours, edgecolor="white")
        for i, (b, h) in enumerate(zip(bottoms, heights)):
            ax.text(
                i,
                b + h if h >= 0 else b,
                ("+" if i in (1, 2) and h >= 0 else "") + gbp_label(h),
                ha="center",
                va="bottom",
                fontsize=9,
            )
        gbp_axis(ax.yaxis)
        ax.set_ylabel(f"Spend with suppliers in {area_name}")
    change_gbp = (r["local_to_pence"] - r["local_from_pence"]) / 100
    title = title or (
        f"Spend in {area_name} changed by {signed_gbp(change_gbp)}: "
        f"{signed_gbp(r['total_effect_pence'] / 100)} from total spend changing, "
        f"{signed_gbp(r['share_effect_pence'] / 100)} from the local share changing"
    )
    who = "" if anchor == ALL_ANCHORS else f", {anchor}"
    caption = f"Change in spend with suppliers in {area_name}, {r['from']} to {r['to']}{who}"
    alt = (
        f"Waterfall chart: spend with suppliers in {area_name} was {gbp_label(pounds[0])} in {r['from']}; "
        f"total spend changing {signed_gbp(pounds[1])}, the local share changing {signed_gbp(pounds[2])}; "
        f"{gbp_label(pounds[3])} in {r['to']}."
    )
    return _finish(fig, ax, title, steps, caption, alt)


def shift_share_chart(
    shift: pd.DataFrame, sic: pd.DataFrame | Mapping[str, str] | None = None, top: int = 12, title: str | None = None
) -> Chart:
    """Per sector, the composition and localisation effects in share points (`change.shift_share`);
    sectors named from `sic` (the SIC reference table, or a mapping section -> name)."""
    if "in_shift_share" in shift.columns:  # no-SIC and unlocated spend are no sector: not drawn
        shift = shift[shift["in_shift_share"]]
    data = shift.copy()
    data["size"] = data["composition_effect"].abs() + data["localisation_effect"].abs()
    data = data.sort_values(["size", "sector"], ascending=[False, True], kind="mergesort").head(top)
    names = _section_names(sic)
    data["label"] = [f"{s} {names.get(s, '')}".strip()[:45] for s in data["sector"]]
    long = data.melt(
        id_vars="label",
        value_vars=["composition_effect", "localisation_effect"],
        var_name="effect",
        value_name="points",
    )
    long["effect"] = long["effect"].map(
        {
            "composition_effect": "Composition (spend moving between sectors)",
            "localisation_effect": "Localisation (local share within the sector)",
        }
    )
    with _style():
        fig, ax = _figure(9, 1.5 + 0.45 * max(len(data), 1))
        _grouped_bars(ax, long, "label", "points", "effect", [OKABE_ITO["orange"], OKABE_ITO["blue"]], horizontal=True)
        pct_axis(ax.xaxis, decimals=1)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("Contribution to the change in local share (percentage points)")
        ax.set_ylabel("")
        ax.legend(frameon=False, title=None, loc="lower right", fontsize=8)
    comp, loc = shift["composition_effect"].sum(), shift["localisation_effect"].sum()
    title = title or (
        f"{'Localisation within sectors' if abs(loc) >= abs(comp) else 'Spend moving between sectors'} "
        f"drove most of the change: {loc * 100:+.1f} points within sectors, {comp * 100:+.1f} from the mix"
    )
    caption = f"Composition and localisation effects for the {_plural(len(data), 'sector')} with the largest effects"
    alt = (
        f"Bar chart of the composition and localisation effects, in share points, for the "
        f"{_plural(len(data), 'sector')} with the largest effects. Over all sectors: {_points(loc)} from "
        f"localisation, {_points(comp)} from composition"
    )
    if len(data):
        big = data.iloc[0]
        alt += (
            f"; the largest is {big['sector']} {names.get(big['sector'], '')}".rstrip()
            + f" ({_points(big['localisation_effect'])} localisation, "
            f"{_points(big['composition_effect'])} composition)"
        )
    return _finish(fig, ax, title, data.drop(columns=["size", "label"]), caption, alt + ".")


def _section_names(sic: pd.DataFrame | Mapping[str, str] | None) -> Mapping[str, str]:
    if sic is None:
        return {}
    if isinstance(sic, pd.DataFrame):
        return dict(zip(sic["sic_section"], sic["sic_section_name"]))
    return sic


def trend_chart(trend, area_name: str = "the place", title: str | None = None) -> Chart:
    """Observed share per period (all anchors) with the fitted trend and its 95% interval
    (`change.local_share_trend`), and the policy start when modelled."""
    data = trend.fitted.copy()
    with _style():
        fig, ax = _figure(9, 4.5)
        ax.plot(data["start"], data["observed_share"], "o", color=OKABE_ITO["grey"], markersize=4, label="Observed")
        if "fitted_share" in data.columns:
            ax.plot(data["start"], data["fitted_share"], "-", color=OKABE_ITO["blue"], label="Model")
        if "fitted_share" in data.columns and data["fitted_ci_lo"].notna().any():
            ax.fill_between(
                data["start"],
                data["fitted_ci_lo"].astype(float),
                data["fitted_ci_hi"].astype(float),
                color=OKABE_ITO["blue"],
                alpha=0.2,
                label="95% interval",
            )
        if trend.policy:
            ax.axvline(
                pd.Timestamp(trend.policy["start"]), color=OKABE_ITO["vermillion"], linestyle="--", label="Policy start"
            )
        pct_axis(ax.yaxis)
        top = np.nanmax(
            np.r_[
                data["observed_share"].to_numpy(float),
                data.get("fitted_ci_hi", data["observed_share"]).to_numpy(float),
                0.05,
            ]
        )
        ax.set_ylim(0, min(1.0, top * 1.25))
        ax.set_ylabel(f"Share of located spend in {area_name}")
        ax.legend(frameon=False, fontsize=8)
    if title is None:
        if trend.slope and "ci_lo" not in trend.slope:  # descriptive: too few anchors for an interval
            title = (
                f"The share in {area_name} moved {trend.slope['points_per_year'] * 100:+.2f} points a year "
                f"(descriptive: {trend.anchors} anchor{'' if trend.anchors == 1 else 's'}, no test)"
            )
        elif trend.slope:
            s = trend.slope
            direction = "rose" if s["ci_lo"] > 0 else ("fell" if s["ci_hi"] < 0 else "showed no clear trend")
            title = (
                f"The share in {area_name} {direction}: {s['points_per_year'] * 100:+.2f} points a year "
                f"(95% interval {s['points_ci_lo'] * 100:+.2f} to {s['points_ci_hi'] * 100:+.2f})"
            )
        else:
            title = f"The share in {area_name} by {trend.frequency}: too few periods for a trend"
    modelled = "fitted_share" in data.columns and data["fitted_ci_lo"].notna().any()
    caption = (
        f"Share of located spend in {area_name}: observed"
        + (", model and 95% interval" if modelled else (", fitted line" if "fitted_share" in data.columns else ""))
        + (", with the policy start" if trend.policy else "")
    )
    alt = (
        f"Chart of the observed share of located spend in {area_name}, one dot per {trend.frequency} "
        f"({_plural(len(data), 'period')})"
        + (", with the fitted trend and its 95% interval as a band" if modelled else "")
        + (", and a line at the policy start" if trend.policy else "")
        + f". {title}."
    )
    return _finish(fig, ax, title, data, caption, alt)


def churn_chart(churn: pd.DataFrame, area_name: str = "the place", title: str | None = None) -> Chart:
    """Change in local spend from continuing suppliers, suppliers gained and suppliers lost
    (`change.supplier_churn`)."""
    data = churn.copy()
    data["change_gbp"] = data["change_pence"] / 100
    data["label"] = [f"{s.capitalize()} ({c:,})" for s, c in zip(data["suppliers"], data["count"])]
    with _style():
        fig, ax = _figure(8, 3.6)
        colours = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"] for v in data["change_gbp"]]
        ax.barh(data["label"][::-1], data["change_gbp"][::-1], color=colours[::-1])
        ax.axvline(0, color="black", linewidth=0.8)
        gbp_axis(ax.xaxis)
        ax.set_xlabel(f"Change in spend with suppliers in {area_name}")
    d = data.set_index("suppliers")
    gained, lost = int(d.loc["gained", "count"]), int(d.loc["lost", "count"])
    title = title or (
        f"{gained:,} local supplier{'s' if gained != 1 else ''} gained and {lost:,} lost; "
        f"continuing suppliers account for {'+' if d.loc['continuing', 'change_gbp'] >= 0 else ''}"
        f"{gbp_label(d.loc['continuing', 'change_gbp'])} of the change"
    )
    caption = f"Change in spend in {area_name} by continuing, gained and lost suppliers"
    each = [
        f"{s} suppliers ({c:,}) {signed_gbp(v)}"
        for s, c, v in zip(data["suppliers"], data["count"], data["change_gbp"])
    ]
    alt = f"Bar chart of the change in spend with suppliers in {area_name}: " + "; ".join(each) + "."
    return _finish(fig, ax, title, data.drop(columns="label"), caption, alt)
