"""The definitions an analysis runs under, as plain typed values.

`CityConfig.analysis_definitions()` builds an `AnalysisDefinitions` from a city config: the config
model is the only home of the defaults (docs/ASSUMPTIONS.md), and the analysis modules take these
values instead of reading the config. So this module imports nothing from `config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

# Supplier types with a re-spend rate of their own (`definitions.respend`); any other type
# (individuals, who are never located) is re-spent at the `unknown` rate.
RESPEND_TYPES = ("sme", "large", "vcse", "public", "public_corporation", "unknown")


# The two bases a headline can be measured on (`definitions.base`).
BASES = ("procurement", "all")

# `definitions.location`'s defaults: no central place or wider share when more than this part of
# located spend is placed by a head or registered office (where a firm is based, not where it trades)...
OFFICE_SHARE_LIMIT = 0.5
# ...and a fuzzy name match with more spend than this (pounds, all years) places nothing unless an
# officer confirms it: a wrong match there moves a large sum to the wrong town.
CONFIRM_FUZZY_ABOVE_GBP = 100_000.0


@dataclass(frozen=True)
class ExclusionRules:
    """`definitions.exclusions`: the one set of rules that sets spend aside (`analysis.base`).
    Transfers (by payee words and by expense words) leave the procurement base; public corporations
    stay, or leave the base or influenceable spend (`keep`, `base`, `influenceable`); the supplier
    types, SIC divisions and named suppliers leave influenceable spend only. The supplier list file
    is resolved to a path (read by the report context, `Report.framework_suppliers`)."""

    transfer_payees: tuple[str, ...]
    transfer_expenses: tuple[str, ...]
    public_corporations: str
    supplier_types: tuple[str, ...]
    sic_divisions: tuple[str, ...]
    suppliers: tuple[str, ...]
    suppliers_file: Path | None


@dataclass(frozen=True)
class PublishedFigure:
    """A figure someone published for the place (`published:`), shown beside ours, never tuned to."""

    year: str
    measure: str
    value: float
    source: str
    definition: str | None


@dataclass(frozen=True)
class PublicBodyRules:
    """`definitions.public_bodies`: the class (`schema.PUBLIC_CLASSES`) each kind of body
    (`schema.PUBLIC_KINDS`) is given, and whether name patterns may find bodies no register lists."""

    classes: Mapping[str, str]
    name_patterns: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", MappingProxyType(dict(self.classes)))


@dataclass(frozen=True)
class ScenarioTarget:
    """One of the config's `scenarios`."""

    name: str
    measure: str
    from_share: float | None
    to_share: float | None
    points: float | None
    base_year: str | None


@dataclass(frozen=True)
class AnalysisDefinitions:
    """Everything from a city config that changes a figure: the place, the years and the
    `definitions:` block. Paths are resolved; nothing here has a default."""

    name: str
    slug: str
    synthetic: bool
    place_name: str
    place_lads: tuple[str, ...]
    wider_name: str | None
    wider_lads: tuple[str, ...]  # the place included, as CLES counts it
    years: tuple[str, ...]
    baseline_year: str
    deprived_deciles: tuple[int, ...]
    # How spend with suppliers of unknown size is counted: "unknown" (apart), "sme" or "large".
    unknown_size_as: str
    # The benchmark shares (`definitions.benchmark`), None when an anchor is of a kind they are not
    # averages of (`benchmark_kinds`): no verdict then.
    local_benchmark: float | None
    sme_benchmark: float | None
    benchmark_kinds: tuple[str, ...]
    respend: Mapping[str, float]  # pence per £1 / 100 re-spent in the place, by supplier type
    respend_source: str
    supplier_survey: Path | None
    policy_start: date | None
    # What the headline is measured on: "procurement" (the base) or "all" kept spend.
    base: str
    exclusions: ExclusionRules
    public_bodies: PublicBodyRules
    scenarios: tuple[ScenarioTarget, ...]
    # Impact estimates (`analysis.nextsteps.scenarios`, `analysis.multipliers`).
    scenario_base: str
    displacement: float
    flq_delta: float
    # A Companies House file gives accounts categories, so SMEs can be told apart.
    companies_file: Path | None
    # Each anchor's kind (`council`, `police`, ...), by name: the anchors' payments to each other
    # and to themselves leave the base.
    anchors: Mapping[str, str]
    published: tuple[PublishedFigure, ...]
    # `definitions.location`: the part of located spend placed by head or registered offices above
    # which no central place or wider share is given (the bounds still are).
    office_share_limit: float

    def __post_init__(self) -> None:
        missing = [t for t in RESPEND_TYPES if t not in self.respend]
        if missing:
            raise ValueError(f"re-spend rates missing for {', '.join(missing)}")
        object.__setattr__(self, "respend", MappingProxyType({t: float(self.respend[t]) for t in RESPEND_TYPES}))
        object.__setattr__(self, "anchors", MappingProxyType(dict(self.anchors)))
        if self.base not in BASES:
            raise ValueError(f"base must be one of {', '.join(BASES)}, not {self.base!r}")

    @property
    def latest_year(self) -> str:
        return self.years[-1]
