"""Charts of the supply-chain baseline (notebook 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from ...analysis.baseline import ALL_ANCHORS
from ...schema import GEO_ORDER
from ._base import (
    GEO_COLOURS,
    OKABE_ITO,
    Chart,
    _figure,
    _finish,
    _grouped_bars,
    _listing,
    _pct,
    _plural,
    _style,
    gbp_axis,
    gbp_label,
    pct_axis,
)

# --------------------------------------------------------------------------------------------
# Baseline charts


def _shares_title(row: pd.Series, place_name: str, wider_name: str) -> str:
    """The finding: the central shares where the data allow one, else the range they lie in (a
    withheld central figure is never shown as n/a in a title)."""
    located = f"{_pct(row['located_share'])} of spend could be located"
    if pd.notna(row.get("place_share")) and pd.notna(row.get("wider_share")):
        return (
            f"{_pct(row['place_share'])} of located spend went to suppliers in {place_name}, "
            f"{_pct(row['wider_share'])} in {wider_name}; {located}"
        )
    if "place_share_lo" in row and pd.notna(row["place_share_lo"]):
        return (
            f"Between {_pct(row['place_share_lo'])} and {_pct(row['place_share_hi'])} of spend went to suppliers "
            f"in {place_name}, too uncertain for one figure; {located}"
        )
    return f"Too little spend located for a share in {place_name}; {located}"


def geography_shares(head: pd.DataFrame, place_name: str, wider_name: str, title: str | None = None) -> Chart:
    """Stacked bars per anchor (all anchors first): share of total spend with suppliers in the
    place, the rest of the wider area, outside, and not located. Takes `baseline.headline`. With
    one anchor only its total is drawn (a bar per anchor would repeat it), named for the anchor."""
    anchors_only = head.loc[head["anchor"] != ALL_ANCHORS, "anchor"].astype(str).tolist()
    if len(anchors_only) == 1:
        head = head[head["anchor"] == ALL_ANCHORS]
    data = pd.DataFrame({"anchor": head["anchor"]})
    total = head["total_pence"].astype(float).where(head["total_pence"] != 0)
    data[f"In {place_name}"] = head["place_pence"] / total
    data[f"Rest of {wider_name}"] = (head["wider_pence"] - head["place_pence"]) / total
    data[f"Outside {wider_name}"] = head["outside_pence"] / total
    data["Not located"] = head["unlocated_pence"] / total
    colours = [GEO_COLOURS[g] for g in GEO_ORDER]
    with _style():
        fig, ax = _figure(9, 1.2 + 0.55 * len(data))
        left = np.zeros(len(data))
        labels = (anchors_only if len(anchors_only) == 1 else data["anchor"].tolist())[::-1]
        for col, colour in zip(data.columns[1:], colours):
            vals = data[col].fillna(0).to_numpy()[::-1]
            ax.barh(labels, vals, left=left, color=colour, label=col, edgecolor="white")
            left = left + vals
        pct_axis(ax.xaxis)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Share of all spend")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    allrow = head[head["anchor"] == ALL_ANCHORS].iloc[0]
    title = title or _shares_title(allrow, place_name, wider_name)
    n = len(anchors_only)
    anchors = f"the one anchor, {anchors_only[0]}" if n == 1 else f"each of the {n} anchors"
    caption = (
        f"Share of all spend by where suppliers are, for {anchors}"
        if n == 1
        else f"Share of all spend by where suppliers are, for all anchors and {anchors}"
    )
    everyone = data[data["anchor"] == ALL_ANCHORS].iloc[0]
    parts = [f"{_pct(everyone[c])} {c[0].lower() + c[1:]}" for c in data.columns[1:]]
    bars = f"one bar for {anchors}" if n == 1 else f"one bar for all anchors and one for {anchors}"
    alt = (
        f"Stacked bar chart, {bars}: the share of all spend with suppliers in {place_name}, in the rest "
        f"of {wider_name}, outside {wider_name} and not located. "
        f"{anchors_only[0] if n == 1 else 'All anchors'}: {_listing(parts)}."
    )
    return _finish(fig, ax, title, data, caption, alt)


def spend_by_lad(by_lad: pd.DataFrame, top: int = 15, title: str | None = None) -> Chart:
    """The `top` districts by spend (from `baseline.spend_by_lad`), coloured by place / wider / outside."""
    data = by_lad[by_lad["lad_code"] != ""].sort_values("spend_pence", ascending=False, kind="mergesort").head(top)
    data = data.assign(
        spend_gbp=data["spend_pence"] / 100,
        label=[f"{n} ({c})" if n else c for n, c in zip(data["lad_name"], data["lad_code"])],
    )
    with _style():
        fig, ax = _figure(9, 1.2 + 0.35 * max(len(data), 1))
        ax.barh(
            data["label"][::-1],
            data["spend_gbp"][::-1],
            color=[GEO_COLOURS.get(g, "#999999") for g in data["geo"][::-1]],
        )
        gbp_axis(ax.xaxis)
        ax.set_xlabel("Spend")
        handles = [Rectangle((0, 0), 1, 1, color=GEO_COLOURS[g]) for g in ["place", "wider", "outside"]]
        ax.legend(handles, ["The place", "Rest of wider area", "Outside"], frameon=False, loc="lower right")
    first = data.iloc[0] if len(data) else None
    title = title or (
        f"More located spend went to {first['label']} ({gbp_label(first['spend_gbp'])}) than to any other district"
        if first is not None
        else "No spend could be located to a district"
    )
    caption = f"The {_plural(len(data), 'district')} receiving most located spend"
    alt = (
        f"Bar chart of the {_plural(len(data), 'district')} receiving most located spend, coloured by the place, "
        "the rest of the wider area and outside"
    )
    if first is not None:
        alt += (
            f"; the largest is {first['label']} with {gbp_label(first['spend_gbp'])} "
            f"({_pct(first['share_of_total'])} of all spend)"
        )
    return _finish(fig, ax, title, data.drop(columns="label"), caption, alt + ".")


def _stacked_geo(data: pd.DataFrame, label_col: str, ax, place_name: str, wider_name: str) -> None:
    parts = [
        ("place_pence", f"In {place_name}", "place"),
        ("rest_pence", f"Rest of {wider_name}", "wider"),
        ("outside_pence", f"Outside {wider_name}", "outside"),
        ("unlocated_pence", "Not located", "unlocated"),
    ]
    data = data.assign(rest_pence=data["wider_pence"] - data["place_pence"])
    labels = data[label_col].tolist()[::-1]
    left = np.zeros(len(data))
    for col, name, geo in parts:
        vals = (data[col] / 100).to_numpy(dtype=float)[::-1]
        ax.barh(labels, vals, left=left, color=GEO_COLOURS[geo], label=name, edgecolor="white")
        left = left + vals
    gbp_axis(ax.xaxis)
    ax.set_xlabel("Spend")
    ax.legend(ncol=2, frameon=False, loc="lower right")


def _stacked_alt(data: pd.DataFrame, label_col: str, what: str, place_name: str, wider_name: str) -> str:
    """Alt text of a `_stacked_geo` chart: what the bars are and the largest bar in numbers."""
    alt = (
        f"Stacked bar chart of spend by {what}, each bar split into {place_name}, the rest of {wider_name}, "
        "outside it and not located"
    )
    if len(data):
        top = data.sort_values("total_pence", ascending=False, kind="mergesort").iloc[0]
        local = (
            "none of it located"
            if pd.isna(top["place_share"])
            else f"{_pct(top['place_share'])} of its located spend in {place_name}"
        )
        alt += f"; the largest is {str(top[label_col]).strip()} with {gbp_label(top['total_pence'] / 100)}, {local}"
    return alt + "."


def sector_geography(
    by_sector: pd.DataFrame, place_name: str, wider_name: str, top: int = 12, title: str | None = None
) -> Chart:
    """The `top` sectors by spend (`baseline.spend_by_sector`), split by where the suppliers are."""
    data = by_sector.head(top).copy()
    data["label"] = [
        f"{s} {n}"[:45] if s and n != "(no SIC)" else n for s, n in zip(data["sector"], data["sector_name"])
    ]
    with _style():
        fig, ax = _figure(9, 1.5 + 0.4 * max(len(data), 1))
        _stacked_geo(data, "label", ax, place_name, wider_name)
    known = data[(data["sector"] != "") & data["place_share"].notna() & (data["total_pence"] > 0)]
    if title is None and len(known):
        best = known.sort_values(["place_share", "sector"], ascending=[False, True]).iloc[0]
        worst = known.sort_values(["wider_share", "sector"], ascending=[True, True]).iloc[0]
        title = (
            f"{best['sector_name']} is the most local of the largest sectors ({_pct(best['place_share'])} in "
            f"{place_name}); {worst['sector_name']} leaks most ({_pct(1 - worst['wider_share'])} outside "
            f"{wider_name})"
        )
    caption = f"Spend in the {_plural(len(data), 'largest sector')} and where the suppliers are"
    alt = _stacked_alt(data, "sector_name", f"sector (the {len(data)} largest)", place_name, wider_name)
    return _finish(fig, ax, title or "Spend by sector", data.drop(columns="label"), caption, alt)


def business_type_geography(by_type: pd.DataFrame, place_name: str, wider_name: str, title: str | None = None) -> Chart:
    """Spend by business type (`baseline.spend_by_business_type`), split by where the suppliers are."""
    data = by_type.copy()
    with _style():
        fig, ax = _figure(9, 1.5 + 0.45 * len(data))
        _stacked_geo(data, "business_type", ax, place_name, wider_name)
    sme = data[data["supplier_type"] == "sme"]
    if title is None:
        share = float(sme["share_of_total"].iloc[0]) if len(sme) else 0.0
        if share > 0:
            local = float(sme["place_share"].iloc[0])
            title = (
                f"SMEs received {_pct(share)} of all spend; {_pct(local)} of located SME spend stayed in {place_name}"
            )
        else:
            known = data[~data["supplier_type"].isin(["unknown", "sme"])].sort_values("total_pence", ascending=False)
            top = known.iloc[0] if len(known) else None
            title = "No supplier could be classified as an SME" + (
                f"; of the rest, {top['business_type'].split(' (')[0]} received most ({_pct(top['share_of_total'])} "
                "of all spend)"
                if top is not None
                else ""
            )
    caption = f"Spend by business type ({len(data)}) and where the suppliers are"
    alt = _stacked_alt(data, "business_type", "business type", place_name, wider_name)
    return _finish(fig, ax, title, data, caption, alt)


def deprivation_deciles(by_decile: pd.DataFrame, place_name: str, title: str | None = None) -> Chart:
    """Located spend across IMD deciles (`baseline.spend_by_decile`), beside the share of the place's
    own neighbourhoods in each decile when given."""
    data = by_decile.copy()
    long = data.melt(
        id_vars="imd_decile",
        value_vars=[c for c in ["share_of_spend_with_decile", "place_lsoa_share"] if c in data.columns],
        var_name="series",
        value_name="share",
    )
    long["series"] = long["series"].map(
        {
            "share_of_spend_with_decile": "Share of spend (suppliers' neighbourhood)",
            "place_lsoa_share": f"Share of {place_name}'s neighbourhoods",
        }
    )
    with _style():
        fig, ax = _figure(9, 4.5)
        _grouped_bars(ax, long, "imd_decile", "share", "series", [OKABE_ITO["blue"], OKABE_ITO["orange"]])
        pct_axis(ax.yaxis)
        ax.set_xlabel("IMD 2019 decile (1 = most deprived 10% of neighbourhoods in England)")
        ax.set_ylabel("Share")
        ax.legend(frameon=False, title=None)
    first2 = data.loc[data["imd_decile"].isin([1, 2]), "share_of_spend_with_decile"].sum()
    title = title or f"{_pct(first2)} of spend located to a neighbourhood went to the 20% most deprived in England"
    beside = "place_lsoa_share" in data.columns
    caption = "Located spend by IMD 2019 decile of the supplier's neighbourhood" + (
        f", beside the share of {place_name}'s neighbourhoods in each decile" if beside else ""
    )
    alt = (
        f"Bar chart over the {len(data)} IMD 2019 deciles (1 = most deprived): the share of located spend with "
        f"suppliers in each"
        + (f", beside the share of {place_name}'s neighbourhoods" if beside else "")
        + f". Deciles 1 and 2 received {_pct(first2)} of the spend"
    )
    if beside:
        alt += f" and hold {_pct(data.loc[data['imd_decile'].isin([1, 2]), 'place_lsoa_share'].sum())} of {place_name}'s neighbourhoods"
    return _finish(fig, ax, title, data, caption, alt + ".")


def interval_chart(
    rows: pd.DataFrame, title: str, benchmark_col: str | None = None, caption: str = "", alt: str = ""
) -> Chart:
    """Point estimates with their intervals. `rows`: label, share, lo, hi, and optionally ci_lo, ci_hi
    (drawn thick: a confidence interval) and a benchmark column (drawn as a diamond)."""
    data = rows.reset_index(drop=True)
    with _style():
        fig, ax = _figure(9, 1.3 + 0.6 * len(data))
        y = np.arange(len(data))[::-1]
        ax.hlines(
            y,
            data["lo"],
            data["hi"],
            color="#444444",
            linewidth=1.5,
            zorder=3,
            label="Bounds (unmeasured spend all out / all in)",
        )
        if "ci_lo" in data.columns:
            ax.hlines(
                y,
                data["ci_lo"],
                data["ci_hi"],
                color=OKABE_ITO["sky"],
                linewidth=9,
                alpha=0.7,
                zorder=2,
                label="95% confidence interval",
            )
        ax.plot(data["share"], y, "o", color=OKABE_ITO["blue"], label="Estimate", zorder=4)
        if benchmark_col and benchmark_col in data.columns:
            ax.plot(data[benchmark_col], y, "D", color=OKABE_ITO["vermillion"], label="National benchmark", zorder=5)
        ax.set_yticks(y, data["label"])
        pct_axis(ax.xaxis)
        ax.set_xlim(0, 1)
        ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _finish(fig, ax, title, data, caption, alt)


def benchmark_chart(bench: pd.DataFrame, place_name: str, title: str | None = None) -> Chart:
    """The place's local and SME shares with bounds against the national benchmarks
    (`baseline.benchmark_comparison`)."""
    rows = pd.DataFrame(
        {
            "label": bench["measure"],
            "share": bench["share"],
            "lo": bench["share_lo"],
            "hi": bench["share_hi"],
            "benchmark": bench["benchmark"],
            "verdict": bench["verdict"],
        }
    )
    local = bench.iloc[0]
    title = title or (
        f"{place_name}'s local share ({_pct(local['share'])}) against the national "
        f"{_pct(local['benchmark'])}: {local['verdict']}"
    )
    each = [
        f"{r['label']}: {_pct(r['share'])} (bounds {_pct(r['lo'])} to {_pct(r['hi'])}) against "
        f"{_pct(r['benchmark'])}, {r['verdict']}"
        for _, r in rows.iterrows()
    ]
    alt = "Dot chart of each share with its bounds and the national benchmark. " + "; ".join(each) + "."
    return interval_chart(
        rows,
        title,
        benchmark_col="benchmark",
        caption="Local and SME shares with bounds against the national benchmarks",
        alt=alt,
    )


MEASURE_LABELS = {
    "place_share": "In the place",
    "wider_share": "In the wider area",
    "sme_share": "With SMEs",
    "vcse_share": "With VCSEs",
    "deprived_share": "In the most deprived areas",
}


def share_intervals(sens: pd.DataFrame, place_name: str = "the place", title: str | None = None) -> Chart:
    """The place and wider-area shares for all anchors with their bounds (unlocated spend, and large
    firms placed by a head office) and the share with the five suppliers that move it most left out
    (`uncertainty.sensitivity`). A census: no confidence interval."""
    s = sens[sens["anchor"] == ALL_ANCHORS]
    top = max((c for c in s.columns if c.startswith("without_top_")), key=lambda c: int(c.rsplit("_", 1)[1]))
    rows = pd.DataFrame(
        {
            "label": s["measure"].map(MEASURE_LABELS),
            "share": s["share"],
            "lo": s["bounds_lo"],
            "hi": s["bounds_hi"],
            "without_top": s[top],
        }
    )
    place = rows.iloc[0]
    title = title or (
        f"The share in {place_name} is {_pct(place['share'])}; {_pct(place['lo'])} to {_pct(place['hi'])} "
        f"if all spend not placed for sure were outside or inside"
    )
    each = [
        f"{r['label']}: {_pct(r['share'])} (bounds {_pct(r['lo'])} to {_pct(r['hi'])}; "
        f"{_pct(r['without_top'])} without the {top.rsplit('_', 1)[1]} suppliers that move it most)"
        for _, r in rows.iterrows()
    ]
    alt = "Dot chart of the local shares for all anchors with their bounds: " + "; ".join(each) + "."
    return interval_chart(
        rows, title, caption="Local shares with bounds, all anchors (a census: no sampling interval)", alt=alt
    )


def top_supplier_curve(top: pd.DataFrame, title: str | None = None) -> Chart:
    """Cumulative share of spend over the top suppliers (`concentration.top_suppliers`)."""
    data = top[["rank", "cumulative_share"]].copy()
    with _style():
        fig, ax = _figure(9, 4)
        line = data.sort_values("rank", kind="mergesort")
        ax.plot(line["rank"], line["cumulative_share"], color=OKABE_ITO["blue"])
        pct_axis(ax.yaxis)
        ax.set_ylim(0, 1)
        ax.set_xlabel("Suppliers, largest first")
        ax.set_ylabel("Cumulative share of all spend")
    ten = data.loc[data["rank"] <= 10, "cumulative_share"].max() if len(data) else float("nan")
    title = title or f"The ten largest suppliers received {_pct(ten)} of all spend"
    n = len(data)
    caption = f"Cumulative share of spend over the {_plural(n, 'largest supplier')}"
    alt = (
        f"Line chart of the cumulative share of all spend over the {_plural(n, 'largest supplier')}, largest "
        f"first: the ten largest received {_pct(ten)}, all {n:,} received "
        f"{_pct(data['cumulative_share'].max() if n else float('nan'))}."
    )
    return _finish(fig, ax, title, data, caption, alt)
