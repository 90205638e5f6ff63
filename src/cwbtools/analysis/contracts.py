"""Contracts Finder notices: the contract pipeline, the next chances to re-let locally.

Pure functions over the notices table that `city.inputs.read_notices` reads (awards, the SME
share of awards, where the winners are, what ends soon). Money is integer pence.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..identifiers import supplier_name as normalise_name


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
    return pd.DataFrame(
        [
            {
                "awards": len(a),
                "awards_sme_flag_unknown": len(a) - len(known),
                "sme_awards": len(sme),
                "awarded_pence": total_value,
                "sme_awarded_pence": sme_value,
                "sme_share_of_awards": len(sme) / len(known) if len(known) else None,
                "sme_share_of_value": sme_value / known_value if known_value else None,
            }
        ]
    )


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
        s = pd.DataFrame(
            {
                "name_norm": names.map({n: normalise_name(n) for n in names.dropna().unique()}),
                "lad_code": s["lad_code"].astype("string"),
            }
        )
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
        awards=("notice_id", "size"), awarded_pence=("awarded_value_pence", "sum")
    )
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
