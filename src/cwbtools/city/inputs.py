"""A city's inputs beside its ledgers, read into frames: CLES-style supplier sheets, creditor
lists and crosswalks for supplier resolution, contract notices and a supplier survey.

Contract notices and the survey are optional: the reports read them, the spend build does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from ..config import CityConfig
from ..definitions import AnalysisDefinitions
from ..errors import ConfigError, CwbError, InputFileError
from ..identifiers import postcode as normalise_postcode
from ..identifiers import supplier_name as normalise_name
from ..ingest.parsing import MONTH_WORDS
from ..schema import BAD_AMOUNT, TRANSACTION_CONTRACT
from .steps import _typed


def _read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="calamine")
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read ({exc})") from exc


def supplier_sheet_transactions(config: CityConfig, anchor):
    """A CLES-style supplier sheet (one row per supplier, the year's amount) as transactions, with
    its reconciliation and quarantine, so it goes through resolution like any ledger."""
    sheet = anchor.supplier_sheet
    path = config.resolve_path(sheet.path)
    if not path.exists():
        raise ConfigError(
            f"anchor {anchor.name!r} in {config.source_path}: supplier_sheet {sheet.path!r} "
            f"not found (looked for {path})"
        )
    raw = _read_table(path, sheet.sheet)
    lower = {str(c).strip().lower(): c for c in raw.columns}

    def column(key: str, guesses: list[str]) -> str | None:
        if key in sheet.columns:
            if sheet.columns[key] not in raw.columns:
                raise InputFileError(
                    f"{path}: column {sheet.columns[key]!r} (supplier_sheet.columns.{key}) not "
                    f"found; columns are {', '.join(map(str, raw.columns))}"
                )
            return sheet.columns[key]
        return next((lower[g] for g in guesses if g in lower), None)

    name_col = column("supplier_name", ["supplier_name", "supplier name", "supplier", "name"])
    amount_col = column("amount", ["amount", "spend", "total", "value", "amount (£)"])
    pc_col = column("postcode", ["postcode", "post code", "supplier postcode"])
    if name_col is None or amount_col is None:
        raise InputFileError(
            f"{path}: needs supplier name and amount columns (set supplier_sheet.columns); "
            f"columns are {', '.join(map(str, raw.columns))}"
        )
    start = dt.date(int(sheet.year[:4]), 4, 1)
    rows, bad = [], []
    for i, rec in enumerate(raw.to_dict("records"), start=2):
        text = str(rec.get(amount_col) or "").replace("£", "").replace(",", "").strip()
        negative = text.startswith("(") and text.endswith(")")
        try:
            pence = int((Decimal(text.strip("()")) * 100).to_integral_value())
            pence = -pence if negative else pence
        except (InvalidOperation, ValueError):
            bad.append(
                {
                    "source_file": path.name,
                    "sheet": sheet.sheet or "",
                    "row_number": i,
                    "reason": BAD_AMOUNT,
                    "amount_pence": 0,
                    "raw": str(rec.get(amount_col)),
                }
            )
            continue
        name = str(rec.get(name_col) or "").strip()
        pc = normalise_postcode(rec.get(pc_col)) if pc_col else None
        key = f"{anchor.name}|{start}|{pence}|{normalise_name(name)}|{i}"
        rows.append(
            {
                "anchor": anchor.name,
                "source_file": path.name,
                "sheet": sheet.sheet or "",
                "row_number": i,
                "payment_date": start,
                "financial_year": sheet.year,
                "amount_pence": pence,
                "supplier_name": name,
                "supplier_id": None,
                "company_number": None,
                "charity_number": None,
                "other_id": None,
                "vat_number": None,
                "postcode": pc,
                "expense_category": None,
                "service_area": None,
                "description": None,
                "transaction_ref": None,
                "individual": False,
                "redacted": False,
                "payment_id": hashlib.sha1(key.encode()).hexdigest()[:16],
            }
        )
    tx = _typed(pd.DataFrame(rows, columns=list(TRANSACTION_CONTRACT)))
    if len(tx):
        from ..individuals import is_redacted, looks_like_individual

        tx["redacted"] = tx["supplier_name"].map(lambda v: bool(is_redacted(v))).astype(bool)
        tx["individual"] = tx["redacted"] | tx["supplier_name"].map(lambda v: bool(looks_like_individual(v))).astype(
            bool
        )
    read = int(tx["amount_pence"].sum()) if len(tx) else 0
    rec = pd.DataFrame(
        [
            {
                "source_file": path.name,
                "sheet": sheet.sheet or "",
                "rows_read": len(rows) + len(bad),
                "rows_kept": len(rows),
                "rows_set_aside": len(bad),
                "pence_read": read,
                "pence_kept": read,
                "pence_set_aside": 0,
                f"reason_{BAD_AMOUNT}": len(bad),
            }
        ]
    )
    quarantine = pd.DataFrame(bad, columns=["source_file", "sheet", "row_number", "reason", "amount_pence", "raw"])
    return tx, rec, quarantine


def _resolution_inputs(config: CityConfig) -> dict:
    creditors = []
    for anchor in config.anchors:
        if anchor.creditors:
            frame = _read_table(config.resolve_path(anchor.creditors))
            frame.insert(0, "anchor", anchor.name)
            creditors.append(frame)
    inputs = {
        "creditors": pd.concat(creditors, ignore_index=True) if creditors else None,
        "crosswalk": _read_table(config.resolve_path(config.crosswalk)) if config.crosswalk else None,
        "companies": config.resolve_path(config.companies_file) if config.companies_file else None,
        "officer_checks": config.resolve_path(config.address_check) if config.address_check else None,
        "public_rules": config.definitions.public_bodies.rules(),
        "confirm_fuzzy_above_pence": round(config.definitions.location.confirm_fuzzy_above_gbp * 100),
        "area": area_of(config),
    }
    return inputs


def area_of(config: CityConfig) -> tuple[list[str], str | None]:
    """The LAD codes of the place and its wider area, and the wider area's name (county or combined
    authority): whose councils a payee named by initials may be (`suppliers.public`)."""
    codes = list(dict.fromkeys([*config.place.lad_codes, *config.wider_area.lad_codes]))
    return codes, config.wider_area.name or None


# ---------------------------------------------------------------------------------------------
# Contract notices (Contracts Finder): the JSON export a config names as `contracts_notices`
# (Preston's is `spend/preston-contracts/procurement.json`): a `contracts` list of notices with
# `status` (`awarded`, `closed`, ...), dates, values in pounds, `awarded_supplier`, `awarded_to_sme`.
#
# Notices carry no contract end date. Where the title or description states a period
# (`2023-2026`, `2022-25`, `(2024/25 to 2025/26)`, `until 30th June 2028`) the end is read from it;
# otherwise it is assumed to be a fixed term from the award date, and `end_basis` says which.
# Money is integer pence.
# ---------------------------------------------------------------------------------------------
ASSUMED_TERM_YEARS = 3


NOTICE_COLUMNS = [
    "notice_id",
    "title",
    "description",
    "organisation",
    "status",
    "published_date",
    "deadline_date",
    "awarded_date",
    "value_low_pence",
    "value_high_pence",
    "awarded_value_pence",
    "awarded_supplier",
    "awarded_to_sme",
    "suitable_for_sme",
    "cpv_codes",
    "cpv_description",
    "region",
    "postcode",
    "url",
    "end_date",
    "end_basis",
]


_MONTHS = MONTH_WORDS  # full month names and abbreviations: the ingest rule


def _pence(value: object) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except ArithmeticError:
        return None


def _date(value: object) -> date | None:
    if not value:
        return None
    try:
        return pd.Timestamp(str(value)[:10]).date()
    except (ValueError, TypeError):
        return None


def _text(value: object) -> str:
    return html.unescape(str(value)).strip() if value is not None else ""


def stated_end(text: str) -> tuple[date, str] | None:
    """The end of a contract period stated in free text, with the words it was read from."""
    low = text.lower()
    m = re.search(r"until\s+(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s+(20\d\d)", low)
    if m and m.group(2) in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))), m.group(0)
    # Financial years: `2024/25 to 2025/26` or a lone `2025/26` -> 31 March of the later year.
    fy = re.findall(r"\b(20\d\d)/(\d\d)\b", low)
    if fy:
        start, end2 = fy[-1]
        return date(int(start[:2] + end2), 3, 31), "/".join(fy[-1])
    m = re.search(r"\b(20\d\d)\s*-\s*(20\d\d|\d\d)\b", low)
    if m:
        end = m.group(2)
        year = int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
        if year >= int(m.group(1)):
            return date(year, 12, 31), m.group(0)
    m = re.search(r"until\s+(20\d\d)\b", low)
    if m:
        return date(int(m.group(1)), 12, 31), m.group(0)
    return None


def read_notices(path: str | Path, assumed_term_years: int = ASSUMED_TERM_YEARS) -> pd.DataFrame:
    """Contracts Finder notices as a tidy table (`NOTICE_COLUMNS`), one row per notice."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: Contracts Finder notices file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not a JSON file ({exc})") from exc
    notices = data.get("contracts") if isinstance(data, dict) else data
    if not isinstance(notices, list):
        raise InputFileError(f"{path}: expected a 'contracts' list of notices")
    rows = []
    for i, n in enumerate(notices):
        if not isinstance(n, dict):
            raise InputFileError(f"{path}: contracts[{i}] is not an object")
        title, description = _text(n.get("title")), _text(n.get("description"))
        awarded = _date(n.get("awarded_date"))
        end, basis = None, None
        status = _text(n.get("status")).lower()
        if status == "awarded":
            stated = stated_end(f"{title} {description}")
            if stated:
                end, basis = stated[0], f"stated: '{stated[1]}'"
            elif awarded:
                try:
                    end = awarded.replace(year=awarded.year + assumed_term_years)
                except ValueError:  # 29 February
                    end = awarded.replace(year=awarded.year + assumed_term_years, day=28)
                basis = f"assumed {assumed_term_years}-year term from award"
        supplier = _text(n.get("awarded_supplier")) or None
        rows.append(
            {
                "notice_id": _text(n.get("id")),
                "title": title,
                "description": description,
                "organisation": _text(n.get("organisation")),
                "status": status,
                "published_date": _date(n.get("published_date")),
                "deadline_date": _date(n.get("deadline_date")),
                "awarded_date": awarded,
                "value_low_pence": _pence(n.get("value_low")),
                "value_high_pence": _pence(n.get("value_high")),
                "awarded_value_pence": _pence(n.get("awarded_value")) if status == "awarded" else None,
                "awarded_supplier": supplier,
                "awarded_to_sme": n.get("awarded_to_sme") if isinstance(n.get("awarded_to_sme"), bool) else None,
                "suitable_for_sme": n.get("suitable_for_sme") if isinstance(n.get("suitable_for_sme"), bool) else None,
                "cpv_codes": _text(n.get("cpv_codes")),
                "cpv_description": _text(n.get("cpv_description")),
                "region": _text(n.get("region")),
                "postcode": normalise_postcode(n.get("postcode")),
                "url": _text(n.get("url")),
                "end_date": end,
                "end_basis": basis,
            }
        )
    df = pd.DataFrame(rows, columns=NOTICE_COLUMNS)
    for col in ("value_low_pence", "value_high_pence", "awarded_value_pence"):
        df[col] = df[col].astype("Int64")
    for col in ("awarded_to_sme", "suitable_for_sme"):
        df[col] = df[col].astype("boolean")
    return df


def data_date(path: str | Path) -> date | None:
    """The date the export was generated (`meta.generated`), the natural `as_of` for `ending_soon`."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8-sig")).get("meta", {})
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    return _date(meta.get("generated"))


# ---------------------------------------------------------------------------------------------
# Supplier survey: measured re-spend (analysis/respend.py)
# ---------------------------------------------------------------------------------------------
def supplier_survey(defs: AnalysisDefinitions) -> pd.DataFrame | None:
    """The config's supplier survey (CSV or XLSX) for measured re-spend, or None when it has none."""
    if defs.supplier_survey is None:
        return None
    file = Path(defs.supplier_survey)
    if not file.exists():
        raise CwbError(f"definitions.supplier_survey: file {file} not found")
    return pd.read_excel(file, engine="calamine") if file.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(file)
