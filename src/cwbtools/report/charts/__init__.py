"""Charts for the reports: plain matplotlib, one function per chart, each taking the table an
analysis function returned. Not seaborn: its import pulls in scipy.stats, 1.35 s of CPU in every
notebook kernel, and the charts need only bars and lines (`_base` keeps seaborn's look).

Every chart uses the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies),
formats money as £ and shares as %, and is titled with the finding it shows. A chart function
returns a `Chart`: the figure, the data it plots, and three texts computed from those data (never
typed in a notebook): `title` (the finding, drawn on the figure), `caption` (what the chart shows)
and `alt` (the kind of chart and what it shows, in numbers, for screen readers). The notebook
context (`cwbtools.report.context`) writes `Chart.data` as CSV beside the report and shows the
figure with its caption; a `Chart` never touches pyplot's global figure list, so nothing is drawn
twice.

The charts live by notebook (`baseline`, `change`, `nextsteps`) beside what they share (`_base`);
notebooks call them as `charts.<name>`, so this package names them all.
"""

from ._base import GEO_COLOURS, OKABE_ITO, PALETTE, Chart, business_type_label, gbp_label, signed_gbp
from .baseline import (
    MEASURE_LABELS,
    benchmark_chart,
    business_type_geography,
    deprivation_deciles,
    geography_shares,
    interval_chart,
    sector_geography,
    share_intervals,
    spend_by_lad,
    top_supplier_curve,
)
from .change import (
    anchor_small_multiples,
    churn_chart,
    decomposition_waterfall,
    shares_over_time,
    shift_share_chart,
    trend_chart,
)
from .exclusions import where_every_pound
from .map import ward_ranking, where_the_money_went
from .nextsteps import leakage_by_sector, trajectory

__all__ = [
    "GEO_COLOURS",
    "MEASURE_LABELS",
    "OKABE_ITO",
    "PALETTE",
    "Chart",
    "anchor_small_multiples",
    "benchmark_chart",
    "business_type_geography",
    "business_type_label",
    "churn_chart",
    "decomposition_waterfall",
    "deprivation_deciles",
    "gbp_label",
    "geography_shares",
    "interval_chart",
    "leakage_by_sector",
    "sector_geography",
    "share_intervals",
    "shares_over_time",
    "shift_share_chart",
    "signed_gbp",
    "spend_by_lad",
    "top_supplier_curve",
    "trajectory",
    "trend_chart",
    "ward_ranking",
    "where_every_pound",
    "where_the_money_went",
]
