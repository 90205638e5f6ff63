"""What makes a share uncertain when the ledgers are a census (issue 20 point 4).

The ledgers list every payment the anchors made, so there is no sampling error to put a confidence
interval on (resampling suppliers from a census answers no question a reader asks: it once gave
Salford's 73.6% an "interval" of 1.1% to 92.2% because one payee was missing from a third of the
draws). What a reader should doubt instead, each measured here from its own home:

* spend that could not be located: the bounds (`baseline.bounded_share`, all unlocated spend out
  or in);
* where a located supplier is placed: a large firm placed by its head or registered office may trade
  from a branch in the place (`baseline.may_branch`), which widens the bounds further;
* a few large suppliers: the share with the one, three and five suppliers that move it most left
  out (the leave-top-k rule, docs/METHODS.md; `change.leave_top_k` applies it to a change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..definitions import OFFICE_SHARE_LIMIT
from ..formats import gbp as _gbp
from .baseline import ALL_ANCHORS, _flag, _located, anchors_in, bounded_share, measures
from .trend import LOCAL_MEASURES

LEAVE_OUT = (1, 3, 5)
CENSUS_NOTE = (
    "These figures count every payment in the ledgers: they are a census, not a sample, so they carry "
    "no sampling error and no confidence interval is given. What could move them is spend that could "
    "not be located (the bounds), where a located supplier was placed (a large firm placed by its head "
    "or registered office may trade from a branch here, which widens the bounds), and a few large "
    "suppliers (the share with the one, three and five that move it most left out)."
)


def _moved_by(local: pd.Series, located: pd.Series) -> pd.Index:
    """Suppliers ordered by how far the share L/T moves when each alone is left out, the largest
    first (the leave-top-k rule); one whose leaving out empties the base ranks last."""
    L, T = float(local.sum()), float(located.sum())
    rest = (T - located).where(T - located > 0)
    moved = ((L - local) / rest - L / T).abs().fillna(-1.0)
    return moved.sort_values(ascending=False, kind="mergesort").index


def leave_top_k_share(spend: pd.DataFrame, measure: str = "place", ks=LEAVE_OUT) -> dict[int, float]:
    """The local share of located spend with the k suppliers that move it most left out, for k in
    (0, *ks); k = 0 is the share as measured. NaN when nothing located is left."""
    located = _located(spend)
    amount = spend["amount_pence"].astype("int64")
    frame = pd.DataFrame(
        {
            "key": spend["supplier_key"].astype("string").fillna("(none)"),
            "t": amount.where(located, 0),
            "l": amount.where(located & _flag(spend, LOCAL_MEASURES[measure]), 0),
        }
    )
    s = frame.groupby("key")[["t", "l"]].sum()
    s = s[s["t"] != 0]
    T, L = float(s["t"].sum()), float(s["l"].sum())
    if T <= 0:
        return {k: np.nan for k in (0, *ks)}
    order = _moved_by(s["l"], s["t"])
    out = {}
    for k in (0, *ks):
        gone = s.loc[order[:k]]
        rest = T - float(gone["t"].sum())
        out[k] = (L - float(gone["l"].sum())) / rest if rest > 0 else np.nan
    return out


def sensitivity(
    spend: pd.DataFrame,
    deprived_deciles,
    sme_measured: bool = True,
    ks=LEAVE_OUT,
    *,
    office_limit: float = OFFICE_SHARE_LIMIT,
) -> pd.DataFrame:
    """Per anchor group (all anchors, then each) and local measure (place, wider): the central
    share, the bounds from unlocated spend alone, the bounds once head-office placements of large
    firms count as unknown too, and the share with the k suppliers that move it most left out.
    Counts and shares only: no supplier is named. The central share is withheld as the headline's
    is, above `office_limit` (`definitions.location.office_share_limit`)."""
    rows = []
    groups = [(ALL_ANCHORS, spend)] + [(a, spend[spend["anchor"].astype(str) == a]) for a in anchors_in(spend)]
    for anchor, sub in groups:
        m = measures(sub, deprived_deciles, sme_measured, office_limit)
        for measure in LOCAL_MEASURES:
            unlocated_only = bounded_share(m[measure], m["located"], m["total"])
            central = m[f"{measure}_share"]
            top = leave_top_k_share(sub, measure, ks) if pd.notna(central) else {k: np.nan for k in (0, *ks)}
            rows.append(
                {
                    "anchor": anchor,
                    "measure": f"{measure}_share",
                    "share": central,
                    "bounds_unlocated_lo": unlocated_only["lo"],
                    "bounds_unlocated_hi": unlocated_only["hi"],
                    "may_branch_pence": int(m.get(f"branch_{measure}", 0) or 0),
                    "bounds_lo": m[f"{measure}_share_lo"],
                    "bounds_hi": m[f"{measure}_share_hi"],
                    **{f"without_top_{k}": top[k] for k in ks},
                    "note": m.get("central_note", "") or m.get("note", ""),
                }
            )
    return pd.DataFrame(rows)


def sensitivity_text(table: pd.DataFrame, place: str, wider: str) -> str:
    """The census note, then per local measure for all anchors one sentence: the bounds, and how far
    the share moves when its largest mover, and the five largest, are left out."""
    lines = [CENSUS_NOTE, ""]
    names = {"place_share": f"in {place}", "wider_share": f"in {wider}"}
    for _, r in table[table["anchor"] == ALL_ANCHORS].iterrows():
        what = f"The share of spend {names.get(r['measure'], r['measure'])}"
        bounds = f"bounds {_pct(r['bounds_lo'])} to {_pct(r['bounds_hi'])}"
        if (r["bounds_lo"], r["bounds_hi"]) != (r["bounds_unlocated_lo"], r["bounds_unlocated_hi"]):
            bounds += (
                f"; {_pct(r['bounds_unlocated_lo'])} to {_pct(r['bounds_unlocated_hi'])} from unlocated spend "
                f"alone, wider by {_gbp(r['may_branch_pence'])} with large firms placed by a head office"
            )
        if pd.isna(r["share"]):
            lines.append(
                f"- {what}: no central figure, as {r['note'] or 'nothing is located'}. {bounds[:1].upper() + bounds[1:]}."
            )
            continue
        cols = sorted(
            (c for c in table.columns if c.startswith("without_top_")), key=lambda c: int(c.rsplit("_", 1)[1])
        )
        moves = ", ".join(f"{_pct(r[c])} without the {_top(c)}" for c in cols)
        lines.append(f"- {what}: {_pct(r['share'])} ({bounds}); {moves}.")
    return "\n".join(lines)


def _top(col: str) -> str:
    k = int(col.rsplit("_", 1)[1])
    return "supplier that moves it most" if k == 1 else f"{k} that move it most"


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x * 100:.1f}%"
