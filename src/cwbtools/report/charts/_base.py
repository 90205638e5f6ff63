"""What every chart shares: the palette, money and share formats, and `Chart`, the finished figure
with its data, title, caption and alt text."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
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
        # each savefig lay the whole figure out again before drawing it (two of five passes).
        self._box = _tight_box(figure, PNG_DPI)
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches=self._box, metadata=self._metadata("png"))
        self.png = buf.getvalue()
        plt.close(figure)
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
    from matplotlib.backends.backend_agg import RendererAgg

    # As FigureCanvasAgg.get_renderer makes it; not through the canvas, which a figure made
    # without pyplot does not have.
    with mpl.cbook._setattr_cm(figure, dpi=dpi):
        renderer = RendererAgg(*figure.bbox.size, dpi)
        return figure.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"])


def _figure(width: float = 9, height: float = 5) -> tuple[Figure, Any]:
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def _finish(fig: Figure, ax, title: str, data: pd.DataFrame, caption: str, alt: str) -> Chart:
    ax.set_title("\n".join(_wrap(title, 80)), loc="left", fontsize=12, fontweight="bold")
    sns.despine(fig=fig)
    fig.tight_layout()
    return Chart(fig, title, data, caption, alt)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _style():
    return sns.axes_style("whitegrid", {"grid.color": "#E6E6E6"})


def _listing(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def business_type_label(code: str) -> str:
    return BUSINESS_TYPE_NAMES.get(code, code)
