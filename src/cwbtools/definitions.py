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
RESPEND_TYPES = ("sme", "large", "vcse", "public", "unknown")


@dataclass(frozen=True)
class NotInfluenceableRules:
    """`definitions.not_influenceable`: what the next steps set aside, with the supplier list file
    resolved to a path (read by the report context, `Report.framework_suppliers`)."""

    supplier_types: tuple[str, ...]
    sic_divisions: tuple[str, ...]
    expense_patterns: tuple[str, ...]
    suppliers: tuple[str, ...]
    suppliers_file: Path | None


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
    local_benchmark: float
    sme_benchmark: float
    respend: Mapping[str, float]  # pence per £1 / 100 re-spent in the place, by supplier type
    respend_source: str
    supplier_survey: Path | None
    policy_start: date | None
    not_influenceable: NotInfluenceableRules
    scenarios: tuple[ScenarioTarget, ...]
    # A Companies House file gives accounts categories, so SMEs can be told apart.
    companies_file: Path | None

    def __post_init__(self) -> None:
        missing = [t for t in RESPEND_TYPES if t not in self.respend]
        if missing:
            raise ValueError(f"re-spend rates missing for {', '.join(missing)}")
        object.__setattr__(self, "respend", MappingProxyType({t: float(self.respend[t]) for t in RESPEND_TYPES}))

    @property
    def latest_year(self) -> str:
        return self.years[-1]
