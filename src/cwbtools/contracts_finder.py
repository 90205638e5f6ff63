"""Contracts Finder notices: the contract pipeline, the next chances to re-let locally.

Reads the JSON export a city's config names (`contracts_notices`; Preston's is
`spend/preston-contracts/procurement.json`): a `contracts` list of notices with `status`
(`awarded`, `closed`, ...), dates, values in pounds, `awarded_supplier`, `awarded_to_sme`.

Notices carry no contract end date. Where the title or description states a period
(`2023-2026`, `2022-25`, `(2024/25 to 2025/26)`, `until 30th June 2028`) the end is read from it;
otherwise it is assumed to be a fixed term from the award date, and `end_basis` says which.
Money is integer pence.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from .errors import InputFileError
from .identifiers import postcode as normalise_postcode
from .identifiers import supplier_name as normalise_name

ASSUMED_TERM_YEARS = 3

NOTICE_COLUMNS = [
    "notice_id", "title", "description", "organisation", "status", "published_date", "deadline_date",
    "awarded_date", "value_low_pence", "value_high_pence", "awarded_value_pence", "awarded_supplier",
    "awarded_to_sme", "suitable_for_sme", "cpv_codes", "cpv_description", "region", "postcode", "url",
    "end_date", "end_basis",
]

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


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
        rows.append({
            "notice_id": _text(n.get("id")), "title": title, "description": description,
            "organisation": _text(n.get("organisation")), "status": status,
            "published_date": _date(n.get("published_date")), "deadline_date": _date(n.get("deadline_date")),
            "awarded_date": awarded,
            "value_low_pence": _pence(n.get("value_low")), "value_high_pence": _pence(n.get("value_high")),
            "awarded_value_pence": _pence(n.get("awarded_value")) if status == "awarded" else None,
            "awarded_supplier": supplier,
            "awarded_to_sme": n.get("awarded_to_sme") if isinstance(n.get("awarded_to_sme"), bool) else None,
            "suitable_for_sme": n.get("suitable_for_sme") if isinstance(n.get("suitable_for_sme"), bool) else None,
            "cpv_codes": _text(n.get("cpv_codes")), "cpv_description": _text(n.get("cpv_description")),
            "region": _text(n.get("region")), "postcode": normalise_postcode(n.get("postcode")),
            "url": _text(n.get("url")), "end_date": end, "end_basis": basis,
        })
    df = pd.DataFrame(rows, columns=NOTICE_COLUMNS)
    for col in ("value_low_pence", "value_high_pence", "awarded_value_pence"):
        df[col] = df[col].astype("Int64")
    for col in ("awarded_to_sme", "suitable_for_sme"):
        df[col] = df[col].astype("boolean")
    return df


def awards(notices: pd.DataFrame) -> pd.DataFrame:
    """Awarded notices with a value, largest first."""
    out = notices[(notices["status"] == "awarded") & (notices["awarded_value_pence"].fillna(0) > 0)]
    return out.sort_values(["awarded_value_pence", "awarded_date"], ascending=[False, False]).reset_index(drop=True)


def sme_share_of_awards(notices: pd.DataFrame) -> pd.DataFrame:
    """One row: awards, SME awards, their value and the SME share by count and by value. Awards
    whose SME flag is not published are counted apart, never as non-SME."""
    a = awards(notices)
    known = a[a["awarded_to_sme"].notna()]
    sme = known[known["awarded_to_sme"].astype(bool)]
    total_value = int(a["awarded_value_pence"].sum())
    known_value = int(known["awarded_value_pence"].sum())
    sme_value = int(sme["awarded_value_pence"].sum())
    return pd.DataFrame([{
        "awards": len(a), "awards_sme_flag_unknown": len(a) - len(known), "sme_awards": len(sme),
        "awarded_pence": total_value, "sme_awarded_pence": sme_value,
        "sme_share_of_awards": len(sme) / len(known) if len(known) else None,
        "sme_share_of_value": sme_value / known_value if known_value else None,
    }])


def locate_winners(notices: pd.DataFrame, suppliers: pd.DataFrame | None, place_lads, wider_lads) -> pd.DataFrame:
    """Awards with where the winner is: matched by normalised name to a supplier table
    (`supplier_name` and `lad_code`, e.g. the city's suppliers or registers with a LAD) and
    classed `place`, `wider`, `outside`, or `unknown` when no located match."""
    a = awards(notices).copy()
    a["winner_name_norm"] = a["awarded_supplier"].map(normalise_name)
    place, wider = set(place_lads or []), set(wider_lads or []) | set(place_lads or [])
    lad = pd.Series(dtype="string")
    if suppliers is not None and len(suppliers) and {"supplier_name", "lad_code"} <= set(suppliers.columns):
        s = suppliers[suppliers["lad_code"].notna()].copy()
        if "individual" in s.columns:
            s = s[~s["individual"].fillna(False).astype(bool)]
        names = s["supplier_name"].astype("string")
        s = pd.DataFrame({"name_norm": names.map({n: normalise_name(n) for n in names.dropna().unique()}),
                          "lad_code": s["lad_code"].astype("string")})
        s = s[s["name_norm"].fillna("") != ""]
        # A name found in several LADs is placed at the LAD where most of its rows sit.
        counts = s.groupby(["name_norm", "lad_code"]).size().reset_index(name="n")
        counts = counts.sort_values(["name_norm", "n", "lad_code"], ascending=[True, False, True], kind="mergesort")
        lad = counts.drop_duplicates("name_norm").set_index("name_norm")["lad_code"]
    a["winner_lad_code"] = a["winner_name_norm"].map(lad).astype("string")

    def geo(code):
        if code is None or pd.isna(code):
            return "unknown"
        return "place" if code in place else "wider" if code in wider else "outside"

    a["winner_geo"] = a["winner_lad_code"].map(geo).astype("string")
    return a


def local_winners(located: pd.DataFrame) -> pd.DataFrame:
    """Count and value of awards by where the winner is."""
    order = ["place", "wider", "outside", "unknown"]
    g = located.groupby("winner_geo", observed=True).agg(
        awards=("notice_id", "size"), awarded_pence=("awarded_value_pence", "sum"))
    g = g.reindex(order).fillna(0).astype("int64").reset_index()
    total = int(g["awarded_pence"].sum())
    g["share_of_value"] = g["awarded_pence"] / total if total else None
    return g


def ending_soon(notices: pd.DataFrame, as_of: date, within_months: int = 24) -> pd.DataFrame:
    """Awards whose (stated or assumed) end falls between `as_of` and `within_months` later,
    soonest first: the next chances to re-let, perhaps in lots local firms can bid for."""
    a = awards(notices)
    a = a[a["end_date"].notna()]
    limit = (pd.Timestamp(as_of) + pd.DateOffset(months=within_months)).date()
    soon = a[(a["end_date"] >= as_of) & (a["end_date"] <= limit)]
    return soon.sort_values(["end_date", "awarded_value_pence"], ascending=[True, False]).reset_index(drop=True)


def data_date(path: str | Path) -> date | None:
    """The date the export was generated (`meta.generated`), the natural `as_of` for `ending_soon`."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8-sig")).get("meta", {})
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    return _date(meta.get("generated"))
