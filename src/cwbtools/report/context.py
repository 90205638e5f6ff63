"""The notebook context: what a report notebook reads and writes, opened in one line.

    r = open_report(config_path, year=year, report_dir=report_dir)     # 01, 03
    r = open_report(config_path, years=years, report_dir=report_dir)   # 02

`r` holds the city's inputs as plain attributes (its definitions, its spend, the reference tables,
all loaded when first used) and writes what the notebook shows: `r.table` (a CSV beside the report,
and the table for readers), `r.chart` (the chart's data as CSV, the figure with its caption and alt
text), `r.note` (Markdown) and `r.summary` (the notebook's part of summary.json). The analysis is
not here: the notebook's cells call `cwbtools.analysis` and `cwbtools.report.charts`, and hand the
results to `r`.

An optional input that is not there is a value, `Missing`, which says what is missing and how to
supply it. `r.table`, `r.chart` and `r.note` show it as a note, and `given(func, *args)` hands it on
instead of calling `func`, so a notebook never needs try/except.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.base import analysed, classify, exclusion_rules
from ..analysis.baseline import count_unknown_size, for_year, sme_measurable
from ..analysis.change import for_years
from ..analysis.headlines import coverage_note
from ..city.inputs import supplier_survey as read_supplier_survey
from ..city.spend import city_column_maps, city_coverage, city_reconciliation, city_spend, city_suppliers
from ..config import load_config
from ..paths import repo_root, reports_dir
from ..reference import load_geography, load_lsoa, load_sic, load_wards
from . import cache, present
from .summary import update as update_summary

#: The columns of the register of public bodies a report reads (`Report.public_bodies`: the
#: anchors' other names, `analysis.base`; housing providers' designations, `analysis.ownership`).
PUBLIC_BODY_COLUMNS = ["body_id", "source", "name_norm", "note"]
#: The columns of the LSOA table a report reads (`Report.lsoa`).
LSOA_COLUMNS = ["lsoa_code", "lsoa_name", "lad_code", "ward_code", "imd_decile", "population"]
#: `years=` left out: a notebook about one year (01, 03), not about change between years (02).
_ONE_YEAR: Any = object()
DEFAULT_YEARS = ("baseline", "latest")


@dataclass(frozen=True)
class Missing:
    """An optional input that is not there: `note` says what is missing and how to supply it.
    Shown as that note wherever a table, chart or note would be."""

    note: str

    def _repr_html_(self) -> str:
        return f'<div class="cwb-note cwb-missing"><p>{html.escape(self.note)}</p></div>'


def given(func: Callable, *args, **kwargs):
    """`func(*args, **kwargs)`, or the first argument that is `Missing` (then `func` is not called):
    a table made from an optional input shows the input's note when the input is not there."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, Missing):
            return value
    return func(*args, **kwargs)


# The fields a reader checks a file by (ingest's core fields), as `maps_by_file` names them.
_SHOWN_FIELDS = {"supplier_name": "payee", "amount": "amount", "payment_date": "date"}
_TABLE_KEYS = ["anchor", "source_file", "sheet", "header_row"]


def maps_by_file(maps: pd.DataFrame) -> pd.DataFrame:
    """The city's column maps (`city_column_maps`) for readers: one row per table read, with the
    columns read as payee, amount and date (`Header (column N)`), how they were found (one word
    when all three agree, else per field) and the evidence check's notes on them."""
    names = {f: f"{n}_column" for f, n in _SHOWN_FIELDS.items()}
    core = maps[maps["field"].isin(list(_SHOWN_FIELDS))].drop_duplicates([*_TABLE_KEYS, "field"])
    rows = []
    for key, table in core.groupby(_TABLE_KEYS, sort=False, dropna=False):
        by = table.set_index("field")
        row = dict(zip(_TABLE_KEYS, key, strict=True))
        for fld, col in names.items():
            if fld in by.index:
                label, n = str(by.at[fld, "column"]), int(by.at[fld, "column_number"])
                row[col] = label if label == f"column {n}" else f"{label} (column {n})"
        found = [f for f in _SHOWN_FIELDS if f in by.index]
        how = [str(by.at[f, "read_from"]) for f in found]
        row["read_from"] = (
            how[0]
            if len(set(how)) == 1
            else "; ".join(f"{_SHOWN_FIELDS[f]}: {h}" for f, h in zip(found, how, strict=True))
        )
        row["note"] = "; ".join(n for f in found if (n := str(by.at[f, "note"]).strip()))
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*_TABLE_KEYS, *names.values(), "read_from", "note"])
    return out.fillna({c: "" for c in names.values()}).astype({"header_row": "Int64"})


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def _config_file(config_path: str | Path) -> Path:
    """A repo-relative path works from any folder (Papermill may run a notebook from notebooks/);
    a bare name (`preston-demo`) is left for `load_config` to find in configs/."""
    path = Path(config_path)
    return repo_root() / path if not path.is_absolute() and (repo_root() / path).exists() else path


class Report:
    """One city's report notebook: its inputs as attributes, its outputs through `table`, `chart`,
    `note` and `summary`. Open it with `open_report`."""

    def __init__(
        self,
        config,
        *,
        year: str | None = None,
        years=_ONE_YEAR,
        report_dir: str | Path | None = None,
        default_year: str = "baseline",
    ):
        if default_year not in DEFAULT_YEARS:
            raise ValueError(f"default_year must be one of {DEFAULT_YEARS}, not {default_year!r}")
        self.config = config
        #: The config's typed definitions (`cwbtools.definitions.AnalysisDefinitions`).
        self.defs = config.analysis_definitions()
        self.report_dir = Path(report_dir) if report_dir else reports_dir() / config.slug
        self.place: str = config.place.name
        self.wider: str = config.wider_area.name or "the wider area"
        self._years_asked = None if years is _ONE_YEAR else list(years or config.years)
        #: The financial year a one-year notebook is about (None in a notebook about change).
        self.year: str | None = None
        if years is _ONE_YEAR:
            self.year = str(year or (config.baseline_year if default_year == "baseline" else config.latest_year))
        #: Where displays go (IPython's `display`; tests may collect them instead).
        self.show: Callable[[Any], None] = _display
        self._written: set[str] = set()

    def __repr__(self) -> str:
        what = self.year or f"years {', '.join(self._years_asked or [])}"
        return f"Report({self.defs.slug}, {what}, report_dir={str(self.report_dir)!r})"

    # -- inputs (loaded when first used) ----------------------------------------------------------
    @cached_property
    def all_spend(self) -> pd.DataFrame:
        """All the city's kept spend (docs/CONTRACTS.md §4), suppliers of unknown size counted as the
        definitions say, each payment classified by the exclusion rules (`analysis.base`); in a
        notebook about change, only the years asked for."""
        spend = count_unknown_size(city_spend(self.config), self.defs.unknown_size_as)
        spend = spend if self._years_asked is None else for_years(spend, self._years_asked)
        return classify(spend, self.exclusion_rules)

    @cached_property
    def spend(self) -> pd.DataFrame:
        """The spend every figure is measured on: the procurement base, or all kept spend with
        `definitions.base: all` (`analysis.base.analysed`)."""
        return analysed(self.all_spend, self.defs.base)

    @cached_property
    def year_spend(self) -> pd.DataFrame:
        """The payments of `year` the figures are measured on."""
        if self.year is None:
            raise AttributeError("year_spend: this report is about several years (open_report(..., years=...))")
        return for_year(self.spend, self.year)

    @cached_property
    def months(self) -> int:
        """Months of `year` the ledgers cover (`headlines.months_covered`): fewer than 12 is a partial year."""
        from ..analysis.headlines import months_covered

        return months_covered(self.year_spend)

    @cached_property
    def year_label(self) -> str:
        """`year` as titles show it: a partial year says so (`2019/20 (partial: 9 months, not annualised)`)."""
        from ..analysis.headlines import year_label

        return year_label(self.year, self.months)

    @cached_property
    def year_all_spend(self) -> pd.DataFrame:
        """All kept payments of `year`, classified."""
        if self.year is None:
            raise AttributeError("year_all_spend: this report is about several years (open_report(..., years=...))")
        return for_year(self.all_spend, self.year)

    @cached_property
    def public_bodies(self) -> pd.DataFrame | None:
        """The register of public bodies (anchors' other names, housing providers' designations:
        `PUBLIC_BODY_COLUMNS`), or None when not built."""
        from .. import reference
        from ..errors import CwbError

        try:
            return reference.load_public_bodies(PUBLIC_BODY_COLUMNS)
        except (CwbError, OSError):
            return None

    @cached_property
    def exclusion_rules(self) -> list:
        """The exclusion rules in force, in the order applied (`analysis.base.exclusion_rules`)."""
        return exclusion_rules(self.defs, self.public_bodies, self.framework_suppliers)

    @cached_property
    def years(self) -> list[str]:
        """The financial years in `spend`, in order."""
        return sorted(self.spend["financial_year"].astype(str).unique())

    @cached_property
    def sme_measured(self) -> bool:
        """Whether SMEs can be told apart in this spend (`baseline.sme_measurable`)."""
        return sme_measurable(self.spend, self.defs)

    @cached_property
    def coverage(self) -> str:
        """What the figures are based on: payments, anchors, years and the part located to a
        postcode. Every table and chart says it unless given another `based_on`."""
        what = "Procurement spend" if self.defs.base == "procurement" else "All kept spend"
        return coverage_note(self.spend if self.year is None else self.year_spend, what, self.companies_house)

    @cached_property
    def companies_house(self) -> bool:
        """Whether suppliers were matched against Companies House (the built registers, or the
        config's `companies_file`)."""
        from ..errors import CwbError
        from ..reference import load_sources

        if self.config.companies_file:
            return True
        try:
            return any(s["name"] == "Companies House BasicCompanyData" and s["present"] for s in load_sources())
        except CwbError:
            return False

    @cached_property
    def definitions(self) -> pd.DataFrame:
        """The definitions in force, for readers (`CityConfig.definitions_table`)."""
        return self.config.definitions_table()

    @cached_property
    def reconciliation(self) -> pd.DataFrame:
        """Every ledger file's rows and pence: read, kept and set aside (ingest stage)."""
        return city_reconciliation(self.config)

    @cached_property
    def column_maps(self) -> pd.DataFrame:
        """What was read from each ledger file: one row per table, its payee, amount and date
        columns and how each was found (`maps_by_file` of `city.spend.city_column_maps`)."""
        return maps_by_file(city_column_maps(self.config))

    @cached_property
    def resolution_coverage(self) -> pd.DataFrame:
        """The spend each supplier-resolution layer placed, per anchor and year."""
        return city_coverage(self.config)

    @cached_property
    def suppliers(self) -> pd.DataFrame:
        """The city's suppliers (CONTRACTS §3): identifiers, register matches, public kinds."""
        return city_suppliers(self.config)

    @cached_property
    def supplier_survey(self) -> pd.DataFrame | None:
        """The config's supplier survey of measured re-spend, or None when it names none."""
        return read_supplier_survey(self.defs)

    @cached_property
    def geography(self) -> pd.DataFrame:
        """Local authority districts (reference table)."""
        return load_geography()

    @cached_property
    def wards(self) -> pd.DataFrame:
        return load_wards()

    @cached_property
    def sic(self) -> pd.DataFrame:
        """SIC 2007 sections, divisions and classes with their names."""
        return load_sic()

    @cached_property
    def lsoa(self) -> pd.DataFrame:
        """Neighbourhoods (LSOA 2011) with their LAD, IMD 2019 decile and population: the columns the
        analysis reads (the table's other 17, the IMD domains, are not read)."""
        return load_lsoa(LSOA_COLUMNS)

    # -- optional inputs (notebook 03): a DataFrame, or `Missing` saying how to supply it ----------
    # Read here, never in cwbtools.analysis.nextsteps, which takes the tables.
    _REGISTER_NAMES = {
        "companies_house": "Companies House BasicCompanyData",
        "gender_pay_gap": "Gender Pay Gap employers",
        "coops_uk": "Co-operatives UK",
        "charity_commission": "Charity Commission extract",
        "nhs_ods": "NHS ODS",
    }

    @cached_property
    def _registers_read(self) -> tuple[pd.DataFrame | None, str]:
        from .. import reference
        from ..analysis.nextsteps.gaps import FULL_REGISTER
        from ..errors import CwbError

        how = (
            "run `cwb reference build` (add `--companies FILE` with Companies House BasicCompanyData to count "
            "every registered company)"
        )
        try:
            # Located by postcode once per reference build, not in every notebook (`report.cache`).
            regs = cache.located_registers()
        except (CwbError, OSError):
            return None, f"Registers not built: {how}."
        sources = sorted(set(regs["source"].astype(str).unique()))
        ch_file = ""
        if FULL_REGISTER not in sources:
            file = self.config.companies_file
            if file and self.config.resolve_path(file).exists():
                path = self.config.resolve_path(file)
                extra = reference.registers.load_companies_house(path, regs)
                found = reference.lookup_postcodes(extra["postcode"])
                extra = extra.assign(lad_code=found["lad_code"].to_numpy(), ward_code=found["ward_code"].to_numpy())
                regs = pd.concat([regs, extra], ignore_index=True)
                sources = sorted(set(regs["source"].astype(str).unique()))
                ch_file = f" (`companies_file` {path.name}" + (
                    ", synthetic demo companies)" if self.defs.synthetic else ")"
                )
            elif file:
                how = (
                    f"the config's companies_file {file!r} was not found (looked for "
                    f"{self.config.resolve_path(file)}); " + how
                )
        names = ", ".join(self._REGISTER_NAMES.get(s, s) + (ch_file if s == FULL_REGISTER else "") for s in sources)
        if FULL_REGISTER in sources:
            return regs, f"counts from {names}."
        fix = how[0].upper() + how[1:] if "not found" in how else ""
        return regs, (
            f"counts from the registers at hand ({names}). These list only some organisations (large "
            "employers, co-operatives, one area's charities, NHS bodies), so the counts are PARTIAL: a "
            "floor, not the local economy. Supply Companies House BasicCompanyData (`companies_file` in "
            f"the config, or `cwb reference build --companies FILE`) for full counts. {fix}"
        ).strip()

    @cached_property
    def registers(self) -> pd.DataFrame | Missing:
        """Registered organisations (CONTRACTS §2) located by postcode (`lad_code`, `ward_code`),
        with the config's `companies_file` added when the built registers lack Companies House."""
        regs, note = self._registers_read
        return Missing(note) if regs is None else regs

    @cached_property
    def registers_note(self) -> str | Missing:
        """Where the organisation counts come from (`Missing` when there are no registers)."""
        regs, note = self._registers_read
        return Missing(note) if regs is None else note

    @cached_property
    def multipliers(self) -> pd.DataFrame | Missing:
        """ONS IOAT 2020 Type I output multipliers (`analysis.multipliers.load_multipliers`)."""
        from ..analysis.multipliers import load_multipliers
        from ..errors import CwbError

        try:
            return load_multipliers()
        except CwbError:
            return Missing(
                "ONS IOAT 2020 workbook not found: put InputOutput_I_by_I_2020.xlsx under "
                "reference/ioat2020 in the shared data folder (CWB_DATA)."
            )

    @cached_property
    def _notices_file(self) -> Path | Missing:
        path = self.config.contracts_notices
        if not path:
            return Missing(
                "No contract notices for this city: download its Contracts Finder notices as JSON and "
                "name the file as `contracts_notices` in the city config to see awards, SME share, local "
                "winners and contracts ending soon."
            )
        resolved = Path(self.config.resolve_path(path))
        if not resolved.exists():
            return Missing(
                f"Contract notices file not found: {resolved} (`contracts_notices` in the city config). "
                "Supply the Contracts Finder JSON there."
            )
        return resolved

    @cached_property
    def notices(self) -> pd.DataFrame | Missing:
        """The city's Contracts Finder notices (`city.inputs.read_notices`)."""
        from ..city.inputs import read_notices

        return given(read_notices, self._notices_file)

    @cached_property
    def notices_as_of(self):
        """The date the notices were exported (today when it is not stated, or without notices)."""
        from datetime import date

        from ..city.inputs import data_date

        file = self._notices_file
        return (None if isinstance(file, Missing) else data_date(file)) or date.today()

    @cached_property
    def framework_suppliers(self) -> tuple[str, ...]:
        """The national-framework supplier names read from
        `definitions.exclusions.not_influenceable.suppliers_file` (none without the file)."""
        from ..errors import InputFileError

        path = self.defs.exclusions.suppliers_file
        if path is None:
            return ()
        if not path.exists():
            raise InputFileError(
                f"{path}: national frameworks supplier list not found "
                "(definitions.exclusions.not_influenceable.suppliers_file)"
            )
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path, dtype=str)
            col = "supplier_name" if "supplier_name" in df.columns else df.columns[0]
            return tuple(v for v in df[col].dropna().astype(str) if v.strip())
        return tuple(
            line.strip()
            for line in path.read_text(encoding="utf-8-sig").splitlines()
            if line.strip() and not line.startswith("#")
        )

    # -- outputs ----------------------------------------------------------------------------------
    def _csv(self, name: str) -> str:
        stem = present.file_stem(name)
        if stem in self._written:
            raise ValueError(f"{stem}.csv is already written by this notebook: give the table or chart another name")
        self._written.add(stem)
        return stem

    def table(
        self,
        df: pd.DataFrame | Missing | None,
        name: str,
        title: str,
        based_on: str | None = None,
        limit: int | None = present.ROWS_SHOWN,
    ) -> None:
        """Show `df` under `title` with what it is based on (the coverage sentence unless given)
        and write it whole to `<report_dir>/data/<name>.csv` (`present.table`: the safe path).
        The page shows its first `limit` rows when it is long (None: every row). `df` None shows
        nothing: a breakdown that would repeat the table above (`findings.several_anchors`)."""
        if df is None:
            return None
        if isinstance(df, Missing):
            return self.show(df)
        based_on = self.coverage if based_on is None else based_on
        self.show(
            present.table(
                df, self._csv(name), title, based_on, self.report_dir, place=self.place, wider=self.wider, limit=limit
            )
        )

    def chart(self, chart, name: str, based_on: str | None = None) -> None:
        """Show a `charts.Chart` with its caption and alt text; write the data it plots to
        `<report_dir>/data/<name>.csv` through the same safe path as tables, and the figure beside
        it as `<name>.png` and `<name>.svg`, linked under the chart. None shows nothing (a chart
        that would repeat another)."""
        if chart is None:
            return None
        if isinstance(chart, Missing):
            return self.show(chart)
        stem = self._csv(name)
        file_name = present.save_csv(chart.data, stem, self.report_dir)
        images = chart.save_images(Path(self.report_dir) / "data", stem)
        self.show(present.figure(chart, self.coverage if based_on is None else based_on, file_name, images))

    def note(self, text: str | Missing) -> None:
        """Show `text` as Markdown (a `Missing` input as its note)."""
        from IPython.display import Markdown

        self.show(text if isinstance(text, Missing) else Markdown(text))

    def summary(self, part: dict) -> None:
        """Merge this notebook's part into `<report_dir>/summary.json` (docs/SUMMARY.md)."""
        update_summary(self.report_dir, part)


def open_report(
    config_path: str | Path,
    *,
    year: str | None = None,
    years=_ONE_YEAR,
    report_dir: str | Path | None = None,
    default_year: str = "baseline",
) -> Report:
    """Open a city's report: `config_path` a YAML in configs/ (path or name); `year` the year of a
    one-year notebook (default the config's baseline year, or its latest with
    `default_year="latest"`); or `years` for a notebook about change (None: all the config's
    years); `report_dir` where tables and summary.json go (default `reports/<slug>`)."""
    return Report(
        load_config(_config_file(config_path)), year=year, years=years, report_dir=report_dir, default_year=default_year
    )
