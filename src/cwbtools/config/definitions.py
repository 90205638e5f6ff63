"""The definitions block of a city's config: every one has a documented default (docs/ASSUMPTIONS.md),
echoed by `CityConfig.definitions_table()` in every report. Keys that moved or stopped being settings are
refused with where they went or why. (`CityConfig.analysis_definitions()` turns these into the
analysis side's `cwbtools.definitions.AnalysisDefinitions`.)

`_Strict` lives here, the lowest of the config's model modules: every config model forbids unknown keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    # A field's docstring is its description (docs/CONFIG.md is generated from them: config/docs.py).
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False, use_attribute_docstrings=True)


class Deprived(_Strict):
    """A supplier is in a deprived area when its LSOA's IMD 2019 decile (national) is one of these."""

    deciles: list[int] = Field(default_factory=lambda: [1, 2])
    """IMD deciles (1 = most deprived tenth of neighbourhoods in England) that count as deprived."""
    index: Literal["imd2019"] = "imd2019"
    """The deprivation index: the English Indices of Deprivation 2019, the only one supported."""

    @field_validator("deciles")
    @classmethod
    def _deciles(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 10 for d in value):
            raise ValueError("deciles must be a non-empty list of numbers 1 to 10")
        return sorted(set(value))


# The UK definition of an SME (fewer staff than this); the registers tell only this boundary.
SME_EMPLOYEES = 250


class SmeRule(_Strict):
    """Who counts as an SME: fewer than `SME_EMPLOYEES` (250) staff (the UK definition), as the registers tell it by
    supplier resolution; spend with suppliers of unknown size is counted as `unknown_as`:
    `unknown` (apart: the SME share is measured on spend of known type, with bounds), `sme` or
    `large` (see `analysis.baseline.count_unknown_size`)."""

    unknown_as: Literal["unknown", "sme", "large"] = "unknown"
    """How spend with suppliers of unknown size counts: apart (`unknown`), as SME or as large."""

    @model_validator(mode="before")
    @classmethod
    def _no_threshold(cls, value: Any) -> Any:
        if isinstance(value, dict) and "max_employees" in value:
            raise ValueError(
                f"max_employees is no longer a setting: the registers only tell fewer than "
                f"{SME_EMPLOYEES} staff from more (Gender Pay Gap reporting, Companies House "
                f"accounts categories), so an SME is always fewer than {SME_EMPLOYEES} "
                "employees; remove the key"
            )
        return value


class NotInfluenceable(_Strict):
    """Spend an anchor cannot redirect to local suppliers, set aside from influenceable spend."""

    supplier_types: list[Literal["public", "individual", "vcse", "sme", "large", "unknown"]] = Field(
        default_factory=lambda: ["public", "individual"]
    )
    """Supplier types whose spend is not influenceable (other public bodies, private individuals)."""
    sic_divisions: list[str] = Field(default_factory=lambda: ["35", "36"])
    """SIC 2007 divisions not influenceable: 35 (electricity, gas) and 36 (water) are bought where the network is."""
    expense_patterns: list[str] = Field(
        default_factory=lambda: [
            "benefit",
            "housing benefit",
            "grant to individual",
            "pass through",
            "pass-through",
            "precept",
            "levy",
            "pension",
            "refund",
            "hmrc",
            "tax",
            "national insurance",
        ]
    )
    """Words matched case-insensitively inside a payment's expense category or service area."""
    suppliers: list[str] = Field(default_factory=list)
    """Supplier names not influenceable: national frameworks and contracts let nationally."""
    suppliers_file: str | None = None
    """A file of such supplier names: a CSV (its `supplier_name` column, else the first) or text, one a line."""


# Benchmark keys that moved to `definitions.respend` (one re-spend setting, per supplier type).
_MOVED_RESPEND = {"respend_local_sme": "definitions.respend.sme", "respend_large": "definitions.respend.large"}


class Benchmark(_Strict):
    """The national shares a place is compared with: CLES/FSB 2013 'Local procurement: making the
    most of small businesses'."""

    local_share: float = 0.311
    """The benchmark share of procurement spend with suppliers in the place (0.311 = 31.1%)."""
    sme_share: float = 0.47
    """The benchmark share of procurement spend with SMEs (0.47 = 47%)."""
    source: str = (
        "CLES and FSB (2013), Local procurement: making the most of small businesses, one "
        "year on: 31.1% of council procurement spend within the authority, 47% with SMEs"
    )
    """Where the benchmark shares come from, quoted beside them in the report."""

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, value: Any) -> Any:
        moved = [k for k in _MOVED_RESPEND if isinstance(value, dict) and k in value]
        if moved:
            raise ValueError(
                "; ".join(f"{k} moved to {_MOVED_RESPEND[k]}" for k in moved)
                + " (re-spend per £1 is set once, per supplier type: sme, large, vcse, public, unknown)"
            )
        return value

    @field_validator("local_share", "sme_share")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("a share must be between 0 and 1")
        return value


class Respend(_Strict):
    """Pence per £1 (as a fraction) a supplier in the place of each type re-spends in the place:
    the third round of LM3 and the re-spend range of the next steps' scenarios."""

    sme: float = 0.63
    """Re-spend in the place per £1 paid to a local SME (0.63 = 63p)."""
    large: float = 0.40
    """Re-spend in the place per £1 paid to a local large firm."""
    vcse: float = 0.63
    """Re-spend in the place per £1 paid to a local voluntary, community or social enterprise."""
    public: float = 0.40
    """Re-spend in the place per £1 paid to a local public body."""
    unknown: float = 0.40
    """Re-spend in the place per £1 paid to a local supplier of unknown type."""
    source: str = (
        "CLES and FSB (2013), Local procurement: making the most of small businesses, one year "
        "on: local SMEs re-spend 63p per £1 locally, large firms 40p; VCSE assumed like SMEs, "
        "public bodies and unknown suppliers like large firms (conservative)"
    )
    """Where the re-spend figures come from, quoted beside them in the report."""

    @field_validator("sme", "large", "vcse", "public", "unknown")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("re-spend must be between 0 and 1 (pence per £1 / 100)")
        return value


class Definitions(_Strict):
    """The definitions block: what counts as deprived, SME, influenceable; benchmarks and re-spend.
    Every one has a default (docs/ASSUMPTIONS.md) and every report echoes those in force."""

    deprived: Deprived = Field(default_factory=Deprived)
    """Which neighbourhoods count as deprived."""
    sme: SmeRule = Field(default_factory=SmeRule)
    """Who counts as an SME, and how suppliers of unknown size count."""
    not_influenceable: NotInfluenceable = Field(default_factory=NotInfluenceable)
    """Spend set aside from influenceable spend."""
    benchmark: Benchmark = Field(default_factory=Benchmark)
    """The national shares the place is compared with."""
    respend: Respend = Field(default_factory=Respend)
    """Re-spend per £1 by supplier type (LM3's third round and the scenarios)."""
    supplier_survey: str | None = None
    """A supplier survey (CSV or XLSX) whose measured re-spend replaces the `respend` assumptions."""
    policy_start: dt.date | None = None
    """When a CWB policy began: the trend in the local share then adds a step and a change of slope here."""
