"""City configuration: one short YAML file per place, as a strict pydantic model.

Papermill accepts misspelt parameters silently, so the config must not: every model forbids unknown
keys (`loading.py` turns a mistake into a `ConfigError` naming the key, where it sits, the file, and
the nearest valid key). Every definition has a documented default (docs/ASSUMPTIONS.md; the models in
`definitions.py`) and `CityConfig.definitions_table()` echoes the definitions in force in every report.

Paths in a config may use `${CWB_DATA}`, `${CWB_PROCESSED}` or `${CWB_RAW}`; a relative path is looked
for beside the config first, then in the shared data folder. Wherever it is written, a path must
lead into one of those folders or the config's own (see `CityConfig`, `files.py`; docs/SECURITY.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..definitions import RESPEND_TYPES, AnalysisDefinitions, ExclusionRules, ScenarioTarget
from ..definitions import PublishedFigure as PublishedRule
from ..errors import ConfigError
from ..ingest.columns import check_overrides
from ..ingest.limits import Limits
from ..paths import configs_dir, shared_data_dir
from .definitions import SME_EMPLOYEES, Definitions, _Strict
from .files import _expand, data_folders, inside_data, resolve_path

_FY_RE = re.compile(r"^(\d{4})/(\d{2})$")
_LAD_RE = re.compile(r"^[ENSW]\d{8}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # one folder name; at most 64 as the report runner allows

AnchorKind = Literal[
    "council",
    "county_council",
    "combined_authority",
    "police",
    "fire",
    "college",
    "university",
    "school",
    "nhs_trust",
    "health",
    "housing_association",
    "other",
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


# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------
class Place(_Strict):
    """The place itself: a name and its LAD codes (resolved from the name when left out)."""

    name: str
    """The place's name as reports show it; resolved to LAD codes when `lad_codes` is left out."""
    lad_codes: list[str] = Field(default_factory=list)
    """The place's local authority district codes (`E07000123`); found from `name` when empty."""

    _check_codes = field_validator("lad_codes")(classmethod(lambda cls, v: _lad_codes(v)))


class WiderArea(_Strict):
    """LAD codes or a named county / combined authority / region. CLES counts the wider area
    *including* the place; `lad_codes` after loading always contains the place's codes."""

    name: str | None = None
    """A county, combined authority or region, resolved to its districts (`wider_area: Lancashire`)."""
    lad_codes: list[str] = Field(default_factory=list)
    """The wider area's districts, if not named (`wider_area: [E07000117, ...]`)."""

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
    def _something(self) -> WiderArea:
        if not self.name and not self.lad_codes:
            raise ValueError("give a name (county, combined authority or region) or lad_codes")
        return self


# ---------------------------------------------------------------------------------------------
# Anchors and their ledgers
# ---------------------------------------------------------------------------------------------
class Ledger(_Strict):
    """A ledger file, folder (every CSV/XLSX inside) or glob, optionally for one financial year.
    A bare path is short for `{path: ...}`."""

    path: str
    """The ledger file, folder or glob (see the paths rule above)."""
    year: str | None = None
    """The financial year the file says it covers; rows are still placed by their own payment dates."""
    overrides: dict[str, str] | None = Field(
        default=None, examples=[{"amount": "Net Amount", "supplier_name": "Payee"}]
    )
    """Field -> the header of the column holding it, in every file of this ledger, where detection
    reads the wrong column or none; detection finds the fields not named. Exactly as `cwb ingest
    --column FIELD=HEADER`: the header is matched as written (trimmed), else ignoring case,
    spaces and punctuation; an unknown field or a header a file lacks is an error."""

    _check_year = field_validator("year")(classmethod(lambda cls, v: None if v is None else financial_year(v)))

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_overrides(self) -> Ledger:
        # The same rule as `cwb ingest --column` (ingest/columns.py), checked when the config loads.
        try:
            self.overrides = check_overrides(self.overrides) or None
        except ValueError as exc:
            raise ValueError(f"overrides of ledger {self.path!r}: {exc}") from None
        return self


class SupplierSheet(_Strict):
    """A CLES-style supplier sheet: one row per supplier with name, postcode and the year's amount."""

    path: str
    """The supplier sheet (CSV or XLSX)."""
    year: str
    """The financial year its amounts are for."""
    columns: dict[Literal["supplier_name", "postcode", "amount"], str] = Field(default_factory=dict)
    """Field -> the sheet's column for it, where the usual names (`supplier`, `amount`, `postcode`) are not used."""
    sheet: str | None = None
    """The worksheet to read (default the first)."""

    _check_year = field_validator("year")(classmethod(lambda cls, v: financial_year(v)))


class Anchor(_Strict):
    """An anchor institution whose spend is analysed: its ledgers, or a supplier sheet (exactly one)."""

    name: str
    """The institution's name as reports show it (unique within the config)."""
    kind: AnchorKind
    """What kind of body it is."""
    ledgers: list[Ledger] = Field(default_factory=list)
    """Its published spend ledgers."""
    supplier_sheet: SupplierSheet | None = None
    """A CLES-style supplier sheet, instead of ledgers."""
    creditors: str | None = None
    """Its creditor file (CSV/XLSX: supplier id, name, postcode, ...), used to locate its suppliers."""

    @model_validator(mode="after")
    def _one_source(self) -> Anchor:
        if bool(self.ledgers) == bool(self.supplier_sheet):
            raise ValueError(f"anchor {self.name!r} needs either ledgers or a supplier_sheet (exactly one)")
        return self


# ---------------------------------------------------------------------------------------------
# Scenarios and published figures (the definitions block is in definitions.py)
# ---------------------------------------------------------------------------------------------
class Scenario(_Strict):
    """Raise the place (or wider-area) share to `to_share`, or by `points` (0.05 = 5 points),
    measured against `base_year`'s total (default the baseline year). `from_share` states the
    starting share as someone published it (CLES's "5%"); left out, it is measured in the base year."""

    name: str
    """The scenario's name as reports show it."""
    measure: Measure = "place_share"
    """The share raised: spend in the place, or in the wider area."""
    from_share: float | None = None
    """The starting share as published (0.05 = 5%); left out, measured in `base_year`."""
    to_share: float | None = None
    """The share to reach (0.10 = 10%); give this or `points`."""
    points: float | None = None
    """The rise in share (0.05 = 5 points); give this or `to_share`."""
    base_year: str | None = None
    """The year whose total spend the scenario is measured against (default `baseline_year`)."""

    @field_validator("from_share")
    @classmethod
    def _from(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 1:
            raise ValueError("from_share is a fraction (0.05 = 5%)")
        return value

    _check_year = field_validator("base_year")(classmethod(lambda cls, v: None if v is None else financial_year(v)))

    @model_validator(mode="after")
    def _one_target(self) -> Scenario:
        if (self.to_share is None) == (self.points is None):
            raise ValueError(f"scenario {self.name!r} needs exactly one of to_share or points")
        for value in (self.to_share, self.points):
            if value is not None and not -1 <= value <= 1:
                raise ValueError(f"scenario {self.name!r}: shares and points are fractions (0.10 = 10%)")
        return self


class PublishedFigure(_Strict):
    """A figure someone published for this place, which the report shows beside ours."""

    year: str
    """The financial year the figure is for."""
    measure: Literal["total", "place", "wider", "leakage", "place_share", "wider_share"]
    """What it measures: total spend, spend in the place or wider area, leakage (pounds) or a share."""
    value: float
    """The figure: pounds for spend, a fraction (0.05 = 5%) for a share."""
    source: str
    """Who published it, where."""
    definition: str | None = None
    """Their definition of local (CLES: suppliers "based or branched" in the area), shown beside the figure."""

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
    """The city's name as reports show it."""
    slug: str
    """Its folder name: lower-case letters, digits and hyphens, at most 64 characters."""
    synthetic: bool = False
    """True for illustrative demo ledgers: every report built from them says so."""
    notes: str | None = None
    """Notes shown at the top of the report (partial years, caveats)."""
    place: Place
    """The place whose local share is measured."""
    wider_area: WiderArea
    """The wider area (CLES counts it including the place)."""
    anchors: list[Anchor]
    """The anchor institutions whose spend is analysed (at least one)."""
    years: list[str]
    """UK financial years analysed (`2019/20`, April to March, by payment date)."""
    baseline_year: str | None = None
    """The year the baseline report describes (default the first of `years`)."""
    definitions: Definitions = Field(default_factory=Definitions)
    """The definitions block (below): every one has a documented default."""
    scenarios: list[Scenario] = Field(
        default_factory=list,
        examples=[
            [
                {"name": "Preston 2012 to 2017", "from_share": 0.05, "to_share": 0.183},
                {"name": "+5 points", "points": 0.05},
            ]
        ],
    )
    """Next-steps scenarios: a share raised to or by a target."""
    published: list[PublishedFigure] = Field(
        default_factory=list,
        examples=[[{"year": "2016/17", "measure": "place_share", "value": 0.183, "source": "CLES (2017), Preston"}]],
    )
    """Figures someone published for this place, shown beside ours."""
    companies_file: str | None = None
    """Companies House BasicCompanyData (zip or CSV), used when the built registers lack it."""
    crosswalk: str | None = None
    """A supplier crosswalk CSV (supplier_name, company_number, postcode, supplier_type) that wins over matching."""
    address_check: str | None = None
    """An address-check sheet officers filled in (`cwb suppliers check` writes it to fill): each row with a branch postcode, who checked and when places its supplier first, before any other evidence."""
    contracts_notices: str | None = None
    """A Contracts Finder JSON export of the anchors' contract notices, for the contracts report."""
    allow_outside_data: bool = False
    """Read input files from anywhere, not only the data folders (see above)."""
    ingest_limits: dict[str, int] | None = Field(default=None, examples=[{"max_sheet_rows": 5_000_000}])
    """Resource bounds for reading this city's ledgers, raised or lowered from their defaults, as
    `cwb ingest --limit NAME=VALUE` (docs/SECURITY.md); an unknown name or a value that is not a
    whole number above 0 is an error."""
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
            raise ValueError(
                f"slug {value!r} must be lower-case letters, digits and hyphens, starting "
                "with a letter or digit, at most 64 characters (it names folders)"
            )
        return value

    @field_validator("ingest_limits")
    @classmethod
    def _ingest_limits(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value:
            Limits().replace(**value)  # the same rule as `cwb ingest --limit`
        return value or None

    def limits(self) -> Limits:
        """The ingest limits in force for this city's ledgers."""
        return Limits().replace(**(self.ingest_limits or {}))

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
    def _years_consistent(self) -> CityConfig:
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
                "`allow_outside_data: true` to the config if it is meant to be read"
            )

    def input_paths(self) -> list[tuple[str, str]]:
        """(where in the config, path as written) for every input the config names."""
        out = []
        for i, anchor in enumerate(self.anchors):
            out += [(f"anchors[{i}].ledgers[{j}]", ledger.path) for j, ledger in enumerate(anchor.ledgers)]
            if anchor.supplier_sheet:
                out.append((f"anchors[{i}].supplier_sheet", anchor.supplier_sheet.path))
            if anchor.creditors:
                out.append((f"anchors[{i}].creditors", anchor.creditors))
        for label, value in (
            ("crosswalk", self.crosswalk),
            ("address_check", self.address_check),
            ("companies_file", self.companies_file),
            ("contracts_notices", self.contracts_notices),
            ("definitions.supplier_survey", self.definitions.supplier_survey),
            ("definitions.exclusions.not_influenceable.suppliers_file", self._frameworks_file),
        ):
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

    @property
    def _frameworks_file(self) -> str | None:
        return self.definitions.exclusions.not_influenceable.suppliers_file

    def definitions_table(self) -> pd.DataFrame:
        """The definitions in force, their defaults and why: echoed in every report."""
        d = self.definitions
        default = Definitions()
        rows = [
            (
                "Place",
                f"{self.place.name} ({', '.join(self.place.lad_codes)})",
                "set per city",
                "Suppliers whose postcode lies in these local authority districts are 'in the place'.",
            ),
            (
                "Wider area",
                f"{self.wider_area.name or 'listed districts'} ({len(self.wider_area.lad_codes)} districts, place included)",
                "set per city",
                "CLES counts the wider area including the place; leakage is spend outside it.",
            ),
            (
                "Years",
                ", ".join(self.years) + f"; baseline {self.baseline_year}",
                "set per city",
                "UK financial years, April to March, by payment date.",
            ),
            (
                "Deprived area",
                f"IMD 2019 deciles {_list(d.deprived.deciles)} (national)",
                f"IMD 2019 deciles {_list(default.deprived.deciles)} (national)",
                "The 20% most deprived neighbourhoods (LSOAs) in England, English Indices of Deprivation 2019.",
            ),
            (
                "SME",
                f"fewer than {SME_EMPLOYEES} employees; unknown size counted as {d.sme.unknown_as}",
                f"fewer than {SME_EMPLOYEES} employees; unknown size counted as {default.sme.unknown_as}",
                "UK definition (Companies Act thresholds); size read from registers (accounts category, "
                "Gender Pay Gap reporting at 250+ staff), which tell only that boundary. Spend with suppliers "
                "of unknown size counts in the SME share, business types and re-spend as this says "
                "('unknown': apart, the SME share then measured on spend of known type, with bounds).",
            ),
            *d.exclusions.definition_rows(d.base, default),
            *d.public_bodies.definition_rows(default.public_bodies),
            *d.location.definition_rows(default.location),
            (
                "Benchmark: local share",
                f"{d.benchmark.local_share:.3f}",
                f"{default.benchmark.local_share:.3f}",
                d.benchmark.source,
            ),
            (
                "Benchmark: SME share",
                f"{d.benchmark.sme_share:.2f}",
                f"{default.benchmark.sme_share:.2f}",
                d.benchmark.source,
            ),
            (
                "Benchmark: anchor kinds",
                _list(d.benchmark.anchor_kinds),
                _list(default.benchmark.anchor_kinds),
                "The benchmark shares are averages over anchors of these kinds (CLES/FSB: councils' self-reported "
                "figures, 'local' as each council defined it); with an anchor of any other kind there is no verdict.",
            ),
            (
                "Scenario base",
                d.scenario_base,
                default.scenario_base,
                "What a scenario's share is measured on and its pounds multiplied by: influenceable spend, or the "
                "procurement base (as CLES stated Preston's 5% to 10% of £750m).",
            ),
            (
                "Displacement",
                f"{d.displacement:.2f}",
                f"{default.displacement:.2f}",
                "Share of a scenario's direct uplift that displaces other local activity; indirect effects apply "
                "only to the rest (net additional local spend).",
            ),
            (
                "FLQ delta",
                f"{d.flq_delta:.2f}",
                f"{default.flq_delta:.2f}",
                "Flegg's location quotient regionalises the ONS IOAT 2020 Type I table for the place (Flegg and "
                "Webber 1997; delta 0.25 their usual value): docs/METHODS.md.",
            ),
            (
                "Re-spend per £1 by supplier type",
                ", ".join(f"{k} {getattr(d.respend, k):.2f}" for k in RESPEND_TYPES),
                ", ".join(f"{k} {getattr(default.respend, k):.2f}" for k in RESPEND_TYPES),
                f"{d.respend.source}. LM3's third round and the scenarios' re-spend weight each type by its spend.",
            ),
            (
                "Supplier survey",
                d.supplier_survey or "none",
                "none",
                "Re-spend measured by surveying suppliers replaces the assumptions (LM3 and scenarios) when given.",
            ),
            (
                "Policy start",
                d.policy_start.isoformat() if d.policy_start else "none",
                "none",
                "When given, the trend in the local share (change over time) adds a step and a change of slope at this date.",
            ),
        ]
        for s in self.scenarios:
            target = f"to {s.to_share:.1%}" if s.to_share is not None else f"by {s.points * 100:+.1f} points"
            if s.from_share is not None:
                target = f"from {s.from_share:.1%} " + target
            rows.append(
                (
                    f"Scenario: {s.name}",
                    f"{s.measure} {target} of {s.base_year or self.baseline_year} spend",
                    "none",
                    "Set per city.",
                )
            )
        if self.synthetic:
            rows.insert(
                0,
                (
                    "Data",
                    "SYNTHETIC ledger (see docs/DEMO.md)",
                    "real ledgers",
                    "Illustrative: calibrated to published totals, not real payments.",
                ),
            )
        return pd.DataFrame(rows, columns=["definition", "value", "default", "source"])

    def analysis_definitions(self) -> AnalysisDefinitions:
        """The values of `definitions_table()` as the analysis modules take them (paths resolved):
        the one place a config's definitions become analysis arguments."""
        d = self.definitions
        ex = d.exclusions
        ni = ex.not_influenceable

        def path(value: str | None) -> Path | None:
            return self.resolve_path(value) if value else None

        # A benchmark is an average over anchors of some kinds: no verdict on anchors of any other.
        benchmarked = all(str(a.kind) in d.benchmark.anchor_kinds for a in self.anchors)
        return AnalysisDefinitions(
            name=self.name,
            slug=self.slug,
            synthetic=self.synthetic,
            place_name=self.place.name,
            place_lads=tuple(self.place.lad_codes),
            wider_name=self.wider_area.name,
            wider_lads=tuple(self.wider_area.lad_codes),
            years=tuple(self.years),
            baseline_year=str(self.baseline_year),
            deprived_deciles=tuple(d.deprived.deciles),
            unknown_size_as=d.sme.unknown_as,
            local_benchmark=d.benchmark.local_share if benchmarked else None,
            sme_benchmark=d.benchmark.sme_share if benchmarked else None,
            benchmark_kinds=tuple(d.benchmark.anchor_kinds),
            respend={t: getattr(d.respend, t) for t in RESPEND_TYPES},
            respend_source=d.respend.source,
            supplier_survey=path(d.supplier_survey),
            policy_start=d.policy_start,
            base=d.base,
            exclusions=ExclusionRules(
                transfer_payees=tuple(ex.transfers.payees),
                transfer_expenses=tuple(ex.transfers.expenses),
                public_corporations=ex.public_corporations,
                supplier_types=tuple(ni.supplier_types),
                sic_divisions=tuple(str(x) for x in ni.sic_divisions),
                suppliers=tuple(ni.suppliers),
                suppliers_file=path(ni.suppliers_file),
            ),
            public_bodies=d.public_bodies.rules(),
            scenarios=tuple(
                ScenarioTarget(s.name, s.measure, s.from_share, s.to_share, s.points, s.base_year)
                for s in self.scenarios
            ),
            scenario_base=d.scenario_base,
            displacement=d.displacement,
            flq_delta=d.flq_delta,
            companies_file=path(self.companies_file),
            anchors={a.name: str(a.kind) for a in self.anchors},
            published=tuple(PublishedRule(p.year, p.measure, p.value, p.source, p.definition) for p in self.published),
            office_share_limit=d.location.office_share_limit,
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
        for extra in (
            self.crosswalk,
            self.address_check,
            self.companies_file,
            self.definitions.supplier_survey,
            self._frameworks_file,
        ):
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
            for label, value in (
                ("supplier_sheet", anchor.supplier_sheet.path if anchor.supplier_sheet else None),
                ("creditors", anchor.creditors),
            ):
                if value and not self.resolve_path(value).exists():
                    missing.append(f"anchor {anchor.name!r}: {label} {value!r} (looked for {self.resolve_path(value)})")
        for label, value in (
            ("crosswalk", self.crosswalk),
            ("address_check", self.address_check),
            ("companies_file", self.companies_file),
            ("contracts_notices", self.contracts_notices if optional else None),
            ("definitions.supplier_survey", self.definitions.supplier_survey if optional else None),
            ("definitions.exclusions.not_influenceable.suppliers_file", self._frameworks_file),
        ):
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
