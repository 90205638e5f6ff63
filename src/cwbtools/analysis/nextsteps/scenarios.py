"""Scenarios: direct uplift = (to_share - from_share) x the base year's total; indirect effects from
the re-spend range and from ONS IOAT 2020 Type I output multipliers (national multipliers applied
locally, an upper bound); a straight-line trajectory from the latest year to a target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pandas as pd

from ...definitions import AnalysisDefinitions
from .. import multipliers as mult
from .. import respend as _respend
from ._common import _division, _flag, _individual, _located, _pence, _table, for_year

DEFAULT_TRAJECTORY_YEARS = 5
MULTIPLIER_COLUMNS = ["sic_division", "sic_code", "ioat_code", "multiplier_basis", "output_multiplier", "weight"]


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def direct_uplift_pence(from_share: float, to_share: float, base_total_pence: int) -> int:
    """(to_share - from_share) x base total, exact: decimal arithmetic on the shares as written, so
    0.10 - 0.05 of £750m is £37,500,000.00, not a float's neighbour of it."""
    value = (_dec(to_share) - _dec(from_share)) * Decimal(int(base_total_pence))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def measured_shares(spend: pd.DataFrame) -> dict[str, Any]:
    """One year's total and the place and wider-area shares of located spend (as the baseline
    measures them: unlocated spend assumed to split like located spend)."""
    amount = spend["amount_pence"].astype("int64")
    located = _located(spend)
    loc = _pence(amount[located])
    place = _pence(amount[located & _flag(spend, "in_place")])
    wider = _pence(amount[located & _flag(spend, "in_wider")])
    total = _pence(amount)
    # A share of net credits is no share (`baseline.bounded_share`): no scenario is built on one.
    ok = loc > 0 and total > 0
    return {
        "total_pence": total,
        "located_pence": loc,
        "place_pence": place,
        "wider_pence": wider,
        "place_share": place / loc if ok else float("nan"),
        "wider_share": wider / loc if ok else float("nan"),
    }


def specs(defs: AnalysisDefinitions, year: str) -> list[dict[str, Any]]:
    """The config's scenarios, then standard ones: +5 and +10 points on the place and wider-area
    shares of `year`, and the national benchmark local share for the place."""
    out = [{**asdict(s), "source": "config"} for s in defs.scenarios]
    bench = defs.local_benchmark
    for measure, label in (("place_share", "place"), ("wider_share", "wider area")):
        for pts in (0.05, 0.10):
            out.append(
                {
                    "name": f"{label} share +{pts * 100:.0f} points",
                    "measure": measure,
                    "points": pts,
                    "base_year": year,
                    "source": "standard",
                }
            )
    out.append(
        {
            "name": f"place share to the national benchmark ({bench:.1%})",
            "measure": "place_share",
            "to_share": bench,
            "base_year": year,
            "source": "benchmark",
        }
    )
    return out


def sector_mix(spend: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Where new local spend would come from: the sector mix of located spend now outside the
    measured area (outside the place for `place_share`, outside the wider area for `wider_share`),
    by SIC division, as weights summing to 1."""
    located = _located(spend)
    inside = _flag(spend, "in_place" if measure == "place_share" else "in_wider")
    part = spend[located & ~inside]
    if part.empty:
        part = spend
    frame = pd.DataFrame(
        {
            "sic_division": _division(part),
            "sic_section": part["sic_section"].astype("string") if "sic_section" in part.columns else pd.NA,
            "sic_code": part["sic_code"].astype("string") if "sic_code" in part.columns else pd.NA,
            "amount_pence": part["amount_pence"].astype("int64"),
        }
    )
    frame = frame[frame["amount_pence"] > 0]
    # One representative 5-digit code per division (the largest) decides split IOAT industries.
    grouped = (
        frame.groupby(["sic_division", "sic_section"], dropna=False)
        .agg(amount_pence=("amount_pence", "sum"))
        .reset_index()
    )
    code = (
        frame.dropna(subset=["sic_code"])
        .groupby(["sic_division", "sic_code"])["amount_pence"]
        .sum()
        .reset_index()
        .sort_values("amount_pence", ascending=False)
        .drop_duplicates("sic_division")
        .set_index("sic_division")["sic_code"]
    )
    grouped["sic_code"] = grouped["sic_division"].map(code)
    total = grouped["amount_pence"].sum()
    grouped["weight"] = grouped["amount_pence"] / total if total else 0.0
    return grouped


def _allocate(total: int, weights: pd.Series) -> pd.Series:
    """Split integer pence by weights so the parts sum exactly to `total` (largest remainders)."""
    if weights.sum() <= 0 or total == 0:
        return pd.Series(0, index=weights.index, dtype="int64")
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype("int64")
    short = int(total - base.sum())
    order = (raw - base).sort_values(ascending=False, kind="mergesort").index[:short]
    base.loc[order] += 1
    return base.astype("int64")


def ioat_indirect_pence(direct_pence: int, mix: pd.DataFrame, multipliers: pd.DataFrame | None) -> int | None:
    """Indirect output from `direct_pence` of new spend spread over `mix`'s sectors, with IOAT
    2020 Type I output multipliers: national multipliers applied locally, an upper bound."""
    if multipliers is None or mix is None or mix.empty or direct_pence <= 0:
        return None if multipliers is None else 0
    with_m = mult.sector_multipliers(mix, multipliers)
    parts = _allocate(direct_pence, with_m["weight"])
    return int(mult.indirect_pence(parts, with_m["output_multiplier"]).sum())


def respend_range(base: pd.DataFrame, measure: str, respend: Mapping[str, float]) -> tuple[float, float]:
    """Pence per £1 (as fractions) new spend in the area would be re-spent there, first round: the
    per-type rates (`definitions.respend`) weighted by the supplier-type mix of the anchors'
    suppliers in the area now, and by the mix of the spend that would move (located outside the area
    now); the lower and the higher. Individuals are left out of both mixes."""
    firms = _located(base) & ~_individual(base)
    inside = _flag(base, "in_place" if measure == "place_share" else "in_wider")
    rates = [
        _respend.weighted_respend(base[firms & inside], respend),
        _respend.weighted_respend(base[firms & ~inside], respend),
    ]
    rates = [r for r in rates if not pd.isna(r)] or [float(respend["unknown"])]
    return min(rates), max(rates)


def uplift(
    spend: pd.DataFrame,
    specs: list[dict[str, Any]],
    default_base_year: str,
    respend: Mapping[str, float],
    multipliers: pd.DataFrame | None = None,
    survey_rate: float | None = None,
) -> pd.DataFrame:
    """Each scenario's direct uplift a year and its indirect effects.

    from_share: the spec's own when it states one, else measured in the base year. base total: the
    spec's `base_total_gbp` when stated, else the base year's total spend. Direct uplift =
    (to_share - from_share) x base total (0 when the target is already met). Indirect: the re-spend
    range (`respend_range` from the per-type rates `respend`, or a supplier survey's measured
    `survey_rate`, first round) and IOAT 2020 Type I output multipliers by sector.
    `indirect_low_pence` is the re-spend low; `indirect_high_pence` the larger of the re-spend high
    and the IOAT figure. Without `multipliers` (the IOAT table) the IOAT figure is NA.
    """
    multipliers = _table(multipliers)
    rows = []
    for spec in specs:
        measure = spec.get("measure") or "place_share"
        base_year = spec.get("base_year") or default_base_year
        base = for_year(spend, base_year)
        m = measured_shares(base)
        from_share = spec.get("from_share")
        from_basis = "stated in config"
        if from_share is None:
            from_share = m[measure]
            from_basis = f"measured, {base_year}"
        to_share = spec.get("to_share")
        if to_share is None:
            to_share = float(_dec(from_share) + _dec(spec.get("points") or 0))
        base_total = (
            int(round(float(spec["base_total_gbp"]) * 100))
            if spec.get("base_total_gbp") is not None
            else m["total_pence"]
        )
        status = "ok"
        if base.empty and spec.get("base_total_gbp") is None:
            status = f"no spend in base year {base_year}"
            direct = 0
        elif base_total <= 0:
            status = f"net spend in {base_year} is zero or negative: no scenario"
            direct = 0
        elif pd.isna(from_share):
            status = "no located spend to measure the share on"
            direct = 0
        else:
            direct = direct_uplift_pence(from_share, to_share, base_total)
            if direct < 0:
                status = "target already met"
                direct = 0
        mix = sector_mix(base, measure) if not base.empty else None
        ioat = ioat_indirect_pence(direct, mix, multipliers) if mix is not None else None
        if survey_rate is not None:
            rate_low = rate_high = float(survey_rate)
        else:
            rate_low, rate_high = respend_range(base, measure, respend)
        low = int(round(direct * rate_low))
        high_respend = int(round(direct * rate_high))
        rows.append(
            {
                "name": spec.get("name"),
                "source": spec.get("source", ""),
                "measure": measure,
                "base_year": base_year,
                "from_share": float(from_share) if not pd.isna(from_share) else np.nan,
                "from_basis": from_basis,
                "to_share": float(to_share),
                "base_total_pence": int(base_total),
                "direct_uplift_pence": direct,
                "respend_rate_low": rate_low,
                "respend_rate_high": rate_high,
                "indirect_respend_low_pence": low,
                "indirect_respend_high_pence": high_respend,
                "indirect_ioat_pence": ioat,
                "indirect_low_pence": low,
                "indirect_high_pence": max(high_respend, ioat or 0),
                "status": status,
            }
        )
    out = pd.DataFrame(rows)
    out["indirect_ioat_pence"] = out["indirect_ioat_pence"].astype("Int64")
    return out


def survey_rate(spend: pd.DataFrame, survey: pd.DataFrame | None) -> float | None:
    """The supplier survey's measured re-spend per £1 over `spend` (`respend.survey_rate`), or None
    without a survey (the per-type rates are used then)."""
    return None if survey is None else _respend.survey_rate(spend, survey)[0]


def target(table: pd.DataFrame, spend: pd.DataFrame, latest_year: str) -> pd.Series:
    """The scenario a trajectory heads for: the first (the config's first) whose target is above
    the latest year's measured share; a target already passed makes no path."""
    latest = measured_shares(for_year(spend, latest_year))
    ahead = table[(table["status"] == "ok") & (table["to_share"] > table["measure"].map(latest))]
    return ahead.iloc[0] if len(ahead) else table.iloc[-1]


def target_multipliers(spend: pd.DataFrame, goal: pd.Series, multipliers: pd.DataFrame) -> pd.DataFrame:
    """The sector mix behind scenario `goal` (a `target` row) with each sector's IOAT 2020 output
    multiplier, heaviest first."""
    mix = sector_mix(for_year(spend, goal["base_year"]), goal["measure"])
    table = mult.sector_multipliers(mix, multipliers)[MULTIPLIER_COLUMNS]
    return table.sort_values("weight", ascending=False)


def _next_fy(year: str, k: int) -> str:
    start = int(str(year)[:4]) + k
    return f"{start}/{(start + 1) % 100:02d}"


def trajectory(
    spend: pd.DataFrame, latest_year: str, measure: str, to_share: float, years: int = DEFAULT_TRAJECTORY_YEARS
) -> pd.DataFrame:
    """A straight path from the latest year's measured share to `to_share` over `years` years, with
    the spend it means at the latest year's total (pence) and the uplift over the latest year."""
    m = measured_shares(for_year(spend, latest_year))
    start = m[measure]
    rows = []
    for k in range(years + 1):
        share = start + (to_share - start) * k / years
        pence = int(round(share * m["total_pence"])) if not pd.isna(share) else 0
        rows.append(
            {
                "financial_year": _next_fy(latest_year, k),
                "kind": "measured" if k == 0 else "path",
                "share": share,
                "spend_in_area_pence": pence,
            }
        )
    out = pd.DataFrame(rows)
    out["uplift_pence"] = (out["spend_in_area_pence"] - out["spend_in_area_pence"].iloc[0]).astype("int64")
    out.insert(0, "measure", measure)
    return out
