"""A city's address-check sheet, written beside its processed tables (never under reports/: it
names suppliers for officers to check, and is a working file, not a finding).

The sheet itself (what is on it, how a filled one is read) is `cwbtools.suppliers.address_check`;
here it is made from a city's built spend and suppliers, the procurement base and its baseline year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.base import classified
from ..city.spend import city_dir, city_spend, city_suppliers
from ..config import CityConfig, load_config
from ..errors import CwbError
from ..publish import write_csv
from ..suppliers.address_check import TOP, address_sheet
from ..suppliers.resolve import default_public_bodies, default_registers
from .folders import error_line

FILE = "address-check.csv"


def _place_names(config: CityConfig) -> list[str]:
    names = [config.place.name]
    try:
        from ..reference import load_geography

        geo = load_geography()
        names += list(geo.loc[geo["lad_code"].isin(config.place.lad_codes), "lad_name"].dropna().astype(str))
    except CwbError:
        pass
    return names


def address_check(config: CityConfig | str | Path, top: int = TOP) -> pd.DataFrame:
    """The address-check sheet of a city's baseline year (`suppliers.address_check.address_sheet`)."""
    config = config if isinstance(config, CityConfig) else load_config(config)
    defs = config.analysis_definitions()
    spend = classified(city_spend(config), defs, default_public_bodies())
    return address_sheet(
        spend,
        city_suppliers(config),
        defs.baseline_year,
        place_names=_place_names(config),
        top=top,
        fuzzy_above_gbp=config.definitions.location.confirm_fuzzy_above_gbp,
        registers=default_registers(),
    )


def write_address_check(config: CityConfig | str | Path, top: int = TOP) -> tuple[Path, pd.DataFrame]:
    """Write `data/processed/<slug>/address-check.csv`; returns its path and the sheet."""
    config = config if isinstance(config, CityConfig) else load_config(config)
    sheet = address_check(config, top=top)
    path = city_dir(config) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    write_csv(sheet, tmp)
    tmp.replace(path)
    return path, sheet


def address_check_note(config: CityConfig | str | Path) -> str:
    """Write the sheet (`write_address_check`) and say where, in one line for the terminal; a sheet
    that cannot be made is said, and does not fail the reports `cwb run` writes with it."""
    try:
        path, sheet = write_address_check(config)
    except CwbError as exc:
        name = Path(config).name if not isinstance(config, CityConfig) else config.slug
        return f"address check not written for {name}: {error_line(str(exc))}"
    return f"address check: {len(sheet)} suppliers to check -> {path}"
