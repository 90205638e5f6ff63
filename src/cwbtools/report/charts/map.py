"""The map of where the money went, drawn without online tiles or boundary files: Great Britain and
the wider area as the grid squares that hold postcodes (`reference` `outline.parquet`), located
spend as circles at postcode-district centres (`analysis.districts.spend_by_district`: districts
only, never a payee's point, never a person); and, within the place, spend by ward as a ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ...analysis.districts import squares
from ._base import (
    GEO_COLOURS,
    TITLE_Y,
    Chart,
    _figure,
    _finish,
    _new_figure,
    _pct,
    _plural,
    _style,
    gbp_axis,
    gbp_label,
)

LAND = "#E4E4E4"
# Pale tints of the place and wider-area colours: the circles on top keep the full colours.
AREA_TINTS = {"wider": "#CFE8F7", "place": "#9CC3E0"}
GB_KM = 5  # Great Britain at 5 km squares; close up, land at 2 km (fewer holes in empty moors), areas at 1 km
ZOOM_LAND_KM = 2
MAX_AREA = {"gb": 260.0, "zoom": 900.0}  # points², the largest district's circle
LABELLED = 8
WIDER = ["place", "wider"]  # the wider area includes the place


def _grid(layers: list[pd.DataFrame], box: tuple[int, int, int, int], km: int) -> np.ndarray:
    """A raster of `box` (x0, y0, x1, y1 in km) at `km` squares: 0 empty, i + 1 where layer i has a square
    (later layers on top; a layer of coarser squares, `squares(..., km=)`, fills each whole)."""
    x0, y0, x1, y1 = box
    grid = np.zeros(((y1 - y0) // km + 1, (x1 - x0) // km + 1), dtype=np.int8)
    for value, cells in enumerate(layers, start=1):
        block = max(cells.attrs.get("km", km) // km, 1)
        for dx in range(block):
            for dy in range(block):
                ix = (cells["easting_km"].to_numpy() - x0) // km + dx
                iy = (cells["northing_km"].to_numpy() - y0) // km + dy
                inside = (ix >= 0) & (iy >= 0) & (ix < grid.shape[1]) & (iy < grid.shape[0])
                grid[iy[inside], ix[inside]] = value
    return grid


def _draw_land(ax, layers: list[pd.DataFrame], colours: list[str], box: tuple[int, int, int, int], km: int) -> None:
    grid = _grid(layers, box, km)
    x0, y0, x1, y1 = box
    ax.imshow(
        grid,
        origin="lower",
        extent=(x0, x1 + km, y0, y1 + km),
        cmap=ListedColormap(["#FFFFFF", *colours]),
        vmin=0,
        vmax=len(colours),
        interpolation="nearest",
    )


def _circles(ax, data: pd.DataFrame, top_pence: float, max_area: float) -> None:
    ax.scatter(
        data["easting"] / 1000,
        data["northing"] / 1000,
        s=max_area * data["spend_pence"] / top_pence,
        c=[GEO_COLOURS[g] for g in data["geo"]],
        alpha=0.8,
        edgecolors="#333333",
        linewidths=0.4,
        zorder=3,
    )


def _box(cells: pd.DataFrame, pad_km: int = 8) -> tuple[int, int, int, int]:
    """A square box around `cells` with a margin, in km."""
    x0, x1 = int(cells["easting_km"].min()), int(cells["easting_km"].max()) + 1
    y0, y1 = int(cells["northing_km"].min()), int(cells["northing_km"].max()) + 1
    half = max(x1 - x0, y1 - y0) / 2 + max(pad_km, 0.1 * max(x1 - x0, y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return int(cx - half), int(cy - half), int(np.ceil(cx + half)), int(np.ceil(cy + half))


def _round(pence: float) -> float:
    """One significant figure, for the circle-size key."""
    unit = 10 ** np.floor(np.log10(pence))
    return float(max(round(pence / unit), 1) * unit)


def where_the_money_went(
    by_district: pd.DataFrame,
    land: pd.DataFrame,
    place_name: str,
    wider_name: str,
    title: str | None = None,
) -> Chart:
    """Great Britain and, beside it, the wider area close up: a circle per postcode district at its
    centre, its area proportional to the located spend there (`districts.spend_by_district`),
    coloured by place / wider area / outside; the place's and the wider area's postcodes (`land`,
    from `districts.areas`) shaded."""
    data = by_district[by_district["easting"].notna() & by_district["northing"].notna()]
    gb = squares(land, km=GB_KM)
    wider_cells, place_cells = squares(land, WIDER), squares(land, ["place"])
    top_pence = float(data["spend_pence"].max()) if len(data) else 1.0
    fig = _new_figure(10, 6.6)
    grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.45], wspace=0.04)
    with _style():
        gb_ax = fig.add_subplot(grid[0])
        gb_box = (
            int(gb["easting_km"].min()),
            int(gb["northing_km"].min()),
            int(gb["easting_km"].max()),
            int(gb["northing_km"].max()),
        )
        _draw_land(
            gb_ax,
            [gb, squares(land, WIDER, km=GB_KM), squares(land, ["place"], km=GB_KM)],
            [LAND, AREA_TINTS["wider"], AREA_TINTS["place"]],
            gb_box,
            GB_KM,
        )
        _circles(gb_ax, data, top_pence, MAX_AREA["gb"])
        gb_ax.set_title("Great Britain", fontsize=10, loc="left", y=TITLE_Y)
        zoom_ax = fig.add_subplot(grid[1])
        area = wider_cells if len(wider_cells) else place_cells
        if len(area):
            box = _box(area)
            _draw_land(
                zoom_ax,
                [
                    squares(land[land["easting_km"].between(box[0], box[2])], km=ZOOM_LAND_KM),
                    wider_cells,
                    place_cells,
                ],
                [LAND, AREA_TINTS["wider"], AREA_TINTS["place"]],
                box,
                1,
            )
            near = data[
                (data["easting"] / 1000).between(box[0], box[2]) & (data["northing"] / 1000).between(box[1], box[3])
            ]
            _circles(zoom_ax, near, top_pence, MAX_AREA["zoom"])
            for _, row in near.head(LABELLED).iterrows():
                zoom_ax.annotate(
                    row["postcode_district"],
                    (row["easting"] / 1000, row["northing"] / 1000),
                    fontsize=7,
                    ha="center",
                    va="center",
                    zorder=4,
                )
            gb_ax.add_patch(
                Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1], fill=False, ec="#333333", lw=0.8)
            )
            zoom_ax.set_title(f"{wider_name}, close up", fontsize=10, loc="left", y=TITLE_Y)
        for ax in (gb_ax, zoom_ax):
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        keys = [_round(top_pence / 4), _round(top_pence / 25)] if len(data) else []
        handles = [
            Patch(color=AREA_TINTS["place"], label=f"{place_name}'s postcodes"),
            Patch(color=AREA_TINTS["wider"], label=f"Rest of {wider_name}'s postcodes"),
            *[
                Line2D([], [], ls="", marker="o", ms=8, mfc=GEO_COLOURS[g], mec="#333333", label=label)
                for g, label in [
                    ("place", f"Spend in {place_name}"),
                    ("wider", f"Rest of {wider_name}"),
                    ("outside", "Outside"),
                ]
            ],
            *[
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="o",
                    ms=np.sqrt(MAX_AREA["zoom"] * k / top_pence),
                    mfc="none",
                    mec="#333333",
                    label=gbp_label(k / 100),
                )
                for k in keys
            ],
        ]
        fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=8, labelspacing=1.2)
    title, caption, alt = _map_texts(by_district, place_name, wider_name, title)
    fig.suptitle("\n".join(_wrap(title)), x=0.02, ha="left", fontsize=12, fontweight="bold")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.16)
    return Chart(fig, title, by_district, caption, alt)


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, 90) or [""]


def _map_texts(data: pd.DataFrame, place_name: str, wider_name: str, title: str | None) -> tuple[str, str, str]:
    left = data.attrs
    mapped = left.get("mapped_pence", int(data["spend_pence"].sum()))
    located = left.get("located_pence", mapped)
    unmapped = located - mapped
    caption = (
        "Located spend with organisations, added up by the supplier's postcode district and drawn at the district's "
        "centre (a circle's area is proportional to its spend); shaded squares hold the postcodes of "
        f"{place_name} and of {wider_name}. Payments to individuals are not drawn"
    )
    if unmapped:
        caption += f"; {gbp_label(unmapped / 100)} of located spend ({_pct(unmapped / located)}) has no postcode district and is not drawn"
    if not len(data):
        return (
            title or "No located spend could be placed in a postcode district",
            caption + ".",
            "Map with no circles: no located spend could be placed in a postcode district.",
        )
    first = data.iloc[0]
    where = {"place": f"in {place_name}", "wider": f"in the rest of {wider_name}", "outside": f"outside {wider_name}"}
    shares = data.groupby("geo", observed=True)["spend_pence"].sum() / max(mapped, 1)
    title = title or (
        f"Located spend reached {_plural(len(data), 'postcode district')}; the most went to "
        f"{first['postcode_district']}, {where[first['geo']]} ({gbp_label(first['spend_pence'] / 100)})"
    )
    parts = [f"{_pct(shares.get(g, 0.0))} {where[g]}" for g in ("place", "wider", "outside")]
    alt = (
        f"Map of Great Britain and of {wider_name} close up, with a circle at the centre of each of "
        f"{_plural(len(data), 'postcode district')} sized by the located spend there: "
        f"{', '.join(parts)}. The largest is {first['postcode_district']} ({where[first['geo']]}) with "
        f"{gbp_label(first['spend_pence'] / 100)}, {_pct(first['share_of_mapped'])} of the spend drawn."
    )
    return title, caption + ".", alt


def ward_ranking(by_ward: pd.DataFrame, place_name: str, top: int = 15, title: str | None = None) -> Chart:
    """The `top` wards of the place by spend with suppliers there (from `baseline.spend_by_ward`),
    largest first; spend whose ward is not known is named in the caption, not drawn."""
    known = by_ward[by_ward["ward_code"] != ""]
    data = known.sort_values("spend_pence", ascending=False, kind="mergesort").head(top)
    data = data.assign(
        spend_gbp=data["spend_pence"] / 100, label=data["ward_name"].where(data["ward_name"] != "", data["ward_code"])
    )
    with _style():
        fig, ax = _figure(9, 1.2 + 0.35 * max(len(data), 1))
        ax.barh(data["label"][::-1], data["spend_gbp"][::-1], color=GEO_COLOURS["place"])
        for y, (gbp, share) in enumerate(zip(data["spend_gbp"][::-1], data["share_of_place"][::-1])):
            ax.annotate(f" {_pct(share)}", (gbp, y), va="center", fontsize=8)
        gbp_axis(ax.xaxis)
        ax.set_xlabel("Spend with suppliers in the ward")
    unknown = int(by_ward.loc[by_ward["ward_code"] == "", "spend_pence"].sum())
    caption = f"The {_plural(len(data), 'ward')} of {place_name} receiving most spend, with each ward's share of spend in {place_name}"
    if unknown:
        caption += f"; {gbp_label(unknown / 100)} with suppliers whose ward is not known is not shown"
    if not len(data):
        title = title or f"No spend could be placed in a ward of {place_name}"
        return _finish(fig, ax, title, data.drop(columns="label"), caption + ".", title + ".")
    first = data.iloc[0]
    title = title or (
        f"{first['label']} received more of the spend in {place_name} than any other ward: "
        f"{gbp_label(first['spend_gbp'])} ({_pct(first['share_of_place'])})"
    )
    alt = (
        f"Bar chart of the {_plural(len(data), 'ward')} of {place_name} receiving most spend, largest first: "
        + ", ".join(f"{r.label} {gbp_label(r.spend_gbp)}" for r in data.head(5).itertuples())
        + ("" if len(data) <= 5 else ", ...")
        + "."
    )
    return _finish(fig, ax, title, data.drop(columns="label"), caption + ".", alt)
