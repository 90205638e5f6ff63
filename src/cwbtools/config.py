"""City configuration: one short YAML file per place, loaded into a strict pydantic model.

Papermill accepts misspelt parameters silently, so the config must not: every model forbids unknown
keys, and a mistake is reported as a `ConfigError` naming the key, where it sits, the file, and the
nearest valid key. Every definition has a documented default (docs/ASSUMPTIONS.md) and
`CityConfig.definitions_table()` echoes the definitions in force in every report.

Paths in a config may use `${CWB_DATA}`, `${CWB_PROCESSED}` or `${CWB_RAW}`; a relative path is looked
for beside the config first, then in the shared data folder.
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


class SmeRule(_Strict):
    """Who counts as an SME: fewer than `max_employees` staff (UK definition), read from the
    registers by supplier resolution; suppliers of unknown size are counted as `unknown_as`."""

    max_employees: int = 250
    unknown_as: Literal["unknown", "sme", "large"] = "unknown"


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


class Benchmark(_Strict):
    """CLES/FSB 2013 'Local procurement: making the most of small businesses'."""

    local_share: float = 0.311
    sme_share: float = 0.47
    respend_local_sme: float = 0.63
    respend_large: float = 0.40
    source: str = ("CLES and FSB (2013), Local procurement: making the most of small businesses, one "
                   "year on: 31.1% of council procurement spend within the authority, 47% with SMEs, "
                   "local SMEs re-spend 63p per £1 locally, large firms 40p")

    @field_validator("local_share", "sme_share", "respend_local_sme", "respend_large")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("a share must be between 0 and 1")
        return value


class Respend(_Strict):
    """Pence per £1 a supplier of each type re-spends in the local economy (first round)."""

    sme: float = 0.63
    large: float = 0.40
    vcse: float = 0.63
    public: float = 0.40
    unknown: float = 0.40
    source: str = ("CLES/FSB 2013 for SMEs (63p) and large firms (40p); VCSE assumed like SMEs, "
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
        """A config path as a file-system path (see the module docstring for the rules)."""
        return resolve_path(value, self.config_dir)

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
            ("SME", f"fewer than {d.sme.max_employees} employees; unknown size counted as {d.sme.unknown_as}",
             f"fewer than {default.sme.max_employees} employees; unknown size counted as {default.sme.unknown_as}",
             "UK definition (Companies Act thresholds); size read from registers (accounts category, "
             "Gender Pay Gap reporting at 250+ staff)."),
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
            ("Benchmark: re-spend per £1", f"local SMEs {d.benchmark.respend_local_sme:.2f}, large {d.benchmark.respend_large:.2f}",
             f"local SMEs {default.benchmark.respend_local_sme:.2f}, large {default.benchmark.respend_large:.2f}",
             d.benchmark.source),
            ("Re-spend assumptions", ", ".join(f"{k} {getattr(d.respend, k):.2f}" for k in ("sme", "large", "vcse", "public", "unknown")),
             ", ".join(f"{k} {getattr(default.respend, k):.2f}" for k in ("sme", "large", "vcse", "public", "unknown")),
             d.respend.source),
            ("Supplier survey", d.supplier_survey or "none", "none",
             "Re-spend measured by surveying suppliers replaces the assumptions when given."),
            ("Policy start", d.policy_start.isoformat() if d.policy_start else "none", "none",
             "Change-over-time compares before and after this date when given."),
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

    def ledger_files(self, anchor: Anchor) -> list[tuple[Ledger, list[Path]]]:
        """Each ledger entry of an anchor with the files it stands for (folders and globs expanded)."""
        return [(ledger, _expand(self.resolve_path(ledger.path))) for ledger in anchor.ledgers]

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


def _explain(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
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
            lines.append(f"unknown key '{key}' at {parent} in {source}{hint} "
                         f"(valid keys there: {', '.join(valid)})")
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            allowed = re.findall(r"'([^']*)'", expected)
            near = difflib.get_close_matches(str(err.get("input")), allowed, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            lines.append(f"{_where(loc)} in {source}: {err.get('input')!r} is not one of {expected}{hint}")
        elif kind == "missing":
            lines.append(f"{_where(loc)} in {source}: required key '{loc[-1]}' is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{_where(loc)} in {source}: {msg}")
    return "; ".join(dict.fromkeys(lines))


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
                 resolve_areas: bool = True) -> CityConfig:
    """A config from already-parsed YAML (a dict). See `load_config`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a city config is a YAML mapping of keys (name, slug, place, ...)")
    try:
        config = CityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, source)) from None
    if config_dir is not None:
        config.source_path = config_dir / Path(source).name
    if resolve_areas:
        _resolve_areas(config, source)
    return config


def load_config(path: str | Path, check_inputs: bool | None = None, resolve_areas: bool = True) -> CityConfig:
    """Load and check a city config.

    A bare name (`preston-demo`) is looked up in `configs/`. Unknown or misspelt keys, an unknown
    area, or (for real-data configs, unless `check_inputs=False`) a ledger missing from disk raise a
    `ConfigError` that names the key, file, anchor or path. Synthetic configs are not checked for
    inputs here: `city_spend` writes the demo ledgers when they are missing.
    """
    path = Path(path)
    if not path.exists() and not path.suffix and (configs_dir() / f"{path}.yml").exists():
        path = configs_dir() / f"{path}.yml"
    if not path.exists():
        available = sorted(p.stem for p in configs_dir().glob("*.yml"))
        raise ConfigError(f"config file {path} not found (configs available: {', '.join(available)})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    config = parse_config(data, str(path), resolve_areas=False)
    config.source_path = path.resolve()
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
            failed += 1
            print(f"FAIL {item}: {exc}", file=sys.stderr)
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
