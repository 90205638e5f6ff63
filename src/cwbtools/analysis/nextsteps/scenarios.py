"""Scenarios on a stated base (`definitions.scenario_base`): direct uplift = (to_share - from_share)
x the base year's total of that base, the one pound figure of a scenario; the net additional local
spend after displacement; re-spend and input-output (FLQ regional multipliers) indirect effects as
separate estimates from stated assumptions (docs/METHODS.md); a straight-line trajectory to a target
that ends on the scenario's own pounds."""

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
    shares of `year`, and the benchmark local share for the place when the anchors have one
    (`AnalysisDefinitions.local_benchmark`: none for kinds the benchmark is no average of)."""
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
    if bench is not None:
        out.append(
            {
                "name": f"place share to the benchmark ({bench:.1%})",
                "measure": "place_share",
                "to_share": bench,
                "base_year": year,
                "source": "benchmark",
            }
        )
    return out


def on_base(spend: pd.DataFrame, base: str) -> pd.DataFrame:
    """The payments a scenario is stated on (`definitions.scenario_base`): `influenceable` spend or
    the `procurement` base. A frame without the classifier's column is taken as all of it."""
    column = {"influenceable": "influenceable", "procurement": "in_base"}.get(base)
    if column is None:
        raise ValueError(f"scenario base must be 'influenceable' or 'procurement', not {base!r}")
    return spend[_flag(spend, column)] if column in spend.columns else spend


def sector_mix(spend: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Where new local spend would come from: the sector mix of located spend now outside the
    measured area (outside the place for `place_share`, outside the wider area for `wider_share`),
    by SIC division, as weights summing to 1. Influenceable spend only, when classified: utilities
    and national frameworks are not where new local spend would come from."""
    located = _located(spend)
    inside = _flag(spend, "in_place" if measure == "place_share" else "in_wider")
    moving = located & ~inside
    if "influenceable" in spend.columns:
        moving &= _flag(spend, "influenceable")
    # Only the columns read (the spend has forty): rows are taken from these alone.
    spend = spend[[c for c in ("sic_division", "sic_section", "sic_code", "amount_pence") if c in spend.columns]]
    part = spend[moving.to_numpy(dtype=bool)]
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


def ioat_indirect_pence(net_pence: int, mix: pd.DataFrame, multipliers: pd.DataFrame | None) -> int | None:
    """Indirect (supply-chain) output from `net_pence` of net additional local spend spread over
    `mix`'s sectors: `net x (multiplier - 1)` by sector, with the table given (the place's FLQ
    regional table, `multipliers.for_place`). None without a table."""
    if multipliers is None:
        return None
    if mix is None or mix.empty or net_pence <= 0:
        return 0
    return _indirect(net_pence, mult.sector_multipliers(mix, multipliers))


def _indirect(net_pence: int, with_m: pd.DataFrame) -> int:
    """`ioat_indirect_pence` over a mix whose multipliers are looked up (`sector_multipliers`)."""
    parts = _allocate(net_pence, with_m["weight"])
    return int(mult.indirect_pence(parts, with_m["output_multiplier"]).sum())


def respend_range(base: pd.DataFrame, measure: str, respend: Mapping[str, float]) -> tuple[float, float]:
    """Pence per £1 (as fractions) new spend in the area would be re-spent there, first round: the
    per-type rates (`definitions.respend`) weighted by the supplier-type mix of the anchors'
    suppliers in the area now, and by the mix of the spend that would move (located outside the area
    now); the lower and the higher. Individuals are left out of both mixes."""
    firms = (_located(base) & ~_individual(base)).to_numpy(dtype=bool)
    inside = _flag(base, "in_place" if measure == "place_share" else "in_wider").to_numpy(dtype=bool)
    read = base[["supplier_type", "amount_pence"]]
    rates = [
        _respend.weighted_respend(read[firms & inside], respend),
        _respend.weighted_respend(read[firms & ~inside], respend),
    ]
    rates = [r if not pd.isna(r) else float(respend["unknown"]) for r in rates]
    return rates[0], rates[1]


def uplift(
    spend: pd.DataFrame,
    specs: list[dict[str, Any]],
    default_base_year: str,
    respend: Mapping[str, float],
    multipliers: pd.DataFrame | None = None,
    survey_rate: float | None = None,
    base: str = "influenceable",
    displacement: float = 0.0,
) -> pd.DataFrame:
    """Each scenario's direct uplift a year and its indirect effects, estimates from stated
    assumptions, on separate lines and never combined.

    The scenario is stated on `base` (`on_base`: influenceable spend or the procurement base): the
    share is measured on it and the pounds are its base-year total (or the spec's stated
    `from_share` and `base_total_gbp`). Direct uplift = (to_share - from_share) x base total (0
    when the target is met): the scenario's one pound figure, which every table, chart, sentence
    and summary.json repeats. Net additional = direct x (1 - `displacement`). Of that:
    `respend_uplift_pence` at the re-spend rate of the area's suppliers now (`respend_range`'s
    first; a survey's measured rate when given), with `_low` / `_high` the two mixes' range; and
    `io_indirect_uplift_pence` from the input-output table given (regional FLQ multipliers,
    `multipliers.for_place`) over the sector mix of influenceable spend that would move.
    """
    multipliers = _table(multipliers)
    rows = []
    # Scenarios share base years and measures: each year's base, shares, sector mix (and its
    # multipliers) and re-spend rates are worked out once, not once per scenario.
    years: dict[str, tuple[pd.DataFrame, dict[str, Any]]] = {}
    moving: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in specs:
        measure = spec.get("measure") or "place_share"
        base_year = spec.get("base_year") or default_base_year
        if base_year not in years:
            on = on_base(for_year(spend, base_year), base)
            years[base_year] = (on, measured_shares(on))
        year, m = years[base_year]
        from_share = spec.get("from_share")
        from_basis = "stated in config"
        if from_share is None:
            from_share = m[measure]
            from_basis = f"measured on {base} spend, {base_year}"
        to_share = spec.get("to_share")
        if to_share is None:
            to_share = float(_dec(from_share) + _dec(spec.get("points") or 0))
        stated = spec.get("base_total_gbp") is not None
        base_total = int(round(float(spec["base_total_gbp"]) * 100)) if stated else m["total_pence"]
        status = "ok"
        if year.empty and not stated:
            status = f"no {base} spend in base year {base_year}"
            direct = 0
        elif base_total <= 0:
            status = f"net {base} spend in {base_year} is zero or negative: no scenario"
            direct = 0
        elif pd.isna(from_share):
            status = "no located spend to measure the share on"
            direct = 0
        else:
            direct = direct_uplift_pence(from_share, to_share, base_total)
            if direct < 0:
                status = "target already met"
                direct = 0
        net = int((Decimal(direct) * (1 - _dec(displacement))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
        what = moving.setdefault((base_year, measure), {})
        if "mix" not in what:
            what["mix"] = sector_mix(year, measure) if not year.empty else None
        mix = what["mix"]
        if mix is None or multipliers is None:
            io = None
        elif mix.empty or net <= 0:
            io = 0
        else:
            if "with_m" not in what:
                what["with_m"] = mult.sector_multipliers(mix, multipliers)
            io = _indirect(net, what["with_m"])
        if survey_rate is not None:
            rate = rate_low = rate_high = float(survey_rate)
        else:
            if "rates" not in what:
                what["rates"] = respend_range(year, measure, respend)
            rate, other = what["rates"]
            rate_low, rate_high = min(rate, other), max(rate, other)
        rows.append(
            {
                "name": spec.get("name"),
                "source": spec.get("source", ""),
                "measure": measure,
                "scenario_base": base,
                "base_year": base_year,
                "from_share": float(from_share) if not pd.isna(from_share) else np.nan,
                "from_basis": from_basis,
                "to_share": float(to_share),
                "base_total_pence": int(base_total),
                "direct_uplift_pence": direct,
                "displacement": float(displacement),
                "net_additional_pence": net,
                "respend_rate": rate,
                "respend_rate_low": rate_low,
                "respend_rate_high": rate_high,
                "respend_uplift_pence": int(round(net * rate)),
                "respend_uplift_low_pence": int(round(net * rate_low)),
                "respend_uplift_high_pence": int(round(net * rate_high)),
                "io_indirect_uplift_pence": io,
                "status": status,
            }
        )
    out = pd.DataFrame(rows)
    out["io_indirect_uplift_pence"] = out["io_indirect_uplift_pence"].astype("Int64")
    return out


def survey_rate(spend: pd.DataFrame, survey: pd.DataFrame | None) -> float | None:
    """The supplier survey's measured re-spend per £1 over `spend` (`respend.survey_rate`), or None
    without a survey (the per-type rates are used then)."""
    return None if survey is None else _respend.survey_rate(spend, survey)[0]


def target(table: pd.DataFrame, spend: pd.DataFrame, latest_year: str) -> pd.Series:
    """The scenario a trajectory heads for: the first (the config's first) whose target is above
    the latest year's measured share; a target already passed makes no path."""
    base = table["scenario_base"].iloc[0] if len(table) else "influenceable"
    latest = measured_shares(on_base(for_year(spend, latest_year), base))
    ahead = table[(table["status"] == "ok") & (table["to_share"] > table["measure"].map(latest))]
    return ahead.iloc[0] if len(ahead) else table.iloc[-1]


def target_multipliers(spend: pd.DataFrame, goal: pd.Series, multipliers: pd.DataFrame) -> pd.DataFrame:
    """The sector mix behind scenario `goal` (a `target` row, on its stated base) with each sector's
    output multiplier from the table given (regional, with the national beside it when the table
    has it), heaviest first."""
    mix = sector_mix(on_base(for_year(spend, goal["base_year"]), goal["scenario_base"]), goal["measure"])
    table = mult.sector_multipliers(mix, multipliers)
    if "national_multiplier" in multipliers.columns:
        table["national_multiplier"] = table["ioat_code"].map(
            dict(zip(multipliers["ioat_code"], multipliers["national_multiplier"]))
        )
    cols = [c for c in [*MULTIPLIER_COLUMNS[:-1], "national_multiplier", "weight"] if c in table.columns]
    return table[cols].sort_values("weight", ascending=False)


def _next_fy(year: str, k: int) -> str:
    start = int(str(year)[:4]) + k
    return f"{start}/{(start + 1) % 100:02d}"


def trajectory(goal: pd.Series, latest_year: str, years: int = DEFAULT_TRAJECTORY_YEARS) -> pd.DataFrame:
    """A straight path over `years` years from the latest year, from scenario `goal`'s from_share to
    its to_share (a `target` row), with the uplift each year on the scenario's own base total: the
    last year's uplift is the scenario's direct uplift, to the penny."""
    start, end, total = float(goal["from_share"]), float(goal["to_share"]), int(goal["base_total_pence"])
    ok = goal["status"] == "ok"
    rows = []
    for k in range(years + 1):
        share = start + (end - start) * k / years
        # The last step uses the scenario's own shares: the same arithmetic, the same pence.
        step = end if k == years else share
        rows.append(
            {
                "financial_year": _next_fy(latest_year, k),
                "kind": "start" if k == 0 else "path",
                "share": share,
                "uplift_pence": direct_uplift_pence(start, step, total) if ok and k else 0,
            }
        )
    out = pd.DataFrame(rows)
    out["spend_in_area_pence"] = (out["uplift_pence"] + int(round(start * total))).astype("int64")
    out.insert(0, "measure", goal["measure"])
    return out
