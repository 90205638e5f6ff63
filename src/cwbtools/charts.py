"""Charts for the reports: seaborn / matplotlib, one function per chart, each taking the table an
analysis function returned.

Every chart uses the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies),
formats money as £ and shares as %, and is titled with the finding it shows (computed from the data
unless a title is given). With `report_dir` and `csv_name` it also writes the data it plots to
`<report_dir>/data/<csv_name>.csv`, as `present.table` does for tables. A chart is returned as a
`Chart`, which a notebook displays as an image with the title as its alt text (for screen readers)
and which never touches pyplot's global figure list, so nothing is drawn twice.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .analysis import ALL_ANCHORS, BUSINESS_TYPE_NAMES
from .privacy import for_readers
from .publish import write_csv
from .schema import GEO_ORDER

# Okabe & Ito (2008): safe for deuteranopia, protanopia and tritanopia, and distinct in greyscale order.
OKABE_ITO = {
    "blue": "#0072B2", "sky": "#56B4E9", "orange": "#E69F00", "green": "#009E73",
    "vermillion": "#D55E00", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000", "grey": "#999999",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "black")]
GEO_COLOURS = {"place": OKABE_ITO["blue"], "wider": OKABE_ITO["sky"], "outside": OKABE_ITO["orange"],
               "unlocated": "#C8C8C8"}
_SAFE = re.compile(r"[^a-z0-9_-]+")


def gbp_label(pounds: float, _pos: Any = None) -> str:
    """Axis label for pounds: £1.2bn, £38m, £950k, £120."""
    sign = "-" if pounds < 0 else ""
    v = abs(pounds)
    if v >= 1e9:
        return f"{sign}£{v / 1e9:.1f}bn"
    if v >= 1e6:
        return f"{sign}£{v / 1e6:.0f}m" if v >= 1e7 else f"{sign}£{v / 1e6:.1f}m"
    if v >= 1e3:
        return f"{sign}£{v / 1e3:.0f}k"
    return f"{sign}£{v:.0f}"


def signed_gbp(pounds: float) -> str:
    return ("+" if pounds >= 0 else "") + gbp_label(pounds)


def _pct(x: float) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{x * 100:.1f}%"


def gbp_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(gbp_label))


def pct_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


class Chart:
    """A finished chart: shows as a PNG with alt text in notebooks and exported HTML."""

    def __init__(self, figure: Figure, title: str, data: pd.DataFrame):
        self.figure, self.title, self.data = figure, title, data
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        self.png = buf.getvalue()
        plt.close(figure)

    def __repr__(self) -> str:
        # Plain-text viewers get the finding; no memory address, so executed notebooks stay stable.
        return f"Chart: {self.title}"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return f'<img class="cwb-chart" src="data:image/png;base64,{data}" alt="{html.escape(self.title)}"/>'

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.png)
        return path


def _save(df: pd.DataFrame, report_dir: str | Path | None, csv_name: str | None) -> None:
    if report_dir is None or not csv_name:
        return
    stem = _SAFE.sub("-", csv_name.lower()).strip("-")
    folder = Path(report_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(for_readers(df), folder / f"{stem}.csv")


def _figure(width: float = 9, height: float = 5) -> tuple[Figure, Any]:
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def _finish(fig: Figure, ax, title: str, data: pd.DataFrame, report_dir, csv_name) -> Chart:
    ax.set_title("\n".join(_wrap(title, 80)), loc="left", fontsize=12, fontweight="bold")
    sns.despine(fig=fig)
    fig.tight_layout()
    _save(data, report_dir, csv_name)
    return Chart(fig, title, data)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _style():
    return sns.axes_style("whitegrid", {"grid.color": "#E6E6E6"})


# --------------------------------------------------------------------------------------------
# Baseline charts


def geography_shares(head: pd.DataFrame, place_name: str, wider_name: str, title: str | None = None,
                     report_dir=None, csv_name: str | None = None) -> Chart:
    """Stacked bars per anchor (all anchors first): share of total spend with suppliers in the
    place, the rest of the wider area, outside, and not located. Takes `analysis.headline`."""
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
        labels = data["anchor"].tolist()[::-1]
        for col, colour in zip(data.columns[1:], colours):
            vals = data[col].fillna(0).to_numpy()[::-1]
            ax.barh(labels, vals, left=left, color=colour, label=col, edgecolor="white")
            left = left + vals
        pct_axis(ax.xaxis)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Share of all spend")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    allrow = head[head["anchor"] == ALL_ANCHORS].iloc[0]
    title = title or (f"{_pct(allrow['place_share'])} of located spend went to suppliers in {place_name}, "
                      f"{_pct(allrow['wider_share'])} in {wider_name}; "
                      f"{_pct(allrow['located_share'])} of spend could be located")
    return _finish(fig, ax, title, data, report_dir, csv_name)


def spend_by_lad(by_lad: pd.DataFrame, top: int = 15, title: str | None = None, report_dir=None,
                 csv_name: str | None = None) -> Chart:
    """The `top` districts by spend (from `analysis.spend_by_lad`), coloured by place / wider / outside."""
    data = by_lad[by_lad["lad_code"] != ""].sort_values("spend_pence", ascending=False, kind="mergesort").head(top)
    data = data.assign(spend_gbp=data["spend_pence"] / 100,
                       label=[f"{n} ({c})" if n else c for n, c in zip(data["lad_name"], data["lad_code"])])
    with _style():
        fig, ax = _figure(9, 1.2 + 0.35 * max(len(data), 1))
        ax.barh(data["label"][::-1], data["spend_gbp"][::-1], color=[GEO_COLOURS.get(g, "#999999") for g in data["geo"][::-1]])
        gbp_axis(ax.xaxis)
        ax.set_xlabel("Spend")
        handles = [plt.Rectangle((0, 0), 1, 1, color=GEO_COLOURS[g]) for g in ["place", "wider", "outside"]]
        ax.legend(handles, ["The place", "Rest of wider area", "Outside"], frameon=False, loc="lower right")
    first = data.iloc[0] if len(data) else None
    title = title or (f"More located spend went to {first['label']} ({gbp_label(first['spend_gbp'])}) than to any other district"
                      if first is not None else "No spend could be located to a district")
    return _finish(fig, ax, title, data.drop(columns="label"), report_dir, csv_name)


def _stacked_geo(data: pd.DataFrame, label_col: str, ax, place_name: str, wider_name: str) -> None:
    parts = [("place_pence", f"In {place_name}", "place"),
             ("rest_pence", f"Rest of {wider_name}", "wider"),
             ("outside_pence", f"Outside {wider_name}", "outside"),
             ("unlocated_pence", "Not located", "unlocated")]
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


def sector_geography(by_sector: pd.DataFrame, place_name: str, wider_name: str, top: int = 12,
                     title: str | None = None, report_dir=None, csv_name: str | None = None) -> Chart:
    """The `top` sectors by spend (`analysis.spend_by_sector`), split by where the suppliers are."""
    data = by_sector.head(top).copy()
    data["label"] = [f"{s} {n}"[:45] if s and n != "(no SIC)" else n for s, n in zip(data["sector"], data["sector_name"])]
    with _style():
        fig, ax = _figure(9, 1.5 + 0.4 * max(len(data), 1))
        _stacked_geo(data, "label", ax, place_name, wider_name)
    known = data[(data["sector"] != "") & data["place_share"].notna() & (data["total_pence"] > 0)]
    if title is None and len(known):
        best = known.sort_values(["place_share", "sector"], ascending=[False, True]).iloc[0]
        worst = known.sort_values(["wider_share", "sector"], ascending=[True, True]).iloc[0]
        title = (f"{best['sector_name']} is the most local of the largest sectors ({_pct(best['place_share'])} in "
                 f"{place_name}); {worst['sector_name']} leaks most ({_pct(1 - worst['wider_share'])} outside "
                 f"{wider_name})")
    return _finish(fig, ax, title or "Spend by sector", data.drop(columns="label"), report_dir, csv_name)


def business_type_geography(by_type: pd.DataFrame, place_name: str, wider_name: str, title: str | None = None,
                            report_dir=None, csv_name: str | None = None) -> Chart:
    """Spend by business type (`analysis.spend_by_business_type`), split by where the suppliers are."""
    data = by_type.copy()
    with _style():
        fig, ax = _figure(9, 1.5 + 0.45 * len(data))
        _stacked_geo(data, "business_type", ax, place_name, wider_name)
    sme = data[data["supplier_type"] == "sme"]
    if title is None:
        share = float(sme["share_of_total"].iloc[0]) if len(sme) else 0.0
        if share > 0:
            local = float(sme["place_share"].iloc[0])
            title = f"SMEs received {_pct(share)} of all spend; {_pct(local)} of located SME spend stayed in {place_name}"
        else:
            known = data[~data["supplier_type"].isin(["unknown", "sme"])].sort_values("total_pence", ascending=False)
            top = known.iloc[0] if len(known) else None
            title = ("No supplier could be classified as an SME" +
                     (f"; of the rest, {top['business_type'].split(' (')[0]} received most ({_pct(top['share_of_total'])} "
                      "of all spend)" if top is not None else ""))
    return _finish(fig, ax, title, data, report_dir, csv_name)


def deprivation_deciles(by_decile: pd.DataFrame, place_name: str, title: str | None = None, report_dir=None,
                        csv_name: str | None = None) -> Chart:
    """Located spend across IMD deciles (`analysis.spend_by_decile`), beside the share of the place's
    own neighbourhoods in each decile when given."""
    data = by_decile.copy()
    long = data.melt(id_vars="imd_decile", value_vars=[c for c in ["share_of_spend_with_decile", "place_lsoa_share"]
                                                          if c in data.columns], var_name="series", value_name="share")
    long["series"] = long["series"].map({"share_of_spend_with_decile": "Share of spend (suppliers' neighbourhood)",
                                         "place_lsoa_share": f"Share of {place_name}'s neighbourhoods"})
    with _style():
        fig, ax = _figure(9, 4.5)
        sns.barplot(data=long, x="imd_decile", y="share", hue="series",
                    palette=[OKABE_ITO["blue"], OKABE_ITO["orange"]][:long["series"].nunique()], ax=ax)
        pct_axis(ax.yaxis)
        ax.set_xlabel("IMD 2019 decile (1 = most deprived 10% of neighbourhoods in England)")
        ax.set_ylabel("Share")
        ax.legend(frameon=False, title=None)
    first2 = data.loc[data["imd_decile"].isin([1, 2]), "share_of_spend_with_decile"].sum()
    title = title or f"{_pct(first2)} of spend located to a neighbourhood went to the 20% most deprived in England"
    return _finish(fig, ax, title, data, report_dir, csv_name)


def interval_chart(rows: pd.DataFrame, title: str, report_dir=None, csv_name: str | None = None,
                   benchmark_col: str | None = None) -> Chart:
    """Point estimates with their intervals. `rows`: label, share, lo, hi, and optionally ci_lo, ci_hi
    (drawn thick: a confidence interval) and a benchmark column (drawn as a diamond)."""
    data = rows.reset_index(drop=True)
    with _style():
        fig, ax = _figure(9, 1.3 + 0.6 * len(data))
        y = np.arange(len(data))[::-1]
        ax.hlines(y, data["lo"], data["hi"], color="#444444", linewidth=1.5, zorder=3,
                  label="Bounds (unmeasured spend all out / all in)")
        if "ci_lo" in data.columns:
            ax.hlines(y, data["ci_lo"], data["ci_hi"], color=OKABE_ITO["sky"], linewidth=9, alpha=0.7, zorder=2,
                      label="95% confidence interval")
        ax.plot(data["share"], y, "o", color=OKABE_ITO["blue"], label="Estimate", zorder=4)
        if benchmark_col and benchmark_col in data.columns:
            ax.plot(data[benchmark_col], y, "D", color=OKABE_ITO["vermillion"], label="National benchmark", zorder=5)
        ax.set_yticks(y, data["label"])
        pct_axis(ax.xaxis)
        ax.set_xlim(0, 1)
        ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _finish(fig, ax, title, data, report_dir, csv_name)


def benchmark_chart(bench: pd.DataFrame, place_name: str, title: str | None = None, report_dir=None,
                    csv_name: str | None = None) -> Chart:
    """The place's local and SME shares with bounds against the national benchmarks
    (`analysis.benchmark_comparison`)."""
    rows = pd.DataFrame({"label": bench["measure"], "share": bench["share"], "lo": bench["share_lo"],
                         "hi": bench["share_hi"], "benchmark": bench["benchmark"], "verdict": bench["verdict"]})
    local = bench.iloc[0]
    title = title or (f"{place_name}'s local share ({_pct(local['share'])}) against the national "
                      f"{_pct(local['benchmark'])}: {local['verdict']}")
    return interval_chart(rows, title, report_dir, csv_name, benchmark_col="benchmark")


MEASURE_LABELS = {"place_share": "In the place", "wider_share": "In the wider area", "sme_share": "With SMEs",
                  "vcse_share": "With VCSEs", "deprived_share": "In the most deprived areas"}


def share_intervals(boot: pd.DataFrame, head: pd.DataFrame, title: str | None = None, report_dir=None,
                    csv_name: str | None = None) -> Chart:
    """The main shares for all anchors: estimate, bootstrap 95% interval and bounds
    (`uncertainty.bootstrap_shares` and `analysis.headline`)."""
    b = boot[boot["anchor"] == ALL_ANCHORS].set_index("measure")
    h = head[head["anchor"] == ALL_ANCHORS].iloc[0]
    rows = []
    for m, label in MEASURE_LABELS.items():
        if m not in b.index:
            continue
        key = m.replace("_share", "")
        rows.append({"label": label, "share": h[m], "lo": h[f"{key}_share_lo"], "hi": h[f"{key}_share_hi"],
                     "ci_lo": b.loc[m, "ci_lo"], "ci_hi": b.loc[m, "ci_hi"], "coverage": h[f"{key}_coverage"]})
    rows = pd.DataFrame(rows)
    place = rows.iloc[0]
    title = title or (f"The local share is {_pct(place['share'])} (95% interval {_pct(place['ci_lo'])} to "
                      f"{_pct(place['ci_hi'])}); {_pct(place['lo'])} to {_pct(place['hi'])} if all unlocated spend were outside or inside")
    return interval_chart(rows, title, report_dir, csv_name)


def top_supplier_curve(top: pd.DataFrame, title: str | None = None, report_dir=None, csv_name: str | None = None) -> Chart:
    """Cumulative share of spend over the top suppliers (`analysis.top_suppliers`)."""
    data = top[["rank", "cumulative_share"]].copy()
    with _style():
        fig, ax = _figure(9, 4)
        sns.lineplot(data=data, x="rank", y="cumulative_share", color=OKABE_ITO["blue"], ax=ax)
        pct_axis(ax.yaxis)
        ax.set_ylim(0, 1)
        ax.set_xlabel("Suppliers, largest first")
        ax.set_ylabel("Cumulative share of all spend")
    ten = data.loc[data["rank"] <= 10, "cumulative_share"].max() if len(data) else float("nan")
    title = title or f"The ten largest suppliers received {_pct(ten)} of all spend"
    return _finish(fig, ax, title, data, report_dir, csv_name)


# --------------------------------------------------------------------------------------------
# Change-over-time charts


def shares_over_time(mby: pd.DataFrame, boot_by_year: pd.DataFrame | None = None, place_name: str = "the place",
                     wider_name: str = "the wider area", anchor: str = ALL_ANCHORS, title: str | None = None,
                     report_dir=None, csv_name: str | None = None) -> Chart:
    """Place and wider-area shares by year for one anchor group (`change.measures_by_year`), with the
    bootstrap 95% interval as a band (`uncertainty.bootstrap_shares(by_year=True)`) and the bounds
    from unlocated spend as dotted lines."""
    data = mby[mby["anchor"] == anchor][["year", "place_share", "place_share_lo", "place_share_hi", "wider_share",
                                          "wider_share_lo", "wider_share_hi", "located_share"]].copy()
    if boot_by_year is not None:
        b = boot_by_year[boot_by_year["anchor"] == anchor]
        for m in ["place_share", "wider_share"]:
            ci = b[b["measure"] == m].set_index("year")[["ci_lo", "ci_hi"]]
            data[f"{m}_ci_lo"] = data["year"].map(ci["ci_lo"])
            data[f"{m}_ci_hi"] = data["year"].map(ci["ci_hi"])
    x = np.arange(len(data))
    with _style():
        fig, ax = _figure(9, 4.8)
        for m, name, colour in [("place_share", f"In {place_name}", GEO_COLOURS["place"]),
                                ("wider_share", f"In {wider_name}", OKABE_ITO["green"])]:
            ax.plot(x, data[m], "o-", color=colour, label=name)
            if f"{m}_ci_lo" in data.columns:
                ax.fill_between(x, data[f"{m}_ci_lo"].astype(float), data[f"{m}_ci_hi"].astype(float), color=colour,
                                alpha=0.2, label=f"{name}: 95% interval")
            ax.plot(x, data[f"{m}_lo"], ":", color=colour, linewidth=1)
            ax.plot(x, data[f"{m}_hi"], ":", color=colour, linewidth=1, label=f"{name}: bounds")
        ax.set_xticks(x, data["year"])
        pct_axis(ax.yaxis)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Share of located spend")
        ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if title is None and len(data) >= 2:
        a, b_ = data.iloc[0], data.iloc[-1]
        title = (f"The share in {place_name} went from {_pct(a['place_share'])} in {a['year']} to "
                 f"{_pct(b_['place_share'])} in {b_['year']}")
    return _finish(fig, ax, title or "Local shares by year", data, report_dir, csv_name)


def anchor_small_multiples(mby: pd.DataFrame, place_name: str = "the place", title: str | None = None,
                           report_dir=None, csv_name: str | None = None) -> Chart:
    """One small panel per anchor: share in the place by year, with the bounds as a band."""
    data = mby[mby["anchor"] != ALL_ANCHORS][["anchor", "year", "place_share", "place_share_lo", "place_share_hi",
                                               "total_pence"]].copy()
    anchors = sorted(data["anchor"].unique())
    years = sorted(data["year"].unique())
    n = max(len(anchors), 1)
    cols = min(3, n)
    rows_n = int(np.ceil(n / cols))
    with _style():
        fig = plt.figure(figsize=(3.2 * cols + 0.5, 2.6 * rows_n + 0.8))
        axes = fig.subplots(rows_n, cols, sharex=True, sharey=True, squeeze=False)
        for i, ax in enumerate(axes.flat):
            if i >= len(anchors):
                ax.set_visible(False)
                continue
            d = data[data["anchor"] == anchors[i]].set_index("year").reindex(years)
            x = np.arange(len(years))
            ax.fill_between(x, d["place_share_lo"].astype(float), d["place_share_hi"].astype(float),
                            color=GEO_COLOURS["place"], alpha=0.15)
            ax.plot(x, d["place_share"].astype(float), "o-", color=GEO_COLOURS["place"])
            ax.set_title("\n".join(_wrap(anchors[i], 30)[:2]), fontsize=9)
            ax.set_xticks(x, [y if len(years) <= 5 or j % 2 == 0 else "" for j, y in enumerate(years)], fontsize=7,
                          rotation=45)
            pct_axis(ax.yaxis)
            ax.set_ylim(0, 1)
        main = axes.flat[0]
    latest = data[data["year"] == years[-1]].sort_values(["place_share", "anchor"], ascending=[False, True]) if years else data
    if title is None and len(anchors) == 1:
        title = f"{anchors[0]}: share of located spend in {place_name} by year, with bounds"
    if title is None and len(latest) and latest["place_share"].notna().any():
        top = latest.dropna(subset=["place_share"]).iloc[0]
        title = f"In {years[-1]}, {top['anchor']} spent the largest share in {place_name} ({_pct(top['place_share'])})"
    title = title or "Share in the place by anchor"
    fig.suptitle("\n".join(_wrap(title, 90)), x=0.02, ha="left", fontsize=12, fontweight="bold")
    sns.despine(fig=fig)
    fig.tight_layout()
    _save(data, report_dir, csv_name)
    del main
    return Chart(fig, title, data)


def decomposition_waterfall(dec: pd.DataFrame, measure: str = "place", area_name: str = "the place",
                            anchor: str = ALL_ANCHORS, title: str | None = None, report_dir=None,
                            csv_name: str | None = None) -> Chart:
    """Waterfall: local spend in the first year, + effect of total spend changing, + effect of the
    local share changing, = local spend in the later year (`change.decompose_local_change`)."""
    r = dec[(dec["measure"] == measure) & (dec["anchor"] == anchor)].iloc[0]
    steps = pd.DataFrame({
        "step": [f"{r['from']}", "Total spend changed", "Local share changed", f"{r['to']}"],
        "pence": [r["local_from_pence"], r["total_effect_pence"], r["share_effect_pence"], r["local_to_pence"]],
    })
    pounds = steps["pence"].astype(float) / 100
    bottoms = [0.0, pounds[0], pounds[0] + pounds[1], 0.0]
    heights = [pounds[0], pounds[1], pounds[2], pounds[3]]
    colours = [OKABE_ITO["grey"], OKABE_ITO["sky"] if pounds[1] >= 0 else OKABE_ITO["orange"],
               OKABE_ITO["blue"] if pounds[2] >= 0 else OKABE_ITO["vermillion"], OKABE_ITO["grey"]]
    with _style():
        fig, ax = _figure(8, 4.8)
        ax.bar(steps["step"], heights, bottom=bottoms, color=colours, edgecolor="white")
        for i, (b, h) in enumerate(zip(bottoms, heights)):
            ax.text(i, b + h if h >= 0 else b, ("+" if i in (1, 2) and h >= 0 else "") + gbp_label(h),
                    ha="center", va="bottom", fontsize=9)
        gbp_axis(ax.yaxis)
        ax.set_ylabel(f"Spend with suppliers in {area_name}")
    change_gbp = (r["local_to_pence"] - r["local_from_pence"]) / 100
    title = title or (f"Spend in {area_name} changed by {signed_gbp(change_gbp)}: "
                      f"{signed_gbp(r['total_effect_pence'] / 100)} from total spend changing, "
                      f"{signed_gbp(r['share_effect_pence'] / 100)} from the local share changing")
    return _finish(fig, ax, title, steps, report_dir, csv_name)


def shift_share_chart(shift: pd.DataFrame, sic_names: dict[str, str] | None = None, top: int = 12,
                      title: str | None = None, report_dir=None, csv_name: str | None = None) -> Chart:
    """Per sector, the composition and localisation effects in share points (`change.shift_share`)."""
    data = shift.copy()
    data["size"] = data["composition_effect"].abs() + data["localisation_effect"].abs()
    data = data.sort_values(["size", "sector"], ascending=[False, True], kind="mergesort").head(top)
    names = sic_names or {}
    data["label"] = [f"{s} {names.get(s, '')}".strip()[:45] for s in data["sector"]]
    long = data.melt(id_vars="label", value_vars=["composition_effect", "localisation_effect"], var_name="effect",
                     value_name="points")
    long["effect"] = long["effect"].map({"composition_effect": "Composition (spend moving between sectors)",
                                         "localisation_effect": "Localisation (local share within the sector)"})
    with _style():
        fig, ax = _figure(9, 1.5 + 0.45 * max(len(data), 1))
        sns.barplot(data=long, y="label", x="points", hue="effect", palette=[OKABE_ITO["orange"], OKABE_ITO["blue"]], ax=ax)
        pct_axis(ax.xaxis, decimals=1)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("Contribution to the change in local share (percentage points)")
        ax.set_ylabel("")
        ax.legend(frameon=False, title=None, loc="lower right", fontsize=8)
    comp, loc = shift["composition_effect"].sum(), shift["localisation_effect"].sum()
    title = title or (f"{'Localisation within sectors' if abs(loc) >= abs(comp) else 'Spend moving between sectors'} "
                      f"drove most of the change: {loc * 100:+.1f} points within sectors, {comp * 100:+.1f} from the mix")
    return _finish(fig, ax, title, data.drop(columns=["size", "label"]), report_dir, csv_name)


def trend_chart(trend, area_name: str = "the place", title: str | None = None, report_dir=None,
                csv_name: str | None = None) -> Chart:
    """Observed share per period (all anchors) with the fitted trend and its 95% interval
    (`change.local_share_trend`), and the policy start when modelled."""
    data = trend.fitted.copy()
    with _style():
        fig, ax = _figure(9, 4.5)
        ax.plot(data["start"], data["observed_share"], "o", color=OKABE_ITO["grey"], markersize=4, label="Observed")
        if "fitted_share" in data.columns:
            ax.plot(data["start"], data["fitted_share"], "-", color=OKABE_ITO["blue"], label="Model")
            ax.fill_between(data["start"], data["fitted_ci_lo"].astype(float), data["fitted_ci_hi"].astype(float),
                            color=OKABE_ITO["blue"], alpha=0.2, label="95% interval")
        if trend.policy:
            ax.axvline(pd.Timestamp(trend.policy["start"]), color=OKABE_ITO["vermillion"], linestyle="--",
                       label="Policy start")
        pct_axis(ax.yaxis)
        top = np.nanmax(np.r_[data["observed_share"].to_numpy(float),
                              data.get("fitted_ci_hi", data["observed_share"]).to_numpy(float), 0.05])
        ax.set_ylim(0, min(1.0, top * 1.25))
        ax.set_ylabel(f"Share of located spend in {area_name}")
        ax.legend(frameon=False, fontsize=8)
    if title is None:
        if trend.slope:
            s = trend.slope
            direction = "rose" if s["ci_lo"] > 0 else ("fell" if s["ci_hi"] < 0 else "showed no clear trend")
            title = (f"The share in {area_name} {direction}: {s['points_per_year'] * 100:+.2f} points a year "
                     f"(95% interval {s['points_ci_lo'] * 100:+.2f} to {s['points_ci_hi'] * 100:+.2f})")
        else:
            title = f"The share in {area_name} by {trend.frequency}: too few periods for a trend"
    return _finish(fig, ax, title, data, report_dir, csv_name)


def churn_chart(churn: pd.DataFrame, area_name: str = "the place", title: str | None = None, report_dir=None,
                csv_name: str | None = None) -> Chart:
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
    title = title or (f"{gained:,} local supplier{'s' if gained != 1 else ''} gained and {lost:,} lost; "
                      f"continuing suppliers account for {'+' if d.loc['continuing', 'change_gbp'] >= 0 else ''}"
                      f"{gbp_label(d.loc['continuing', 'change_gbp'])} of the change")
    return _finish(fig, ax, title, data.drop(columns="label"), report_dir, csv_name)


def business_type_label(code: str) -> str:
    return BUSINESS_TYPE_NAMES.get(code, code)
