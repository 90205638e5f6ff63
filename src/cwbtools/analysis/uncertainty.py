"""Bootstrap confidence intervals on the main shares, resampling suppliers.

A year's spend is a few large suppliers and many small ones; how local it looks depends on which
suppliers happened to be paid that year. Resampling suppliers (not payments: one supplier's payments
move together) with replacement shows how much the shares would move with a different draw of
suppliers. Seeded, so two runs give identical intervals.

The interval is for the point estimate (unmeasured spend splitting like measured spend); it says
nothing about the bounds, which come from spend that could not be measured at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .baseline import ALL_ANCHORS, _flag, _located, anchors_in

DEFAULT_SEED = 20130401
SHARES = {  # share name -> (numerator column, denominator column)
    "place_share": ("place", "located"),
    "wider_share": ("wider", "located"),
    "sme_share": ("sme", "typed"),
    "vcse_share": ("vcse", "typed"),
    "deprived_share": ("deprived", "with_decile"),
}


def supplier_table(spend: pd.DataFrame, deprived_deciles) -> pd.DataFrame:
    """One row per supplier with the pence each share needs (numerators and denominators)."""
    amount = spend["amount_pence"].astype("int64")
    located = _located(spend)
    stype = spend["supplier_type"].astype("string").fillna("unknown")
    decile = pd.to_numeric(spend["imd_decile"], errors="coerce")
    frame = pd.DataFrame(
        {
            "supplier_key": spend["supplier_key"].astype("string").fillna(""),
            "located": amount.where(located, 0),
            "place": amount.where(located & _flag(spend, "in_place"), 0),
            "wider": amount.where(located & _flag(spend, "in_wider"), 0),
            "typed": amount.where(stype != "unknown", 0),
            "sme": amount.where(stype == "sme", 0),
            "vcse": amount.where(stype == "vcse", 0),
            "with_decile": amount.where(decile.notna(), 0),
            "deprived": amount.where(decile.isin(list(deprived_deciles)), 0),
        }
    )
    return frame.groupby("supplier_key", sort=True).sum().astype("int64")


def _bootstrap(table: pd.DataFrame, n_boot: int, level: float, rng: np.random.Generator) -> list[dict]:
    n = len(table)
    if n == 0:
        return [{"measure": k, "estimate": np.nan, "ci_lo": np.nan, "ci_hi": np.nan, "suppliers": 0} for k in SHARES]
    cols = sorted({c for pair in SHARES.values() for c in pair})
    values = table[cols].to_numpy("float64")
    sums = np.empty((n_boot, len(cols)))
    # Multinomial counts (how often each supplier is drawn), in chunks so memory stays ~50 MB
    # whatever the number of suppliers.
    chunk = max(1, min(n_boot, 6_000_000 // max(n, 1)))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype("float64")
        sums[start : start + size] = counts @ values
    alpha = (1 - level) / 2
    rows = []
    for name, (num, den) in SHARES.items():
        x, y = values[:, cols.index(num)], values[:, cols.index(den)]
        estimate = x.sum() / y.sum() if y.sum() else np.nan
        nums, dens = sums[:, cols.index(num)], sums[:, cols.index(den)]
        draws = nums[dens != 0] / dens[dens != 0]
        if len(draws) and not np.isnan(estimate):
            lo, hi = np.quantile(draws, [alpha, 1 - alpha])
        else:
            lo = hi = np.nan
        rows.append(
            {
                "measure": name,
                "estimate": estimate,
                "ci_lo": float(lo),
                "ci_hi": float(hi),
                "suppliers": int((table[den] != 0).sum()),
            }
        )
    return rows


def bootstrap_shares(
    spend: pd.DataFrame,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = DEFAULT_SEED,
    by_anchor: bool = True,
    by_year: bool = False,
    *,
    deprived_deciles,
    sme_measured: bool = True,
) -> pd.DataFrame:
    """Percentile bootstrap intervals (`level`, default 95%) on place, wider-area, SME, VCSE and
    deprived-area shares, resampling suppliers. Rows for all anchors and (by default) each anchor;
    with `by_year`, for each financial year. Columns: [year,] anchor, measure, estimate, ci_lo, ci_hi,
    suppliers (how many suppliers the share was measured on). With `sme_measured=False` the SME
    share is not estimated (see `baseline.measures`)."""
    rng = np.random.default_rng(seed)
    rows = []
    years = sorted(spend["financial_year"].astype(str).unique()) if by_year else [None]
    for year in years:
        sub_year = spend if year is None else spend[spend["financial_year"].astype(str) == year]
        groups = [(ALL_ANCHORS, sub_year)]
        if by_anchor:
            groups += [(a, sub_year[sub_year["anchor"].astype(str) == a]) for a in anchors_in(sub_year)]
        for anchor, sub in groups:
            # Net spend zero or below: no share (baseline.NOT_MEANINGFUL), so no interval around one.
            positive = int(sub["amount_pence"].astype("int64").sum()) > 0
            for row in _bootstrap(supplier_table(sub, deprived_deciles), n_boot, level, rng):
                if not positive or (row["measure"] == "sme_share" and not sme_measured):
                    row = {**row, "estimate": np.nan, "ci_lo": np.nan, "ci_hi": np.nan, "suppliers": 0}
                rows.append({**({"year": year} if by_year else {}), "anchor": anchor, **row})
    return pd.DataFrame(rows)
