"""City configuration: one short YAML file per place, loaded into a strict pydantic model.

Papermill accepts misspelt parameters silently, so the config must not: every model forbids unknown
keys, and a mistake is reported as a `ConfigError` naming the key, where it sits, the file, and the
nearest valid key. Every definition has a documented default (docs/ASSUMPTIONS.md) and
`CityConfig.definitions_table()` echoes the definitions in force in every report.

Paths in a config may use `${CWB_DATA}`, `${CWB_PROCESSED}` or `${CWB_RAW}`; a relative path is looked
for beside the config first, then in the shared data folder. Wherever it is written, a path must
lead into one of those folders or the config's own (see `CityConfig`; docs/SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import sys
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from .definitions import RESPEND_TYPES, AnalysisDefinitions, NotInfluenceableRules, ScenarioTarget
from .errors import ConfigError
from .paths import configs_dir, processed_dir, raw_dir, shared_data_dir

_FY_RE = re.compile(r"^(\d{4})/(\d{2})$")
_LAD_RE = re.compile(r"^[ENSW]\d{8}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # one folder name; at most 64 as the report runner allows

AnchorKind = Literal[
    "council", "county_council", "combined_authority", "police", "fire", "college", "university",
    "school", "nhs_trust", "health", "housing_association", "other",
]
Measure = Literal["place_share", "wider_share"]


def financial_year(value: str) -> str:
    """Check a UK financial year label (`2019/20`, April to March) and return it."""
    text = str(value).strip()
    match = _FY_RE.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{value!r} is not a UK financial year like '2019/20'")
    return text


def _lad_codes(values: list[str]) -> list[str]:
    out = []
    for value in values:
        code = str(value).strip().upper()
        if not _LAD_RE.match(code):
            raise ValueError(f"{value!r} is not a local authority district code like 'E07000123'")
        if code not in out:
            out.append(code)
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False)


# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------
class Place(_Strict):
    """The place itself: a name and its LAD codes (resolved from the name when left out)."""

    name: str
    lad_codes: list[str] = Field(default_factory=list)

    _check_codes = field_validator("lad_codes")(classmethod(lambda cls, v: _lad_codes(v)))


class WiderArea(_Strict):
    """LAD codes or a named county / combined authority / region. CLES counts the wider area
    *including* the place; `lad_codes` after loading always contains the place's codes."""

    name: str | None = None
    lad_codes: list[str] = Field(default_factory=list)

    _check_codes = field_validator("lad_codes")(classmethod(lambda cls, v: _lad_codes(v)))

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `wider_area: Lancashire` or `wider_area: [E07000117, ...]` are the short forms.
        if isinstance(value, str):
            return {"name": value}
        if isinstance(value, list):
            return {"lad_codes": value}
        return value

    @model_validator(mode="after")
    def _something(self) -> "WiderArea":
        if not self.name and not self.lad_codes:
            raise ValueError("give a name (county, combined authority or region) or lad_codes")
        return self


# ---------------------------------------------------------------------------------------------
# Anchors and their ledgers
# ---------------------------------------------------------------------------------------------
class Ledger(_Strict):
    """A ledger file, folder (every CSV/XLSX inside) or glob, optionally for one financial year."""

    path: str
    year: str | None = None
    overrides: dict[str, str] | None = None

    _check_year = field_validator("year")(classmethod(lambda cls, v: None if v is None else financial_year(v)))

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value


class SupplierSheet(_Strict):
    """A CLES-style supplier sheet: one row per supplier with name, postcode and the year's amount."""

    path: str
    year: str
    columns: dict[Literal["supplier_name", "postcode", "amount"], str] = Field(default_factory=dict)
    sheet: str | None = None

    _check_year = field_validator("year")(classmethod(lambda cls, v: financial_year(v)))


class Anchor(_Strict):
    name: str
    kind: AnchorKind
    ledgers: list[Ledger] = Field(default_factory=list)
    supplier_sheet: SupplierSheet | None = None
    creditors: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "Anchor":
        if bool(self.ledgers) == bool(self.supplier_sheet):
            raise ValueError(f"anchor {self.name!r} needs either ledgers or a supplier_sheet (exactly one)")
        return self


# ---------------------------------------------------------------------------------------------
# Definitions: every one has a default documented in docs/ASSUMPTIONS.md
# ---------------------------------------------------------------------------------------------
class Deprived(_Strict):
    """A supplier is in a deprived area when its LSOA's IMD 2019 decile (national) is one of these."""

    deciles: list[int] = Field(default_factory=lambda: [1, 2])
    index: Literal["imd2019"] = "imd2019"

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
    `large` (see `analysis.count_unknown_size`)."""

    unknown_as: Literal["unknown", "sme", "large"] = "unknown"

    @model_validator(mode="before")
    @classmethod
    def _no_threshold(cls, value: Any) -> Any:
        if isinstance(value, dict) and "max_employees" in value:
            raise ValueError(f"max_employees is no longer a setting: the registers only tell fewer than "
                             f"{SME_EMPLOYEES} staff from more (Gender Pay Gap reporting, Companies House "
                             f"accounts categories), so an SME is always fewer than {SME_EMPLOYEES} "
                             "employees; remove the key")
        return value


class NotInfluenceable(_Strict):
    """Spend an anchor cannot redirect to local suppliers, set aside from influenceable spend."""

    supplier_types: list[Literal["public", "individual", "vcse", "sme", "large", "unknown"]] = Field(
        default_factory=lambda: ["public", "individual"])
    # SIC divisions 35 (electricity, gas) and 36 (water): utilities are bought where the network is.
    sic_divisions: list[str] = Field(default_factory=lambda: ["35", "36"])
    # Matched case-insensitively inside expense category / service area.
    expense_patterns: list[str] = Field(default_factory=lambda: [
        "benefit", "housing benefit", "grant to individual", "pass through", "pass-through",
        "precept", "levy", "pension", "refund", "hmrc", "tax", "national insurance"])
    # National frameworks and similar contracts let nationally, by supplier name.
    suppliers: list[str] = Field(default_factory=list)
    suppliers_file: str | None = None


# Benchmark keys that moved to `definitions.respend` (one re-spend setting, per supplier type).
_MOVED_RESPEND = {"respend_local_sme": "definitions.respend.sme", "respend_large": "definitions.respend.large"}


class Benchmark(_Strict):
    """The national shares a place is compared with: CLES/FSB 2013 'Local procurement: making the
    most of small businesses'."""

    local_share: float = 0.311
    sme_share: float = 0.47
    source: str = ("CLES and FSB (2013), Local procurement: making the most of small businesses, one "
                   "year on: 31.1% of council procurement spend within the authority, 47% with SMEs")

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, value: Any) -> Any:
        moved = [k for k in _MOVED_RESPEND if isinstance(value, dict) and k in value]
        if moved:
            raise ValueError("; ".join(f"{k} moved to {_MOVED_RESPEND[k]}" for k in moved)
                             + " (re-spend per £1 is set once, per supplier type: sme, large, vcse, public, unknown)")
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
    large: float = 0.40
    vcse: float = 0.63
    public: float = 0.40
    unknown: float = 0.40
    source: str = ("CLES and FSB (2013), Local procurement: making the most of small businesses, one year "
                   "on: local SMEs re-spend 63p per £1 locally, large firms 40p; VCSE assumed like SMEs, "
                   "public bodies and unknown suppliers like large firms (conservative)")

    @field_validator("sme", "large", "vcse", "public", "unknown")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("re-spend must be between 0 and 1 (pence per £1 / 100)")
        return value


class Definitions(_Strict):
    deprived: Deprived = Field(default_factory=Deprived)
    sme: SmeRule = Field(default_factory=SmeRule)
    not_influenceable: NotInfluenceable = Field(default_factory=NotInfluenceable)
    benchmark: Benchmark = Field(default_factory=Benchmark)
    respend: Respend = Field(default_factory=Respend)
    supplier_survey: str | None = None
    policy_start: dt.date | None = None


class Scenario(_Strict):
    """Raise the place (or wider-area) share to `to_share`, or by `points` (0.05 = 5 points),
    measured against `base_year`'s total (default the baseline year). `from_share` states the
    starting share as someone published it (CLES's "5%"); left out, it is measured in the base year."""

    name: str
    measure: Measure = "place_share"
    from_share: float | None = None
    to_share: float | None = None
    points: float | None = None
    base_year: str | None = None

    @field_validator("from_share")
    @classmethod
    def _from(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 1:
            raise ValueError("from_share is a fraction (0.05 = 5%)")
        return value

    _check_year = field_validator("base_year")(classmethod(lambda cls, v: None if v is None else financial_year(v)))

    @model_validator(mode="after")
    def _one_target(self) -> "Scenario":
        if (self.to_share is None) == (self.points is None):
            raise ValueError(f"scenario {self.name!r} needs exactly one of to_share or points")
        for value in (self.to_share, self.points):
            if value is not None and not -1 <= value <= 1:
                raise ValueError(f"scenario {self.name!r}: shares and points are fractions (0.10 = 10%)")
        return self


class PublishedFigure(_Strict):
    """A figure someone published for this place, which the report shows beside ours."""

    year: str
    measure: Literal["total", "place", "wider", "leakage", "place_share", "wider_share"]
    value: float
    source: str

    _check_year = field_validator("year")(classmethod(lambda cls, v: financial_year(v)))


class CityConfig(_Strict):
    """One place's configuration.

    Every input path (ledgers, supplier sheets, creditors, crosswalk, companies file, survey,
    suppliers file, contract notices) must resolve, after symlinks, inside a data folder: the shared
    data (`CWB_DATA`), the processed or raw folder, or the config file's own folder; anything else
    (`/etc/passwd`, `~/.ssh/...`) is refused when the config is loaded. `allow_outside_data: true`
    lifts that refusal for a config whose author means it.
    """

    name: str
    slug: str
    synthetic: bool = False
    notes: str | None = None
    place: Place
    wider_area: WiderArea
    anchors: list[Anchor]
    years: list[str]
    baseline_year: str | None = None
    definitions: Definitions = Field(default_factory=Definitions)
    scenarios: list[Scenario] = Field(default_factory=list)
    published: list[PublishedFigure] = Field(default_factory=list)
    companies_file: str | None = None
    crosswalk: str | None = None
    contracts_notices: str | None = None
    # Read input files from anywhere, not only the data folders (see the class docstring).
    allow_outside_data: bool = False
    # Set by load_config, never by the YAML author (a private attribute, so `source_path:` in a
    # YAML file is rejected like any unknown key).
    _source_path: Path | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> Path | None:
        return self._source_path

    @source_path.setter
    def source_path(self, value: Path | None) -> None:
        self._source_path = value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG_RE.match(value):
            raise ValueError(f"slug {value!r} must be lower-case letters, digits and hyphens, starting "
                             "with a letter or digit, at most 64 characters (it names folders)")
        return value

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one financial year")
        years = [financial_year(v) for v in value]
        if len(set(years)) != len(years):
            raise ValueError("years are listed twice")
        return sorted(years)

    @field_validator("anchors")
    @classmethod
    def _anchors(cls, value: list[Anchor]) -> list[Anchor]:
        if not value:
            raise ValueError("give at least one anchor institution")
        names = [a.name for a in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"anchor names must be unique: {', '.join(dupes)}")
        return value

    @model_validator(mode="after")
    def _years_consistent(self) -> "CityConfig":
        if self.baseline_year is None:
            self.baseline_year = self.years[0]
        self.baseline_year = financial_year(self.baseline_year)
        if self.baseline_year not in self.years:
            raise ValueError(f"baseline_year {self.baseline_year} is not one of years {self.years}")
        for scenario in self.scenarios:
            if scenario.base_year and scenario.base_year not in self.years:
                raise ValueError(f"scenario {scenario.name!r}: base_year {scenario.base_year} is not one of years")
        return self

    # -- derived --------------------------------------------------------------------------------
    @property
    def latest_year(self) -> str:
        return self.years[-1]

    @property
    def config_dir(self) -> Path:
        return self.source_path.parent if self.source_path else configs_dir()

    def resolve_path(self, value: str) -> Path:
        """A config path as a file-system path (see the module docstring for the rules); a
        `ConfigError` when it leads outside the data folders (see the class docstring)."""
        path = resolve_path(value, self.config_dir)
        self._check_inside(value, path)
        return path

    def _check_inside(self, value: str, path: Path, label: str | None = None) -> None:
        if self.allow_outside_data:
            return
        folders = data_folders(self.config_dir)
        if not inside_data(path, folders):
            where = f" in {self.source_path}" if self.source_path else ""
            what = f"{label} {value!r}" if label else repr(value)
            raise ConfigError(
                f"{what}{where} leads to {path.resolve()}, outside the data folders "
                f"({', '.join(map(str, folders))}): move the file into one of them, or add "
                "`allow_outside_data: true` to the config if it is meant to be read")

    def input_paths(self) -> list[tuple[str, str]]:
        """(where in the config, path as written) for every input the config names."""
        out = []
        for i, anchor in enumerate(self.anchors):
            out += [(f"anchors[{i}].ledgers[{j}]", ledger.path) for j, ledger in enumerate(anchor.ledgers)]
            if anchor.supplier_sheet:
                out.append((f"anchors[{i}].supplier_sheet", anchor.supplier_sheet.path))
            if anchor.creditors:
                out.append((f"anchors[{i}].creditors", anchor.creditors))
        for label, value in (("crosswalk", self.crosswalk), ("companies_file", self.companies_file),
                             ("contracts_notices", self.contracts_notices),
                             ("definitions.supplier_survey", self.definitions.supplier_survey),
                             ("definitions.not_influenceable.suppliers_file",
                              self.definitions.not_influenceable.suppliers_file)):
            if value:
                out.append((label, value))
        return out

    def check_paths(self) -> None:
        """Refuse (ConfigError) an input path outside the data folders, or a file a ledger folder
        or glob expands to that is (a symlink out); the first one found, with its key."""
        for label, value in self.input_paths():
            path = resolve_path(value, self.config_dir)
            self._check_inside(value, path, label)
            if label.startswith("anchors") and ".ledgers[" in label:
                for file in _expand(path):
                    self._check_inside(str(file), file, f"{label} (file {file.name})")

    def definitions_table(self) -> pd.DataFrame:
        """The definitions in force, their defaults and why: echoed in every report."""
        d = self.definitions
        default = Definitions()
        rows = [
            ("Place", f"{self.place.name} ({', '.join(self.place.lad_codes)})", "set per city",
             "Suppliers whose postcode lies in these local authority districts are 'in the place'."),
            ("Wider area", f"{self.wider_area.name or 'listed districts'} ({len(self.wider_area.lad_codes)} districts, place included)",
             "set per city", "CLES counts the wider area including the place; leakage is spend outside it."),
            ("Years", ", ".join(self.years) + f"; baseline {self.baseline_year}", "set per city",
             "UK financial years, April to March, by payment date."),
            ("Deprived area", f"IMD 2019 deciles {_list(d.deprived.deciles)} (national)",
             f"IMD 2019 deciles {_list(default.deprived.deciles)} (national)",
             "The 20% most deprived neighbourhoods (LSOAs) in England, English Indices of Deprivation 2019."),
            ("SME", f"fewer than {SME_EMPLOYEES} employees; unknown size counted as {d.sme.unknown_as}",
             f"fewer than {SME_EMPLOYEES} employees; unknown size counted as {default.sme.unknown_as}",
             "UK definition (Companies Act thresholds); size read from registers (accounts category, "
             "Gender Pay Gap reporting at 250+ staff), which tell only that boundary. Spend with suppliers "
             "of unknown size counts in the SME share, business types and re-spend as this says "
             "('unknown': apart, the SME share then measured on spend of known type, with bounds)."),
            ("Not influenceable: supplier types", _list(d.not_influenceable.supplier_types),
             _list(default.not_influenceable.supplier_types),
             "Payments to other public bodies and to individuals are not procurement an anchor can redirect."),
            ("Not influenceable: SIC divisions", _list(d.not_influenceable.sic_divisions),
             _list(default.not_influenceable.sic_divisions),
             "Utilities (35 electricity and gas, 36 water) are bought from whoever owns the network."),
            ("Not influenceable: expense categories", _list(d.not_influenceable.expense_patterns),
             _list(default.not_influenceable.expense_patterns),
             "Benefits, grants to individuals, pass-through payments, precepts, levies, pensions, tax and refunds."),
            ("Not influenceable: named suppliers",
             "; ".join(filter(None, [", ".join(d.not_influenceable.suppliers),
                                     d.not_influenceable.suppliers_file and f"file {d.not_influenceable.suppliers_file}"]))
             or "none",
             "none", "National frameworks and contracts let nationally, listed by supplier."),
            ("Benchmark: local share", f"{d.benchmark.local_share:.3f}", f"{default.benchmark.local_share:.3f}",
             d.benchmark.source),
            ("Benchmark: SME share", f"{d.benchmark.sme_share:.2f}", f"{default.benchmark.sme_share:.2f}",
             d.benchmark.source),
            ("Re-spend per £1 by supplier type", ", ".join(f"{k} {getattr(d.respend, k):.2f}" for k in RESPEND_TYPES),
             ", ".join(f"{k} {getattr(default.respend, k):.2f}" for k in RESPEND_TYPES),
             f"{d.respend.source}. LM3's third round and the scenarios' re-spend weight each type by its spend."),
            ("Supplier survey", d.supplier_survey or "none", "none",
             "Re-spend measured by surveying suppliers replaces the assumptions (LM3 and scenarios) when given."),
            ("Policy start", d.policy_start.isoformat() if d.policy_start else "none", "none",
             "When given, the trend in the local share (change over time) adds a step and a change of slope at this date."),
        ]
        for s in self.scenarios:
            target = f"to {s.to_share:.1%}" if s.to_share is not None else f"by {s.points * 100:+.1f} points"
            if s.from_share is not None:
                target = f"from {s.from_share:.1%} " + target
            rows.append((f"Scenario: {s.name}", f"{s.measure} {target} of {s.base_year or self.baseline_year} spend",
                         "none", "Set per city."))
        if self.synthetic:
            rows.insert(0, ("Data", "SYNTHETIC ledger (see docs/DEMO.md)", "real ledgers",
                            "Illustrative: calibrated to published totals, not real payments."))
        return pd.DataFrame(rows, columns=["definition", "value", "default", "source"])

    def analysis_definitions(self) -> AnalysisDefinitions:
        """The values of `definitions_table()` as the analysis modules take them (paths resolved):
        the one place a config's definitions become analysis arguments."""
        d = self.definitions
        ni = d.not_influenceable

        def path(value: str | None) -> Path | None:
            return self.resolve_path(value) if value else None

        return AnalysisDefinitions(
            name=self.name, slug=self.slug, synthetic=self.synthetic,
            place_name=self.place.name, place_lads=tuple(self.place.lad_codes),
            wider_name=self.wider_area.name, wider_lads=tuple(self.wider_area.lad_codes),
            years=tuple(self.years), baseline_year=str(self.baseline_year),
            deprived_deciles=tuple(d.deprived.deciles), unknown_size_as=d.sme.unknown_as,
            local_benchmark=d.benchmark.local_share, sme_benchmark=d.benchmark.sme_share,
            respend={t: getattr(d.respend, t) for t in RESPEND_TYPES}, respend_source=d.respend.source,
            supplier_survey=path(d.supplier_survey), policy_start=d.policy_start,
            not_influenceable=NotInfluenceableRules(
                supplier_types=tuple(ni.supplier_types), sic_divisions=tuple(str(x) for x in ni.sic_divisions),
                expense_patterns=tuple(ni.expense_patterns), suppliers=tuple(ni.suppliers),
                suppliers_file=path(ni.suppliers_file)),
            scenarios=tuple(ScenarioTarget(s.name, s.measure, s.from_share, s.to_share, s.points, s.base_year)
                            for s in self.scenarios),
            companies_file=path(self.companies_file),
        )

    def ledger_files(self, anchor: Anchor) -> list[tuple[Ledger, list[Path]]]:
        """Each ledger entry of an anchor with the files it stands for (folders and globs expanded)."""
        out = []
        for ledger in anchor.ledgers:
            files = _expand(self.resolve_path(ledger.path))
            for file in files:  # a folder or glob may hold a symlink out of the data folders
                self._check_inside(str(file), file, f"ledger {ledger.path!r}: file")
            out.append((ledger, files))
        return out

    def input_files(self) -> list[Path]:
        """Every file this config reads (ledgers, sheets, creditors, crosswalk, ...), for cache keys."""
        files: list[Path] = []
        for anchor in self.anchors:
            for _, paths in self.ledger_files(anchor):
                files.extend(paths)
            for extra in (anchor.supplier_sheet.path if anchor.supplier_sheet else None, anchor.creditors):
                if extra:
                    files.append(self.resolve_path(extra))
        for extra in (self.crosswalk, self.companies_file, self.definitions.supplier_survey,
                      self.definitions.not_influenceable.suppliers_file):
            if extra:
                files.append(self.resolve_path(extra))
        return files

    def missing_inputs(self, optional: bool = True) -> list[str]:
        """A sentence per input that is not on disk (empty when everything is there). With
        `optional=False`, only what the spend pipeline reads (not contract notices or surveys)."""
        missing = []
        for anchor in self.anchors:
            for ledger in anchor.ledgers:
                path = self.resolve_path(ledger.path)
                if not _expand(path):
                    missing.append(f"anchor {anchor.name!r}: ledger {ledger.path!r} (looked for {path})")
            for label, value in (("supplier_sheet", anchor.supplier_sheet.path if anchor.supplier_sheet else None),
                                 ("creditors", anchor.creditors)):
                if value and not self.resolve_path(value).exists():
                    missing.append(f"anchor {anchor.name!r}: {label} {value!r} (looked for {self.resolve_path(value)})")
        for label, value in (("crosswalk", self.crosswalk), ("companies_file", self.companies_file),
                             ("contracts_notices", self.contracts_notices if optional else None),
                             ("definitions.supplier_survey", self.definitions.supplier_survey if optional else None),
                             ("definitions.not_influenceable.suppliers_file",
                              self.definitions.not_influenceable.suppliers_file)):
            if value and not self.resolve_path(value).exists():
                missing.append(f"{label} {value!r} (looked for {self.resolve_path(value)})")
        return missing

    def check_inputs(self) -> None:
        """Raise a ConfigError listing every missing input, naming the anchor and the path."""
        missing = self.missing_inputs()
        if missing:
            where = f" in {self.source_path}" if self.source_path else ""
            hints = []
            if any(str(shared_data_dir()) in m for m in missing):
                hints.append(f"is the shared data at {shared_data_dir()}? set CWB_DATA to the folder that holds it")
            if self.synthetic and self.missing_inputs(optional=False):
                hints.append("run `cwb demo` to write the synthetic ledgers")
            hint = f" ({'; '.join(hints)})" if hints else ""
            raise ConfigError(f"{len(missing)} input(s) named{where} are missing: " + "; ".join(missing) + hint)


def _list(values: list) -> str:
    return ", ".join(str(v) for v in values) if values else "none"


_LEDGER_SUFFIXES = {".csv", ".xlsx", ".xls", ".xlsm", ".tsv", ".txt"}


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _LEDGER_SUFFIXES)
    if any(ch in path.name for ch in "*?["):
        return sorted(p for p in path.parent.glob(path.name) if p.is_file())
    return [path] if path.is_file() else []


_VARS = {
    "CWB_DATA": shared_data_dir,
    "CWB_PROCESSED": processed_dir,
    "CWB_RAW": raw_dir,
}


def data_folders(config_dir: Path | None = None) -> list[Path]:
    """The folders a config may read from: shared data, processed, raw, and the config's own."""
    folders = [shared_data_dir(), processed_dir().resolve(), raw_dir().resolve(), (config_dir or configs_dir()).resolve()]
    return list(dict.fromkeys(folders))


def inside_data(path: Path, folders: list[Path]) -> bool:
    """Whether `path`, after symlinks, lies under one of `folders` and not in a hidden file or
    folder below it (a config beside one's home folder must not reach `~/.ssh`)."""
    real = Path(path).resolve()
    return any(real.is_relative_to(folder) and not any(part.startswith(".") for part in real.relative_to(folder).parts)
               for folder in folders)


def resolve_path(value: str, config_dir: Path | None = None) -> Path:
    """`${CWB_DATA}/spend/x.csv` -> the shared data folder; a relative path beside the config if it
    exists there, else in the shared data folder (where the real ledgers live)."""
    text = str(value)
    for var, func in _VARS.items():
        for token in (f"${{{var}}}", f"${var}"):
            if token in text:
                text = text.replace(token, str(func()))
    path = Path(os.path.expanduser(text))
    if path.is_absolute():
        return path
    base = config_dir or configs_dir()
    beside = (base / path).resolve()
    if beside.exists() or any(ch in path.name for ch in "*?[") and _expand(beside):
        return beside
    shared = (shared_data_dir() / path).resolve()
    if shared.exists() or _expand(shared):
        return shared
    return beside


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
def _valid_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys valid at `loc` (the location of an extra key, without the key itself)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    return list(current.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


_MAX_ERRORS = 5  # a message is one line: the first few mistakes, then how many more
_MAX_QUOTE = 80


def _value_at(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _quote(value: Any) -> str:
    """A value from the config as a message shows it: short text quoted, anything else by type
    (an expanded list or a long text is never written out)."""
    if value is None:
        return "the value given"
    if isinstance(value, (str, int, float, bool)) and len(str(value)) <= _MAX_QUOTE:
        return repr(value)
    return f"a {type(value).__name__}"


def _explain(exc: ValidationError, source: str, data: Any = None) -> str:
    """One line from pydantic's errors, built from each error's location and message only: the
    input pydantic would quote may be huge (expanded aliases) and is never formatted."""
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # Union shorthand validators add the type name to the location; drop it.
        loc = tuple(p for p in loc if p not in {"str", "list[str]", "dict[str,any]"})
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys(CityConfig, loc[:-1])
            near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            parent = _where(loc[:-1])
            lines.append(f"unknown key {_quote(key)} at {parent} in {source}{hint} "
                         f"(valid keys there: {', '.join(valid)})")
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            allowed = re.findall(r"'([^']*)'", expected)
            # A dict key's location ends in "[key]" after the key itself.
            value = loc[-2] if loc and loc[-1] == "[key]" else _value_at(data, loc)
            near = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if isinstance(value, str) else []
            hint = f"; did you mean '{near[0]}'?" if near else ""
            lines.append(f"{_where(loc)} in {source}: {_quote(value)} is not one of {expected}{hint}")
        elif kind == "missing":
            lines.append(f"{_where(loc)} in {source}: required key '{loc[-1]}' is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            msg = msg if len(msg) <= 400 else msg[:400] + "..."
            lines.append(f"{_where(loc)} in {source}: {msg}")
    lines = list(dict.fromkeys(lines))
    more = f"; and {len(lines) - _MAX_ERRORS} more" if len(lines) > _MAX_ERRORS else ""
    return "; ".join(lines[:_MAX_ERRORS]) + more


def _resolve_areas(config: CityConfig, source: str) -> None:
    need_place = not config.place.lad_codes
    need_wider = bool(config.wider_area.name) and not config.wider_area.lad_codes
    if need_place or need_wider:
        try:
            from .reference import resolve_area
        except ImportError as exc:  # reference stage not installed
            raise ConfigError(f"{source}: naming an area needs the reference tables ({exc}); "
                              "give lad_codes instead or run `cwb reference build`") from exc
    if need_place:
        try:
            name, codes = resolve_area(config.place.name)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with the key that caused it
            raise ConfigError(f"place.name in {source}: cannot resolve {config.place.name!r}: {exc}") from exc
        config.place.lad_codes = _lad_codes(list(codes))
    if need_wider:
        try:
            name, codes = resolve_area(config.wider_area.name)
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"wider_area in {source}: cannot resolve {config.wider_area.name!r}: {exc}") from exc
        if not list(codes):
            raise ConfigError(f"wider_area in {source}: {config.wider_area.name!r} matches no local authority")
        config.wider_area.lad_codes = _lad_codes(list(codes))
    # CLES counts the wider area including the place.
    codes = list(config.wider_area.lad_codes)
    for code in config.place.lad_codes:
        if code not in codes:
            codes.append(code)
    config.wider_area.lad_codes = codes


def parse_config(data: Any, source: str = "<config>", config_dir: Path | None = None,
                 resolve_areas: bool = True, check_paths: bool = True) -> CityConfig:
    """A config from already-parsed YAML (a dict). See `load_config`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a city config is a YAML mapping of keys (name, slug, place, ...)")
    try:
        config = CityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, source, data)) from None
    if config_dir is not None:
        config.source_path = config_dir / Path(source).name
    if check_paths:
        config.check_paths()
    if resolve_areas:
        _resolve_areas(config, source)
    return config


MAX_CONFIG_BYTES = 1 << 20  # shipped configs are 1-3 KB; a data file named by mistake is refused unread
MAX_CONFIG_NODES = 100_000  # YAML nodes after aliases are expanded ("billion laughs" stops here)


def _read_config_text(path: Path) -> str:
    """The config's text, or a ConfigError saying what the file is instead (never its contents)."""
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.yml"))[:5]
        hint = f" (it holds {', '.join(inside)})" if inside else ""
        raise ConfigError(f"{path}: is a folder, not a config file; name a .yml file{hint}")
    if not path.is_file():
        raise ConfigError(f"{path}: is not a regular file (a device or pipe?); name a .yml config file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__}); "
                          "check the file's permissions") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: is larger than {MAX_CONFIG_BYTES >> 20} MB, too large for a city config "
                          "(a few KB of YAML); name the .yml config, not a data file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(f"{path}: is not UTF-8 text (byte 0x{raw[exc.start]:02X} at line {line}, column {column}, "
                          "perhaps a '£' or 'é' saved as Windows-1252); save the file with UTF-8 encoding") from None


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document whose aliases expand beyond MAX_CONFIG_NODES
    nodes or refer to themselves, before anything is built from it."""

    def construct_document(self, node):
        _check_expansion(node)
        return super().construct_document(node)


def _check_expansion(root: yaml.Node) -> None:
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_CONFIG_NODES:
                mark = node.start_mark
                raise _Refused(f"its aliases (*name) expand to more than {MAX_CONFIG_NODES:,} values "
                               f"(from line {mark.line + 1}); write the values out, or use fewer aliases")
            continue
        if key in size:
            continue
        if key in open_:
            raise _Refused(f"an alias at line {node.start_mark.line + 1} refers to itself; remove the loop")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


class _Refused(Exception):
    """A YAML document refused by `_ConfigLoader`: the reason, without the document."""


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """Where and what PyYAML found wrong, in one line and without the snippet of the file it quotes."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return f"line {line}: character U+{char:04X} is not allowed in YAML (a binary file?)"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = " ".join(str(getattr(exc, "problem", None) or type(exc).__name__).split())[:200]
    return (f"line {mark.line + 1}, column {mark.column + 1}: " if mark else "") + problem


def _read_yaml(path: Path) -> Any:
    text = _read_config_text(path)
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise ConfigError(f"{path}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: is not valid YAML ({_yaml_problem(exc, text)}); "
                          "check the indentation, brackets and quotes there") from None
    except RecursionError:
        raise ConfigError(f"{path}: is nested too deeply to be a city config; check its brackets") from None


def load_config(path: str | Path, check_inputs: bool | None = None, resolve_areas: bool = True) -> CityConfig:
    """Load and check a city config.

    A bare name (`preston-demo`) is looked up in `configs/`. Unknown or misspelt keys, an unknown
    area, or (for real-data configs, unless `check_inputs=False`) a ledger missing from disk raise a
    `ConfigError` that names the key, file, anchor or path. Synthetic configs are not checked for
    inputs here: `city_spend` writes the demo ledgers when they are missing. The file is read
    bounded (MAX_CONFIG_BYTES, aliases expanding to at most MAX_CONFIG_NODES values) and an input
    path outside the data folders is refused (see `CityConfig`).
    """
    path = Path(path)
    if not path.exists() and not path.suffix and (configs_dir() / f"{path}.yml").exists():
        path = configs_dir() / f"{path}.yml"
    if not path.exists():
        available = sorted(p.stem for p in configs_dir().glob("*.yml"))
        raise ConfigError(f"config file {path} not found (configs available: {', '.join(available)})")
    data = _read_yaml(path)
    config = parse_config(data, str(path), resolve_areas=False, check_paths=False)
    config.source_path = path.resolve()
    config.check_paths()
    if resolve_areas:
        _resolve_areas(config, str(path))
    if check_inputs is None:
        check_inputs = not config.synthetic
    if check_inputs:
        config.check_inputs()
    return config


def shipped_configs() -> list[Path]:
    return sorted(configs_dir().glob("*.yml"))


# ---------------------------------------------------------------------------------------------
# CLI: cwb config check CONFIG...
# ---------------------------------------------------------------------------------------------
def _check(args) -> int:
    paths = args.configs or [str(p) for p in shipped_configs()]
    failed = 0
    for item in paths:
        try:
            # Synthetic ledgers are written on first use, so only real configs must have them now.
            config = load_config(item, check_inputs=None if not args.no_inputs else False)
        except ConfigError as exc:
            if len(paths) == 1:
                raise  # one config, one line: the reason itself
            failed += 1
            print(f"FAIL {exc}" if str(item) in str(exc) else f"FAIL {item}: {exc}", file=sys.stderr)
            continue
        label = " (synthetic)" if config.synthetic else ""
        files = "inputs not checked" if args.no_inputs else f"{len(config.input_files())} input file(s)"
        print(f"ok   {item}: {config.name}{label}; place {len(config.place.lad_codes)} district(s), "
              f"wider area {len(config.wider_area.lad_codes)}; {len(config.anchors)} anchor(s); "
              f"years {', '.join(config.years)}; {files}")
        if config.synthetic and not args.no_inputs:
            for line in config.missing_inputs():
                print(f"     note: not there yet: {line}")
    if failed:
        raise ConfigError(f"{failed} of {len(paths)} config(s) failed")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check city configuration files")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    check = sub.add_parser("check", help="validate configs (default: every file in configs/)")
    check.add_argument("configs", nargs="*", metavar="CONFIG", help="YAML files or names in configs/")
    check.add_argument("--no-inputs", action="store_true", help="do not check that ledgers exist on disk")
    check.set_defaults(func=_check)
    parser.set_defaults(func=lambda args: (parser.print_help(), 1)[1])
