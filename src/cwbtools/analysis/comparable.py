"""Comparable periods and who drives a change (issue 20 points 1 and 2), for `change`.

A change between two financial years compares only the months of the year covered in both, anchor by
anchor (`comparison`, `comparable_spend`); none in common, no change figure. The suppliers behind a
change: leave-top-k (`leave_top_k`, `driver_text`) and the coverage-constant view
(`coverage_constant`). Pure functions over the spend frame (docs/CONTRACTS.md section 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..formats import gbp as _gbp
from .baseline import _flag, _is_individual, _located, payment_dates
from .trend import LOCAL_MEASURES

# --------------------------------------------------------------------------------------------
# 1b. Comparable months: a change compares only the months covered in both years, per anchor

_FULL = (1 << 12) - 1  # a bit per calendar month: bit m-1 for month m
_FY_ORDER = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
_MONTH_NAME = {m: pd.Timestamp(2000, m, 1).strftime("%B") for m in range(1, 13)}


def _bits(months) -> int:
    out = 0
    for m in months:
        out |= 1 << (int(m) - 1)
    return out


def _stated_bits(sheet: object, source_file: object, year: str) -> int:
    """The months a file's or sheet's name states, when they lie in `year` (ingest's reading of
    names, `ingest.periods`); 0 when no name states one."""
    from ..ingest.periods import names_of, stated_period

    for name in names_of("" if pd.isna(sheet) else str(sheet), "" if pd.isna(source_file) else str(source_file)):
        span = stated_period(name)
        if span is not None:
            return _bits(n % 12 + 1 for n in range(span.first, span.last + 1)) if span.financial_year() == year else 0
    return 0


def row_months(spend: pd.DataFrame) -> pd.Series:
    """Each payment's months as a 12-bit mask (bit m-1 for calendar month m): its own month when
    dated (a month-only date is the first of its month), else the period its file or sheet name
    states (ingest's `file_period`), else 0 (a year-end period 13 to 16: the year, no month)."""
    dates = payment_dates(spend)
    out = pd.Series(0, index=spend.index, dtype="int64")
    dated = dates.notna()
    out[dated] = np.left_shift(1, dates[dated].dt.month.to_numpy() - 1)
    if (~dated).any() and {"source_file", "financial_year"} <= set(spend.columns):
        sheet = spend["sheet"] if "sheet" in spend.columns else pd.Series("", index=spend.index)
        undated = pd.DataFrame(
            {
                "sheet": sheet[~dated],
                "file": spend.loc[~dated, "source_file"],
                "year": spend.loc[~dated, "financial_year"],
            }
        ).astype("string")
        keys = undated.drop_duplicates()
        bits = {tuple(k): _stated_bits(*k) for k in keys.itertuples(index=False)}
        out[~dated] = [bits[tuple(k)] for k in undated.itertuples(index=False)]
    return out


def _coverage_masks(spend: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"anchor": spend["anchor"].astype(str), "year": spend["financial_year"].astype(str), "mask": row_months(spend)}
    )
    out = frame.groupby(["anchor", "year"], sort=True)["mask"].agg(np.bitwise_or.reduce).rename("months_mask")
    return out.astype("int64").reset_index()


def month_coverage(spend: pd.DataFrame) -> pd.DataFrame:
    """Per anchor and financial year, the months its ledgers cover (`row_months`): how many, and
    which in words (`April to December`)."""
    out = _coverage_masks(spend)
    out["months"] = out["months_mask"].map(lambda b: bin(b).count("1"))
    out["covered"] = out["months_mask"].map(month_text)
    return out.drop(columns="months_mask")


def notes_text(notes: str | None) -> str:
    """The config's `notes:` for readers (they say what the ledgers are), or a line saying none."""
    text = (notes or "").strip()
    return (
        f"**Notes on this city's data (from its configuration):** {text}"
        if text
        else "The configuration gives no notes."
    )


def month_text(mask: int) -> str:
    """The months of a mask in financial-year order, runs joined: `April to December`,
    `July to January`, `every month`, `no month`."""
    if mask == _FULL:
        return "every month"
    runs: list[list[int]] = []
    for m in _FY_ORDER:
        if mask >> (m - 1) & 1:
            if runs and _FY_ORDER.index(m) == _FY_ORDER.index(runs[-1][-1]) + 1:
                runs[-1].append(m)
            else:
                runs.append([m])
    parts = [_MONTH_NAME[r[0]] if len(r) == 1 else f"{_MONTH_NAME[r[0]]} to {_MONTH_NAME[r[-1]]}" for r in runs]
    return ", ".join(parts) if parts else "no month"


@dataclass(frozen=True)
class Comparison:
    """Two financial years and, per anchor in both, the months of the year covered in both
    (`months`, masks). Comparable when at least one anchor has a month in common; `reason` says
    why not, `text` what is compared."""

    year_from: str
    year_to: str
    months: dict[str, int]
    text: str
    reason: str = ""

    @property
    def comparable(self) -> bool:
        return bool(self.months)

    @property
    def partial(self) -> bool:
        """Compared on part of a year: some anchor's common months are not all twelve."""
        return any(m != _FULL for m in self.months.values())


def comparison(spend: pd.DataFrame, year_from: str, year_to: str) -> Comparison:
    """What a change between two years can compare like with like: the anchors with spend in both,
    each on the months of the year covered in both (a partial year against the same months of the
    other). `spend` is all kept spend (a month is covered when the ledger has any payment in it)."""
    cov = _coverage_masks(spend[spend["financial_year"].astype(str).isin([year_from, year_to])])
    masks = cov.pivot(index="anchor", columns="year", values="months_mask")
    months, said, left = {}, [], []
    for anchor in masks.index:
        m0, m1 = (masks.at[anchor, y] if y in masks.columns else np.nan for y in (year_from, year_to))
        if pd.isna(m0) or pd.isna(m1):
            left.append(f"{anchor} has no spend in {year_from if pd.isna(m0) else year_to}")
            continue
        common = int(m0) & int(m1)
        if common == 0:
            left.append(
                f"{anchor}'s ledgers cover {month_text(int(m0))} in {year_from} and {month_text(int(m1))} "
                f"in {year_to}: no month of the year is in both"
            )
            continue
        months[str(anchor)] = common
        if common != _FULL:
            said.append(f"{anchor} on {month_text(common)} ({bin(common).count('1')} months) of each year")
    if not months:
        reason = (
            "; ".join(left) + f". The change from {year_from} to {year_to} is not measured: no like-for-like months."
        )
        return Comparison(year_from, year_to, {}, "", reason[0].upper() + reason[1:])
    text = (
        f"{year_from} and {year_to} are compared on the months covered in both: " + "; ".join(said) + "."
        if said
        else f"{year_from} and {year_to} are compared on whole years."
    )
    if left:
        text += " Left out: " + "; ".join(left) + "."
    return Comparison(year_from, year_to, months, text)


def comparable_spend(spend: pd.DataFrame, cmp: Comparison) -> pd.DataFrame:
    """The payments of the two years that compare: anchors in both, payments in their common
    months (a payment known only by its year, or by a period reaching outside them, only when the
    common months are the whole year)."""
    sub = spend[spend["financial_year"].astype(str).isin([cmp.year_from, cmp.year_to])]
    common = sub["anchor"].astype(str).map(cmp.months).fillna(0).astype("int64")
    bits = row_months(sub)
    inside = (bits > 0) & ((bits & ~common) == 0)
    keep = (common > 0) & (inside | (common == _FULL))
    return sub[keep.to_numpy()]


# --------------------------------------------------------------------------------------------
# 1c. Who drives a change: leave-top-k and the coverage-constant view


def _by_supplier(spend: pd.DataFrame, year_from: str, year_to: str, measure: str) -> pd.DataFrame:
    """Per supplier and year, located pence and local pence (columns t0, l0, t1, l1)."""
    located = _located(spend)
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame(
        {
            "key": spend["supplier_key"].astype("string").fillna("(none)"),
            "year": spend["financial_year"].astype(str),
            "t": amount.where(located, 0),
            "l": amount.where(located & _flag(spend, LOCAL_MEASURES[measure]), 0),
        }
    )
    parts = {y: frame[frame["year"] == y].groupby("key")[["t", "l"]].sum() for y in (year_from, year_to)}
    both = parts[year_from].add_suffix("0").join(parts[year_to].add_suffix("1"), how="outer")
    return both.fillna(0).astype("int64")


def _share(local: float, total: float) -> float:
    return local / total if total > 0 else np.nan


def _ranked(s: pd.DataFrame) -> tuple[float, pd.Index, pd.Series]:
    """The change in the share, the suppliers from the one that contributes most to it, and the
    change with each left out alone. A supplier whose leaving out empties a year (no share to compare)
    ranks last."""
    T0, L0, T1, L1 = (float(s[c].sum()) for c in ("t0", "l0", "t1", "l1"))
    change = _share(L1, T1) - _share(L0, T0)
    rest0, rest1 = (T0 - s["t0"]).where(T0 - s["t0"] > 0), (T1 - s["t1"]).where(T1 - s["t1"] > 0)
    alone = (L1 - s["l1"]) / rest1 - (L0 - s["l0"]) / rest0
    # contribution in the direction of the change (either way when there is none)
    lean = np.sign(change) if change and not pd.isna(change) else 0.0
    weight = ((change - alone) * lean if lean else (change - alone).abs()).fillna(-np.inf)
    return change, weight.sort_values(ascending=False, kind="mergesort").index, alone


def leave_top_k(
    spend: pd.DataFrame, year_from: str, year_to: str, measure: str = "place", ks: tuple[int, ...] = (1, 3, 5)
) -> pd.DataFrame:
    """The change in the local share of located spend with the k suppliers that move it most
    taken out of both years (k = 0: the change as measured). A supplier's contribution is how much
    of the change goes when it alone is left out. Counts only: no supplier is named."""
    s = _by_supplier(spend, year_from, year_to, measure)
    change, order, _ = _ranked(s)
    T0, L0, T1, L1 = (float(s[c].sum()) for c in ("t0", "l0", "t1", "l1"))
    rows = []
    for k in (0, *ks):
        out = s.loc[order[:k]]
        t0, l0, t1, l1 = (float(out[c].sum()) for c in ("t0", "l0", "t1", "l1"))
        moved = _share(L1 - l1, T1 - t1) - _share(L0 - l0, T0 - t0)
        rows.append(
            {
                "measure": measure,
                "from": year_from,
                "to": year_to,
                "left_out": min(k, len(s)),
                "share_change": moved,
                "local_change_pence": int((L1 - l1) - (L0 - l0)),
                "located_from_pence": int(T0 - t0),
                "located_to_pence": int(T1 - t1),
                "share_of_change_left_out": 1 - moved / change if change else np.nan,
            }
        )
    return pd.DataFrame(rows)


def driver_text(spend: pd.DataFrame, year_from: str, year_to: str, area: str, measure: str = "place") -> str:
    """A sentence when one supplier drives most of the change in the local share (leaving it out
    takes away more than half of the change, or reverses it; a change of a tenth of a point or
    more); '' otherwise. An organisation is named (`name_shown`), a person never."""
    s = _by_supplier(spend, year_from, year_to, measure)
    change, order, alone = _ranked(s)
    if not len(order) or not change or pd.isna(change):
        return ""
    key, without = order[0], alone[order[0]]
    # a change smaller than the tenth of a point the report prints has no driver worth a sentence
    if pd.isna(without) or abs(change) < 0.001 or 1 - without / change <= 0.5:
        return ""
    rows = spend[spend["supplier_key"].astype("string").fillna("(none)") == key]
    named = bool(len(rows)) and _flag(rows, "name_shown").all() and not _is_individual(rows).any()
    who = f"one supplier, {rows['supplier_name'].iloc[0]}," if named else "one payee (not named here)"
    paid = f"{_gbp(int(s.at[key, 't0']))} in {year_from} and {_gbp(int(s.at[key, 't1']))} in {year_to}"
    return (
        f"Most of the change in the {area} share comes from {who} paid {paid} (located spend): "
        f"without it the share moves by {without * 100:+.1f} points instead of {change * 100:+.1f}."
    )


def coverage_constant(spend: pd.DataFrame, year_from: str, year_to: str) -> pd.DataFrame:
    """The change in the local shares on the suppliers located in both years only, beside the
    change as measured: a change that comes from locating more (or fewer) suppliers drops out."""
    rows = []
    for measure in LOCAL_MEASURES:
        s = _by_supplier(spend, year_from, year_to, measure)
        kept = s[(s["t0"] != 0) & (s["t1"] != 0)]
        for view, part in (("as measured", s), ("suppliers located in both years", kept)):
            p0, p1 = _share(part["l0"].sum(), part["t0"].sum()), _share(part["l1"].sum(), part["t1"].sum())
            rows.append(
                {
                    "measure": measure,
                    "view": view,
                    "from": year_from,
                    "to": year_to,
                    "suppliers": len(part),
                    "located_from_pence": int(part["t0"].sum()),
                    "located_to_pence": int(part["t1"].sum()),
                    "share_from": p0,
                    "share_to": p1,
                    "share_change": p1 - p0,
                }
            )
    return pd.DataFrame(rows)
