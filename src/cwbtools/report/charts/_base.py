"""What every chart shares: the palette, money and share formats, the look, and `Chart`, the finished
figure with its data, title, caption and alt text.

Seaborn's look without seaborn (why: the package's docstring): `WHITEGRID` is its "whitegrid" style
as rcParams, `_tidy` despines as `seaborn.despine` did, `_grouped_bars` draws bars side by side as
`seaborn.barplot` did. Each figure is laid out once, measured once and drawn once per format
(`_tidy`, `Chart`); text layout is most of a chart's cost.
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import sys
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ...analysis.baseline import BUSINESS_TYPE_NAMES

# Okabe & Ito (2008): safe for deuteranopia, protanopia and tritanopia, and distinct in greyscale order.
OKABE_ITO = {
    "blue": "#0072B2",
    "sky": "#56B4E9",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "black")]
#: Resolution of the PNG shown in pages and notebooks and offered for download.
PNG_DPI = 100
GEO_COLOURS = {
    "place": OKABE_ITO["blue"],
    "wider": OKABE_ITO["sky"],
    "outside": OKABE_ITO["orange"],
    "unlocated": "#C8C8C8",
}
#: Axes titles sit on top of the axes. Given, not left to matplotlib, which otherwise measures both
#: axes again at every layout and draw to check that nothing sits above the axes (nothing does here).
TITLE_Y = 1.0
#: seaborn's `axes_style("whitegrid")` with a paler grid, less its default colormap (no chart uses one).
WHITEGRID = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "grid.color": "#E6E6E6",
    "grid.linestyle": "-",
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.left": False,
    "ytick.right": False,
}


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


def _points(x: float) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{x * 100:+.1f} points"


def gbp_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(gbp_label))


def pct_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


class Chart:
    """A finished chart: the figure as PNG (and SVG, drawn when first asked for), the data it
    plots, its `title` (the finding), `caption` (what it shows) and `alt` text (for screen readers;
    the title when not given). Shows as an image with its alt text in notebooks and exported HTML;
    `save_images` writes the PNG and SVG a reader downloads, each carrying the title and alt text."""

    def __init__(self, figure: Figure, title: str, data: pd.DataFrame, caption: str = "", alt: str = ""):
        self.figure, self.title, self.data = figure, title, data
        self.caption, self.alt = caption or title, alt or title
        # The tight box is measured once and both formats are cut to it: `bbox_inches="tight"` made
        # each savefig lay the whole figure out again before drawing it.
        self._box = _tight_box(figure, PNG_DPI)
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches=self._box, metadata=self._metadata("png"))
        self.png = buf.getvalue()
        # The charts here never enter pyplot; a figure someone made with it must not be shown twice.
        if (pyplot := sys.modules.get("matplotlib.pyplot")) is not None:
            pyplot.close(figure)
        self._svg: bytes | None = None

    def _metadata(self, fmt: str) -> dict:
        # The alt text travels inside the downloaded image; no date, so a rerun writes the same bytes.
        return {"Title": self.title, "Description": self.alt, **({"Date": None} if fmt == "svg" else {})}

    @property
    def svg(self) -> bytes:
        """The figure as SVG: text kept as text (searchable, readable by screen readers, editable),
        the title in `<title>` and the alt text in `<desc>`."""
        if self._svg is None:
            buf = io.BytesIO()
            # A fixed salt: element ids, and so the file, are the same on every run.
            with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cwbtools"}):
                self.figure.savefig(buf, format="svg", bbox_inches=self._box, metadata=self._metadata("svg"))
            text = buf.getvalue().decode("utf-8")
            desc = f"<desc>{html.escape(self.alt, quote=False)}</desc>"
            self._svg = text.replace("</title>", "</title>\n " + desc, 1).encode("utf-8")
        return self._svg

    def __repr__(self) -> str:
        # Plain-text viewers get the finding; no memory address, so executed notebooks stay stable.
        return f"Chart: {self.title}"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return f'<img class="cwb-chart" src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}"/>'

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.png)
        return path

    def save_images(self, folder: str | Path, stem: str) -> dict[str, str]:
        """Write `<folder>/<stem>.png` and `.svg`; return their file names by format."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.png").write_bytes(self.png)
        (folder / f"{stem}.svg").write_bytes(self.svg)
        return {"PNG": f"{stem}.png", "SVG": f"{stem}.svg"}


def _tight_box(figure: Figure, dpi: float):
    """The box `savefig(bbox_inches="tight")` cuts to, measured as the PNG's renderer measures it."""
    # The figure's own Agg canvas keeps the renderer `_tidy` laid the figure out with (same size and
    # dpi), and with it every text's measured size: measuring again costs no text layout.
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    with mpl.cbook._setattr_cm(figure, dpi=dpi):
        return figure.get_tightbbox(canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])


def _new_figure(width: float, height: float) -> Figure:
    """A figure outside pyplot (nothing for a notebook to show twice, nothing to close), at the PNG's
    resolution, on an Agg canvas (see `_tight_box`)."""
    fig = Figure(figsize=(width, height), dpi=PNG_DPI)
    FigureCanvasAgg(fig)
    return fig


def _figure(width: float = 9, height: float = 5) -> tuple[Figure, Any]:
    fig = _new_figure(width, height)
    return fig, fig.add_subplot(1, 1, 1)


def _tidy(fig: Figure) -> None:
    """No top or right spines (as `seaborn.despine`); the axes laid out to fit their labels."""
    for ax in fig.axes:
        ax.spines[["top", "right"]].set_visible(False)
    # As `fig.tight_layout()`, which also leaves a placeholder layout engine on the figure that
    # makes every savefig draw the whole figure once more before drawing it. No `rect`: with one
    # (the engine's default) the axes are measured twice for the same layout.
    TightLayoutEngine(rect=None).execute(fig)


def _finish(fig: Figure, ax, title: str, data: pd.DataFrame, caption: str, alt: str) -> Chart:
    ax.set_title("\n".join(_wrap(title, 80)), loc="left", fontsize=12, fontweight="bold", y=TITLE_Y)
    _tidy(fig)
    return Chart(fig, title, data, caption, alt)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _style():
    return mpl.rc_context(WHITEGRID)


def _desaturate(colour: str, prop: float = 0.75) -> tuple[float, float, float]:
    """`colour` at `prop` of its saturation, as seaborn's bar charts fill their bars."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*to_rgb(colour))
    return colorsys.hls_to_rgb(hue, lightness, saturation * prop)


def _grouped_bars(
    ax, long: pd.DataFrame, category: str, value: str, hue: str, colours: list[str], horizontal: bool = False
) -> None:
    """One bar of `value` per `category` and `hue` level (one row each), the levels side by side in
    the order they first appear, as `seaborn.barplot(hue=...)` drew them: categories at 0, 1, ...
    (numbers sorted, text in order of appearance; top to bottom when `horizontal`), 0.8 wide in
    all, fills at 75% saturation, no grid lines between categories. Each level is labelled for the
    legend."""
    cats = [c for c in pd.unique(long[category]) if pd.notna(c)]
    if pd.api.types.is_numeric_dtype(long[category]):
        cats = sorted(cats)
    levels = [lv for lv in pd.unique(long[hue]) if pd.notna(lv)]
    width = 0.8 / max(len(levels), 1)
    where = {c: i for i, c in enumerate(cats)}
    for j, (level, colour) in enumerate(zip(levels, colours)):
        rows = long[long[hue] == level]
        at = rows[category].map(where).to_numpy(dtype=float) - 0.4 + width * (j + 0.5)
        values = pd.to_numeric(rows[value]).astype(float).to_numpy()  # pd.NA as NaN: no bar, as seaborn
        if horizontal:
            ax.barh(at, values, height=width, color=_desaturate(colour), label=level)
        else:
            ax.bar(at, values, width=width, color=_desaturate(colour), label=level)
    if not cats:
        return
    axis = ax.yaxis if horizontal else ax.xaxis
    axis.set_ticks(range(len(cats)), [str(c) for c in cats])
    axis.grid(False)
    if horizontal:
        ax.set_ylim(len(cats) - 0.5, -0.5)
    else:
        ax.set_xlim(-0.5, len(cats) - 0.5)


def _listing(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def business_type_label(code: str) -> str:
    return BUSINESS_TYPE_NAMES.get(code, code)
